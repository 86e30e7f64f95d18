"""Join: setup code (or shared folder) and passphrase, where each folder goes here, then the first sync."""

from __future__ import annotations

from collections.abc import Callable
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

from memtray.clouddrives import detect_cloud_drives, storage_folder_in
from memtray.errors import MemtrayError, StorageNotFoundError
from memtray.hubs import hub_kind
from memtray.model import FolderInfo, JoinResult, SyncResult
from memtray.presets import SESSIONS_FOLDER, suggested_path
from memtray.service.setupcode import ShortCode, join_target
from memtray.ui.notify import sync_sentence
from memtray.ui.widgets import PathPicker, explanation, home_relative, password_line
from memtray.ui.wizard.base import PAGE_PLACES, ProgressRelay, WizardState, WorkingPage

if TYPE_CHECKING:
    from memtray.service import Service


class JoinPage(WorkingPage):
    """The setup code (short or full) or the shared folder, and the passphrase. A short code names the synced memory,
    not a folder: memtray looks for its storage in this laptop's cloud drives, and asks where it is only if it finds
    it in none. A WebDAV or S3 storage also needs its password, which no setup code carries."""

    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self.setTitle(self.tr("Join from another laptop"))
        self.setSubTitle(self.tr("On your other laptop, click memtray in the tray and choose “Add a laptop…”."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Join"))
        self.code_choice = QRadioButton(self.tr("I have a &setup code"))
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(self.tr("Type or paste the code your other laptop shows"))
        self.folder_choice = QRadioButton(self.tr("My laptops share a &folder (no code needed)"))
        self.folder_picker = PathPicker("", self.tr("Choose the folder your laptops share"))
        self.storage_question = QWidget()
        self.storage_hint = explanation("")
        self.storage_picker = PathPicker("", self.tr("Choose the memtray folder your other laptop uses"))
        self.key_id_edit = QLineEdit()
        self.server_password = password_line()
        self.server_form = QWidget()
        self.passphrase = password_line()
        self.code_choice.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.code_choice)
        group.addButton(self.folder_choice)
        question = QVBoxLayout(self.storage_question)
        question.setContentsMargins(26, 0, 0, 0)
        question_label = QLabel(self.tr("<b>Where is the memtray folder your other laptop uses?</b>"))
        question_label.setBuddy(self.storage_picker.line)
        question.addWidget(question_label)
        question.addWidget(self.storage_hint)
        question.addWidget(self.storage_picker)
        self.storage_question.hide()
        self.server_rows = QFormLayout(self.server_form)
        self.server_rows.setContentsMargins(26, 0, 0, 0)
        self.server_rows.addRow(self.tr("Access &key ID:"), self.key_id_edit)
        self.server_password_label = QLabel(self.tr("Server pass&word:"))
        self.server_password_label.setBuddy(self.server_password)
        self.server_rows.addRow(self.server_password_label, self.server_password)
        self.server_form.hide()
        passphrase_form = QWidget()
        form = QFormLayout(passphrase_form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("&Passphrase:"), self.passphrase)
        form.addRow("", explanation(self.tr("The passphrase you chose on your first laptop.")))
        column = QVBoxLayout(self)
        column.addWidget(self.code_choice)
        column.addWidget(_indented(self.code_edit))
        column.addWidget(self.storage_question)
        column.addWidget(self.server_form)
        column.addSpacing(6)
        column.addWidget(self.folder_choice)
        column.addWidget(_indented(self.folder_picker))
        column.addSpacing(12)
        column.addWidget(passphrase_form)
        column.addStretch(1)
        column.addWidget(self.status)
        group.buttonToggled.connect(self._changed)
        self.code_edit.textChanged.connect(self._code_changed)
        for signal in (
            self.folder_picker.changed,
            self.passphrase.textChanged,
            self.key_id_edit.textChanged,
            self.server_password.textChanged,
        ):
            signal.connect(self._changed)
        self._changed()

    def initializePage(self) -> None:
        drives = detect_cloud_drives(self.state.user_home)
        if drives and not self.folder_picker.path():
            self.folder_picker.set_path(storage_folder_in(drives[0].path))

    def _code_changed(self, text: str) -> None:
        """Another code: forget the folder question, and ask for the storage's password if its kind needs one."""
        self.storage_question.hide()
        self.storage_picker.set_path("")
        kind = _storage_kind(text)
        self.server_form.setVisible(kind in ("webdav", "s3", "git"))  # git: the repository's access token
        self.server_rows.setRowVisible(self.key_id_edit, kind == "s3")
        self.server_password_label.setText(
            self.tr("Repository access to&ken:") if kind == "git" else self.tr("Server pass&word:")
        )
        self._changed()

    def _changed(self, *_: object) -> None:
        self.code_edit.setEnabled(self.code_choice.isChecked())
        self.storage_question.setEnabled(self.code_choice.isChecked())
        self.server_form.setEnabled(self.code_choice.isChecked())
        self.folder_picker.setEnabled(self.folder_choice.isChecked())
        self.completeChanged.emit()

    def _where(self) -> str:
        """The setup code, or the shared hub folder when the person chose that instead."""
        return self.code_edit.text().strip() if self.code_choice.isChecked() else self.folder_picker.path()

    def _server_secret(self) -> str | None:
        """The storage's password (for S3: key ID and secret), when the code is for a WebDAV or S3 storage."""
        if not self.code_choice.isChecked() or self.server_form.isHidden():
            return None
        if not self.server_rows.isRowVisible(self.key_id_edit):
            return self.server_password.text()
        return f"{self.key_id_edit.text().strip()}:{self.server_password.text()}"

    def ready(self) -> bool:
        secret = self._server_secret()
        return bool(self._where() and self.passphrase.text()) and (secret is None or secret.strip(":") != "")

    def _set_inputs_enabled(self, enabled: bool) -> None:
        super()._set_inputs_enabled(enabled)
        if enabled:
            self._changed()

    def start_work(self) -> None:
        where, passphrase, secret = self._where(), self.passphrase.text(), self._server_secret()
        asked = self.code_choice.isChecked() and not self.storage_question.isHidden()
        folder = self.storage_picker.path() if asked else ""
        name = self.state.laptop_name or None

        def work(service: Service) -> JoinResult:
            return service.join(
                where,
                passphrase,
                device_name=name,
                hub_secret=secret,
                storage_folder=folder or None,
            )

        self.run(self.tr("Unlocking your synced memory…"), work, self._joined)

    def _failed(self, error: MemtrayError) -> None:
        super()._failed(error)
        if isinstance(error, StorageNotFoundError):
            self.status.clear()
            self.storage_hint.setText(error.message)
            self.storage_question.show()
            self.storage_picker.setFocus()

    def _joined(self, result: JoinResult) -> None:
        self.state.joined_folders = result.folders
        self.state.vault_ready = True
        self.passphrase.clear()
        self.server_password.clear()

    def nextId(self) -> int:
        return PAGE_PLACES


def _storage_kind(text: str) -> str | None:
    """The kind of storage a typed setup code is for ("folder" for a short code); None while it is not a code."""
    try:
        code = join_target(text)
        if isinstance(code, ShortCode):
            return "folder"
        return hub_kind(code.hub_url) if code.vault_id else None
    except MemtrayError:
        return None


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
        self.empty_note = explanation(
            self.tr("Your synced memory has no folders yet. Add them in Settings on any laptop.")
        )
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
            if folder.name in self.pickers or folder.name == SESSIONS_FOLDER:  # memtray places it (opt-in)
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

    def leave(self, then: Callable[[], None]) -> None:
        """Cancel after the join: this laptop leaves the synced memory again (``Service.cancel_join``), then ``then``.

        Nothing had a place on this laptop yet, so no file was written or sent; nothing syncs afterwards."""
        self.busy = True
        self._set_cancel_enabled(False)
        self._set_inputs_enabled(False)
        self.status.busy(self.tr("Cancelling…"))
        self.completeChanged.emit()
        self.state.client.call(lambda service: service.cancel_join(), lambda _result: self._left(then), self._failed)

    def _left(self, then: Callable[[], None]) -> None:
        self.busy = False
        self.state.vault_ready = False
        self.state.joined_folders = ()
        self.status.clear()
        then()


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
                summary=sync_sentence(result)
            )
        )
        lines = [f"• {folder.name}: {home_relative(folder.path or '')}" for folder in folders]
        self.places.setText("\n".join([self.tr("Your folders on this laptop:"), *lines]))
        self.next_steps.show()

    def _failed(self, error: MemtrayError) -> None:
        super()._failed(error)
        self.retry_button.show()
        self.retry_button.setEnabled(True)
