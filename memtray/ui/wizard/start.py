"""First page: start new synced memory or join it from another laptop; this laptop's name and start at sign-in.

The name is filled in with one a person recognises (``memtray.laptop_name``: "Alice's MacBook Air"), and "Start
memtray when I sign in" is ticked; both are the person's to change, and both apply in either flow.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWizardPage,
)

from memtray.errors import UsageError
from memtray.laptop_name import MAX_NAME, clean_laptop_name
from memtray.ui.widgets import explanation
from memtray.ui.wizard.base import PAGE_HUB, PAGE_JOIN, WizardState


class StartPage(QWizardPage):
    def __init__(self, state: WizardState, laptop_name: str) -> None:
        super().__init__()
        self.state = state
        self.setTitle(self.tr("Welcome to memtray"))
        self.setSubTitle(self.tr("memtray keeps your AI assistants' memory the same on all your laptops."))
        self.new_choice = QRadioButton(self.tr("&Start fresh — this is my first laptop with memtray"))
        self.join_choice = QRadioButton(self.tr("&Join from another laptop — memtray already runs on one of them"))
        self.new_choice.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.new_choice)
        group.addButton(self.join_choice)
        self.name_edit = QLineEdit(laptop_name)
        self.name_edit.setMaxLength(MAX_NAME)
        self.start_at_login_box = QCheckBox(self.tr("Start &memtray when I sign in"))
        self.start_at_login_box.setChecked(state.start_at_login)
        column = QVBoxLayout(self)
        column.addWidget(self.new_choice)
        column.addWidget(
            _indented(explanation(self.tr("memtray keeps your memory files in sync from this laptop on.")))
        )
        column.addSpacing(8)
        column.addWidget(self.join_choice)
        column.addWidget(
            _indented(
                explanation(self.tr("You need the setup code: on the other laptop, choose “Add a laptop…” in memtray."))
            )
        )
        column.addSpacing(8)
        column.addWidget(self._this_laptop())
        column.addStretch(1)
        how = QGroupBox(self.tr("How memtray works"))
        how_column = QVBoxLayout(how)
        for line in (
            self.tr("• Your memory files stay exactly where your AI tools expect them."),
            self.tr("• Changes travel encrypted through a place all your laptops can reach, like a Dropbox folder."),
            self.tr("• You choose one passphrase. memtray keeps it in this computer's keychain."),
        ):
            how_column.addWidget(explanation(line))
        column.addWidget(how)
        self.name_edit.textChanged.connect(lambda _text: self.completeChanged.emit())

    def _this_laptop(self) -> QGroupBox:
        box = QGroupBox(self.tr("This laptop"))
        form = QFormLayout(box)
        label = QLabel(self.tr("&Laptop name:"))
        label.setBuddy(self.name_edit)
        form.addRow(label, self.name_edit)
        form.addRow("", explanation(self.tr("Your other laptops list this one by its name. You can change it later.")))
        form.addRow(self.start_at_login_box)
        return box

    def laptop_name(self) -> str:
        """The name as typed, tidied; "" while it has nothing to read."""
        try:
            return clean_laptop_name(self.name_edit.text())
        except UsageError:
            return ""

    def isComplete(self) -> bool:
        return bool(self.laptop_name())

    def validatePage(self) -> bool:
        self.state.laptop_name = self.laptop_name()
        self.state.start_at_login = self.start_at_login_box.isChecked()
        return True

    def nextId(self) -> int:
        self.state.joining = self.join_choice.isChecked()
        return PAGE_JOIN if self.state.joining else PAGE_HUB


def _indented(label: QLabel) -> QLabel:
    label.setContentsMargins(26, 0, 0, 0)
    return label
