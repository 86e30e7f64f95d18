"""Join: setup code (or shared folder) and passphrase, where each folder goes here, then the first sync."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from memtray.errors import MemtrayError
from memtray.model import FolderInfo, JoinResult, SyncResult
from memtray.presets import detect_cloud_drives, hub_folder_in, suggested_path
from memtray.ui.widgets import PathPicker, explanation, home_relative, password_line
from memtray.ui.wizard.base import PAGE_PLACES, ProgressRelay, WizardState, WorkingPage

if TYPE_CHECKING:
    from memtray.service import Service


class JoinPage(WorkingPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self.setTitle(self.tr("Join your vault"))
        self.setSubTitle(self.tr("On your other laptop, open memtray Settings → Security → “Show setup code”."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Join"))
        self.code_choice = QRadioButton(self.tr("I have a &setup code"))
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(self.tr("Paste the code here (it starts with MT1-)"))
        self.folder_choice = QRadioButton(self.tr("My laptops share a &folder (no code needed)"))
        self.folder_picker = PathPicker("", self.tr("Choose the folder your laptops share"))
        self.passphrase = password_line()
        self.code_choice.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.code_choice)
        group.addButton(self.folder_choice)
        passphrase_form = QWidget()
        form = QFormLayout(passphrase_form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("&Passphrase:"), self.passphrase)
        form.addRow("", explanation(self.tr("The passphrase you chose on your first laptop.")))
        column = QVBoxLayout(self)
        column.addWidget(self.code_choice)
        column.addWidget(_indented(self.code_edit))
        column.addSpacing(6)
        column.addWidget(self.folder_choice)
        column.addWidget(_indented(self.folder_picker))
        column.addSpacing(12)
        column.addWidget(passphrase_form)
        column.addStretch(1)
        column.addWidget(self.status)
        group.buttonToggled.connect(self._changed)
        for signal in (self.code_edit.textChanged, self.folder_picker.changed, self.passphrase.textChanged):
            signal.connect(self._changed)
        self._changed()

    def initializePage(self) -> None:
        drives = detect_cloud_drives(self.state.user_home)
        if drives and not self.folder_picker.path():
            self.folder_picker.set_path(hub_folder_in(drives[0]))

    def _changed(self, *_: object) -> None:
        self.code_edit.setEnabled(self.code_choice.isChecked())
        self.folder_picker.setEnabled(self.folder_choice.isChecked())
        self.completeChanged.emit()

    def _where(self) -> str:
        """The setup code, or the shared hub folder when the person chose that instead."""
        return self.code_edit.text().strip() if self.code_choice.isChecked() else self.folder_picker.path()

    def ready(self) -> bool:
        return bool(self._where() and self.passphrase.text())

    def _set_inputs_enabled(self, enabled: bool) -> None:
        super()._set_inputs_enabled(enabled)
        if enabled:
            self._changed()

    def start_work(self) -> None:
        where, passphrase = self._where(), self.passphrase.text()
        self.run(self.tr("Unlocking your vault…"), lambda service: service.join(where, passphrase), self._joined)

    def _joined(self, result: JoinResult) -> None:
        self.state.joined_folders = result.folders
        self.state.vault_ready = True
        self.passphrase.clear()

    def nextId(self) -> int:
        return PAGE_PLACES


def _indented(widget: QWidget) -> QWidget:
    widget.setContentsMargins(26, 0, 0, 0)
    return widget


class PlacesPage(WorkingPage):
    """One row per vault folder, pre-filled with where that tool keeps its memory on this OS."""

    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self.setTitle(self.tr("Where should your files go on this laptop?"))
        self.setSubTitle(
            self.tr("memtray picked the usual place for each AI tool. Change one only if you keep it elsewhere.")
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Start syncing"))
        self.pickers: dict[str, PathPicker] = {}
        self.form = QFormLayout()
        self.empty_note = explanation(self.tr("Your vault has no folders yet. Add them in Settings on any laptop."))
        column = QVBoxLayout(self)
        column.addLayout(self.form)
        column.addWidget(self.empty_note)
        column.addSpacing(12)
        column.addWidget(
            explanation(
                self.tr(
                    "memtray makes any folder that does not exist yet. If this laptop already has a memory "
                    "file there, nothing is lost: memtray keeps both texts."
                )
            )
        )
        column.addStretch(1)
        column.addWidget(self.status)

    def initializePage(self) -> None:
        for folder in self.state.joined_folders:
            if folder.name in self.pickers:
                continue
            picker = PathPicker(folder.path or suggested_path(folder.name, self.state.user_home))
            picker.changed.connect(lambda _text: self.completeChanged.emit())
            self.pickers[folder.name] = picker
            label = QLabel(folder.name + ":")
            label.setBuddy(picker.line)
            self.form.addRow(label, picker)
        self.empty_note.setVisible(not self.pickers)

    def ready(self) -> bool:
        return all(picker.path() for picker in self.pickers.values())

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for picker in self.pickers.values():
            picker.setEnabled(enabled)

    def start_work(self) -> None:
        places = {name: picker.path() for name, picker in self.pickers.items()}

        def work(service: Service) -> None:
            for name, path in places.items():
                service.map_folder(name, path)

        self.run(self.tr("Saving…"), work, lambda _result: None)


class FirstSyncPage(WorkingPage):
    """Runs the first sync as soon as it appears; Finish is enabled once it is done."""

    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self.setTitle(self.tr("Bringing your files over"))
        self.setSubTitle(self.tr("memtray is copying your memory files to this laptop."))
        self.setFinalPage(True)
        self.advance_when_done = False
        self.relay = ProgressRelay(self)
        self.relay.progressed.connect(self.show_progress)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.places = QLabel()
        self.places.setWordWrap(True)
        self.retry_button = QPushButton(self.tr("&Try again"))
        self.retry_button.hide()
        self.next_steps = explanation(
            self.tr(
                "memtray now lives in the tray next to the clock. Click its icon to sync at once; "
                "right-click it for settings, recent activity and your folders."
            )
        )
        self.next_steps.hide()
        column = QVBoxLayout(self)
        column.addWidget(self.status)
        column.addWidget(self.summary)
        column.addWidget(self.places)
        column.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)
        column.addWidget(self.next_steps)
        self.retry_button.clicked.connect(self.start_work)

    def initializePage(self) -> None:
        if not self.finished_work and not self.busy:
            self.start_work()

    def ready(self) -> bool:
        return self.finished_work

    def validatePage(self) -> bool:
        return self.finished_work

    def start_work(self) -> None:
        self.retry_button.hide()
        relay = self.relay

        def work(service: Service) -> tuple[SyncResult, list[FolderInfo]]:
            return service.sync(progress=relay.report), service.folders()

        self.run(self.tr("Syncing…"), work, self._synced)

    def _synced(self, outcome: tuple[SyncResult, list[FolderInfo]]) -> None:
        result, folders = outcome
        self.state.sync_result = result
        self.summary.setText(
            self.tr("<b>All done.</b> {summary} memtray keeps this laptop in sync from now on.").format(
                summary=result.summary()
            )
        )
        lines = [f"• {folder.name}: {home_relative(folder.path or '')}" for folder in folders]
        self.places.setText("\n".join([self.tr("Your folders on this laptop:"), *lines]))
        self.next_steps.show()

    def _failed(self, error: MemtrayError) -> None:
        super()._failed(error)
        self.retry_button.show()
        self.retry_button.setEnabled(True)
