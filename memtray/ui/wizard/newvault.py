"""New synced memory, step 3: the passphrase (creates it on the storage and sends the files), then the recovery key.

The passphrase must pass ``NewPassphraseBox`` (zxcvbn, ``memtray.strength``) before "Start syncing" is enabled.
The recovery key is shown with Copy, Save as PDF… and Save to a file…, and is never written to disk unless
the person chooses a place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWizard, QWizardPage

from memtray.errors import MemtrayError
from memtray.model import InitResult, SyncResult
from memtray.ui.notify import sync_sentence
from memtray.ui.password_field import NewPassphraseBox
from memtray.ui.recovery_key import RecoveryKeyBox
from memtray.ui.widgets import explanation
from memtray.ui.wizard.base import ProgressRelay, WizardState, WorkingPage

if TYPE_CHECKING:
    from memtray.service import Service


class PassphrasePage(WorkingPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self.setTitle(self.tr("Choose a passphrase"))
        self.setSubTitle(self.tr("It locks your files before they leave this laptop. memtray remembers it for you."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Start syncing"))
        self.passphrase = NewPassphraseBox()
        self.relay = ProgressRelay(self)
        self.relay.progressed.connect(self.show_progress)
        column = QVBoxLayout(self)
        column.addWidget(self.passphrase)
        column.addSpacing(12)
        column.addWidget(
            explanation(
                self.tr(
                    "Nobody can reset it for you, not even memtray: that is what keeps your files private. "
                    "The next step gives you a recovery key in case you forget it."
                )
            )
        )
        column.addStretch(1)
        column.addWidget(self.status)
        self.passphrase.validity_changed.connect(lambda _valid: self.completeChanged.emit())

    def ready(self) -> bool:
        return self.passphrase.is_valid()

    def start_work(self) -> None:
        state, passphrase = self.state, self.passphrase.passphrase()
        presets, relay = list(state.presets), self.relay

        def work(service: Service) -> tuple[InitResult, SyncResult | None, MemtrayError | None]:
            result = state.init_result or service.init(
                state.hub_url,
                passphrase,
                invite=state.invite,
                device_name=state.laptop_name or None,
                hub_secret=state.hub_secret,
                allow_insecure_http=state.allow_insecure_http,
            )
            state.init_result = result
            known = {folder.name for folder in service.folders()}
            for preset in presets:
                if preset.folder_name not in known:
                    service.add_folder(preset.folder_name, str(preset.path), preset.include, preset.exclude)
            try:
                return result, service.sync(progress=relay.report), None
            except MemtrayError as error:
                return result, None, error

        self.run(self.tr("Locking your files and sending them to your storage…"), work, self._created)

    def _created(self, outcome: tuple[InitResult, SyncResult | None, MemtrayError | None]) -> None:
        self.state.init_result, self.state.sync_result, self.state.sync_error = outcome
        self.state.vault_ready = True
        self.passphrase.clear()


class RecoveryPage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle(self.tr("Save your recovery key"))
        self.setSubTitle(
            self.tr("If you forget your passphrase, this key is the only way back in. You see it only now.")
        )
        self.key_box = RecoveryKeyBox()
        self.sync_note = explanation("")
        self.saved_box = QCheckBox(self.tr("I saved my recovery &key somewhere safe"))
        column = QVBoxLayout(self)
        column.addWidget(
            explanation(
                self.tr(
                    "Save it as a PDF and print it, or copy it into a password manager. Keep it off your laptops: "
                    "memtray has not saved it anywhere."
                )
            )
        )
        column.addWidget(self.key_box)
        column.addSpacing(12)
        column.addWidget(self.saved_box)
        column.addStretch(1)
        column.addWidget(self.sync_note)
        self.saved_box.toggled.connect(lambda _on: self.completeChanged.emit())
        self.setFinalPage(True)

    def initializePage(self) -> None:
        result = self.state.init_result
        self.key_box.set_secret(result.recovery_key if result else "")
        if self.state.sync_result is not None:
            self.sync_note.setText(
                self.tr("Your synced memory is ready. {summary}").format(summary=sync_sentence(self.state.sync_result))
            )
        elif self.state.sync_error is not None:
            self.sync_note.setText(
                self.tr(
                    "Your synced memory is ready, but the first sync did not finish ({reason}). memtray will try again."
                ).format(reason=self.state.sync_error.message)
            )

    def isComplete(self) -> bool:
        return self.saved_box.isChecked()

    def nextId(self) -> int:
        return -1
