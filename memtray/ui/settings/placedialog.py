"""A small dialog that asks where a folder lives on this laptop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from memtray.ui.widgets import PathPicker, explanation, heading


class PlaceDialog(QDialog):
    """Title, one sentence, a pre-filled folder path and OK/Cancel."""

    def __init__(self, title: str, text: str, path: Path | str, ok_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.picker = PathPicker(path, title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.addButton(ok_label, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.picker.changed.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.ok_button.setEnabled(bool(self.picker.path()))
        column = QVBoxLayout(self)
        column.addWidget(heading(title))
        column.addWidget(explanation(text))
        column.addWidget(self.picker)
        column.addStretch(1)
        column.addWidget(buttons)
        self.setMinimumWidth(560)

    def path(self) -> str:
        return self.picker.path()
