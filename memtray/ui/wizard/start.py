"""First page: start a new vault or join one from another laptop."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QGroupBox, QLabel, QRadioButton, QVBoxLayout, QWizardPage

from memtray.ui.widgets import explanation
from memtray.ui.wizard.base import PAGE_HUB, PAGE_JOIN, WizardState


class StartPage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle(self.tr("Welcome to memtray"))
        self.setSubTitle(self.tr("memtray keeps your AI assistants' memory the same on all your laptops."))
        self.new_choice = QRadioButton(self.tr("&Start a new vault — this is my first laptop with memtray"))
        self.join_choice = QRadioButton(self.tr("&Join from another laptop — memtray already runs on one of them"))
        self.new_choice.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.new_choice)
        group.addButton(self.join_choice)
        column = QVBoxLayout(self)
        column.addWidget(self.new_choice)
        column.addWidget(
            _indented(
                explanation(
                    self.tr("Your memory files go into a new encrypted vault that your other laptops can join.")
                )
            )
        )
        column.addSpacing(8)
        column.addWidget(self.join_choice)
        column.addWidget(
            _indented(explanation(self.tr("You will need the setup code from the other laptop (Settings → Security).")))
        )
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

    def nextId(self) -> int:
        self.state.joining = self.join_choice.isChecked()
        return PAGE_JOIN if self.state.joining else PAGE_HUB


def _indented(label: QLabel) -> QLabel:
    label.setContentsMargins(26, 0, 0, 0)
    return label
