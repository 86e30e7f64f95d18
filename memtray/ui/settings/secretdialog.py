"""A secret shown once in its own dialog (a new recovery key, a setup code); closing it forgets it."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from memtray.ui.widgets import SecretBox, explanation, heading


class SecretDialog(QDialog):
    def __init__(
        self, title: str, text: str, secret: str, file_name: str, lines: int = 2, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.box = SecretBox(file_name, lines)
        self.box.set_secret(secret)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(heading(title))
        column.addWidget(explanation(text))
        column.addWidget(self.box)
        column.addWidget(buttons)
        self.setMinimumWidth(620)
        self.finished.connect(lambda _result: self.box.set_secret(""))
