"""New vault, step 1: where the laptops meet — a cloud-drive folder, another folder, or a memtray server."""

from __future__ import annotations

import itertools

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from memtray.presets import CloudDrive, detect_cloud_drives, hub_folder_in
from memtray.ui.widgets import PathPicker, explanation, home_relative
from memtray.ui.wizard.base import PAGE_PRESETS, WizardState


def _indented(widget: QWidget) -> QWidget:
    widget.setContentsMargins(26, 0, 0, 0)
    return widget


class HubPage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle(self.tr("Where should your laptops meet?"))
        self.setSubTitle(self.tr("memtray keeps encrypted copies in one place that all your laptops can reach."))
        self.group = QButtonGroup(self)
        self.column = QVBoxLayout(self)
        self.drive_choices: list[tuple[QRadioButton, CloudDrive]] = []
        self.folder_choice = QRadioButton(self.tr("Another &folder (a shared or network folder, a USB stick)"))
        self.folder_picker = PathPicker("", self.tr("Choose the folder your laptops share"))
        self.server_choice = QRadioButton(self.tr("A memtray hub on a &server"))
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://hub.example.com")
        self.invite_edit = QLineEdit()
        self.invite_edit.setPlaceholderText(self.tr("From whoever runs the hub"))
        self.insecure_box = QCheckBox(self.tr("Allow plain &http (only on my own network)"))
        self.server_fields = QWidget()
        server_form = QFormLayout(self.server_fields)
        server_form.setContentsMargins(26, 0, 0, 0)
        server_form.addRow(self.tr("Hub &address:"), self.url_edit)
        server_form.addRow(self.tr("&Invite code:"), self.invite_edit)
        server_form.addRow("", self.insecure_box)
        self._drives_added = False
        for widget in (self.folder_choice, self.server_choice):
            self.group.addButton(widget)
        self.group.buttonToggled.connect(self._changed)
        for signal in (self.folder_picker.changed, self.url_edit.textChanged, self.invite_edit.textChanged):
            signal.connect(self._changed)

    def initializePage(self) -> None:
        if self._drives_added:
            return
        self._drives_added = True
        drives = detect_cloud_drives(self.state.user_home)
        if drives:
            self.column.addWidget(QLabel(self.tr("Folders your cloud drive already copies between laptops:")))
        for drive in drives:
            choice = QRadioButton(self.tr("Your &{service} folder").format(service=drive.label))
            self.group.addButton(choice)
            self.drive_choices.append((choice, drive))
            self.column.addWidget(choice)
            self.column.addWidget(_indented(explanation(home_relative(hub_folder_in(drive)))))
        self.column.addSpacing(6)
        self.column.addWidget(self.folder_choice)
        self.column.addWidget(_indented(self.folder_picker))
        self.column.addSpacing(6)
        self.column.addWidget(self.server_choice)
        self.column.addWidget(self.server_fields)
        self.column.addStretch(1)
        first = self.drive_choices[0][0] if self.drive_choices else self.folder_choice
        first.setChecked(True)
        order: list[QWidget] = [choice for choice, _ in self.drive_choices]
        order += [self.folder_choice, self.folder_picker.line, self.folder_picker.browse, self.server_choice]
        order += [self.url_edit, self.invite_edit, self.insecure_box]
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)
        self._changed()

    def _changed(self, *_: object) -> None:
        self.folder_picker.setEnabled(self.folder_choice.isChecked())
        self.server_fields.setEnabled(self.server_choice.isChecked())
        self.insecure_box.setVisible(self.url_edit.text().strip().lower().startswith("http://"))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        if self.server_choice.isChecked():
            return bool(self.url_edit.text().strip() and self.invite_edit.text().strip())
        if self.folder_choice.isChecked():
            return bool(self.folder_picker.path())
        return any(choice.isChecked() for choice, _ in self.drive_choices)

    def validatePage(self) -> bool:
        self.state.invite = None
        self.state.allow_insecure_http = False
        if self.server_choice.isChecked():
            self.state.hub_url = self.url_edit.text().strip()
            self.state.invite = self.invite_edit.text().strip()
            self.state.allow_insecure_http = self.insecure_box.isChecked()
        elif self.folder_choice.isChecked():
            self.state.hub_url = self.folder_picker.path()
        else:
            drive = next(drive for choice, drive in self.drive_choices if choice.isChecked())
            self.state.hub_url = str(hub_folder_in(drive))
        return True

    def nextId(self) -> int:
        return PAGE_PRESETS
