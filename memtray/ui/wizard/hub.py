"""New synced memory, step 1: the storage — a cloud-drive folder, another folder, a memtray server, WebDAV, S3 or a
private git repository (GitHub, GitLab, Gitea).

A cloud drive never gets memtray's files at its top: the storage is its ``memtray`` folder (memtray.clouddrives),
also when the person picks the drive's folder itself; a folder that already holds a storage is used as it is.
Only the chosen server's fields show; WebDAV, S3 and git can be tested before going on.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from memtray.clouddrives import CloudDrive, detect_cloud_drives, holds_storage, storage_folder_for, storage_folder_in
from memtray.ui.widgets import PathPicker, explanation, fill_with_scrolling, home_relative
from memtray.ui.wizard.base import PAGE_PRESETS, WizardState
from memtray.ui.wizard.git_form import GitRepoForm
from memtray.ui.wizard.server_forms import (
    MemtrayServerForm,
    S3Form,
    ServerForm,
    StorageChoice,
    WebDavForm,
    is_plain_http,
)

INDENT = 26
# Letters the wizard's buttons (English, and German: "&Weiter", "< &Zurück") and the fixed choices already use.
TAKEN_LETTERS = frozenset("nbwzfmv3gdaepuocriksth")


def _indented(widget: QWidget) -> QWidget:
    widget.setContentsMargins(INDENT, 0, 0, 0)
    return widget


def with_mnemonic(text: str, taken: set[str]) -> str:
    """``text`` with an ``&`` before its first letter not in ``taken`` (which it then joins)."""
    for index, char in enumerate(text):
        if char.isalnum() and char.lower() not in taken:
            taken.add(char.lower())
            return text[:index] + "&" + text[index:]
    return text


class HubPage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle(self.tr("Where should memtray keep the encrypted copy?"))
        self.setSubTitle(
            self.tr("Every laptop sends to and reads from this storage. It only ever holds encrypted data.")
        )
        self.group = QButtonGroup(self)
        choices = QWidget()
        self.column = QVBoxLayout(choices)
        self.column.setContentsMargins(0, 0, 0, 0)
        fill_with_scrolling(self, choices)  # an opened storage form shows its help and test result at full height
        self.drive_choices: list[tuple[QRadioButton, CloudDrive]] = []
        self.folder_choice = QRadioButton(self.tr("Another &folder your laptops share (a network folder, a USB stick)"))
        self.folder_picker = PathPicker("", self.tr("Choose the folder your laptops share"))
        self.folder_note = explanation("")
        self.insecure_box = QCheckBox(self.tr("Allow plain &http (only on my own network)"))
        self.server_choice = QRadioButton(self.tr("A &memtray server"))
        self.server_form = MemtrayServerForm(self.insecure_box)
        self.webdav_choice = QRadioButton(self.tr("A WebDA&V server (Nextcloud, ownCloud and others)"))
        self.webdav_form = WebDavForm(self.insecure_box, state.client)
        self.s3_choice = QRadioButton(self.tr("An S&3 bucket (Amazon S3, MinIO, Cloudflare R2, Backblaze B2)"))
        self.s3_form = S3Form(self.insecure_box, state.client)
        self.git_choice = QRadioButton(self.tr("A private &GitHub/GitLab repository"))
        self.git_form = GitRepoForm(self.insecure_box, state.client)
        self.forms: dict[QRadioButton, ServerForm] = {
            self.server_choice: self.server_form,
            self.webdav_choice: self.webdav_form,
            self.s3_choice: self.s3_form,
            self.git_choice: self.git_form,
        }
        self._drives: list[CloudDrive] = []
        self._drives_added = False
        for choice in (self.folder_choice, *self.forms):
            self.group.addButton(choice)
        self.group.buttonToggled.connect(self._changed)
        self.folder_picker.changed.connect(self._changed)
        for form in self.forms.values():
            form.changed.connect(self._changed)

    def initializePage(self) -> None:
        if self._drives_added:
            return
        self._drives_added = True
        self._drives = detect_cloud_drives(self.state.user_home)
        if self._drives:
            self.column.addWidget(QLabel(self.tr("Folders your cloud drive already copies between laptops:")))
        taken = set(TAKEN_LETTERS)
        for drive in self._drives:
            service = with_mnemonic(drive.label, taken)
            choice = QRadioButton(self.tr("Your {service} folder").format(service=service))
            self.group.addButton(choice)
            self.drive_choices.append((choice, drive))
            self.column.addWidget(choice)
            self.column.addWidget(_indented(explanation(home_relative(storage_folder_in(drive.path)))))
        self.column.addSpacing(6)
        self.column.addWidget(self.folder_choice)
        self.column.addWidget(_indented(self.folder_picker))
        self.column.addWidget(_indented(self.folder_note))
        for choice, form in self.forms.items():
            self.column.addSpacing(6)
            self.column.addWidget(choice)
            self.column.addWidget(form)
        self.column.addWidget(_indented(self.insecure_box))
        self.column.addStretch(1)
        first = self.drive_choices[0][0] if self.drive_choices else self.folder_choice
        first.setChecked(True)
        order: list[QWidget] = [choice for choice, _ in self.drive_choices]
        order += [self.folder_choice, self.folder_picker.line, self.folder_picker.browse]
        for choice, form in self.forms.items():
            order += [choice, *form.findChildren(QWidget)]
        order.append(self.insecure_box)
        focusable = [widget for widget in order if widget.focusPolicy() != Qt.FocusPolicy.NoFocus]
        for before, after in itertools.pairwise(focusable):
            QWidget.setTabOrder(before, after)
        self._changed()

    def _chosen_form(self) -> ServerForm | None:
        return next((form for choice, form in self.forms.items() if choice.isChecked()), None)

    def _changed(self, *_: object) -> None:
        self.folder_picker.setEnabled(self.folder_choice.isChecked())
        self.folder_note.setText(self._folder_note())
        self.folder_note.setVisible(self.folder_choice.isChecked() and bool(self.folder_note.text()))
        chosen = self._chosen_form()
        for form in self.forms.values():
            form.setVisible(form is chosen)
        self.insecure_box.setVisible(chosen is not None and is_plain_http(chosen.http_address()))
        self.completeChanged.emit()

    def _folder_note(self) -> str:
        picked = self.folder_picker.path()
        if not picked:
            return ""
        folder = Path(picked)
        if holds_storage(folder):
            return self.tr("This folder already holds synced memory. To use it, go back and choose to join.")
        storage = storage_folder_for(folder, self._drives)
        if storage != folder:
            return self.tr("memtray keeps its files in {folder}, out of the way of yours.").format(
                folder=home_relative(storage)
            )
        return ""

    def isComplete(self) -> bool:
        chosen = self._chosen_form()
        if chosen is not None:
            return chosen.filled() and (not is_plain_http(chosen.http_address()) or self.insecure_box.isChecked())
        if self.folder_choice.isChecked():
            return bool(self.folder_picker.path())
        return any(choice.isChecked() for choice, _ in self.drive_choices)

    def choice(self) -> StorageChoice:
        """Where the person chose to keep the storage, as ``Service.init`` takes it."""
        chosen = self._chosen_form()
        if chosen is not None:
            return chosen.choice()
        if self.folder_choice.isChecked():
            return StorageChoice(str(storage_folder_for(Path(self.folder_picker.path()), self._drives)))
        drive = next(drive for choice, drive in self.drive_choices if choice.isChecked())
        return StorageChoice(str(storage_folder_in(drive.path)))

    def validatePage(self) -> bool:
        choice = self.choice()
        self.state.hub_url = choice.url
        self.state.invite = choice.invite
        self.state.hub_secret = choice.secret
        self.state.allow_insecure_http = choice.allow_insecure_http
        return True

    def nextId(self) -> int:
        return PAGE_PRESETS
