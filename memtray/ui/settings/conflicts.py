"""Conflicts: the two texts side by side and a button under each to keep it."""

from __future__ import annotations

import difflib
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError
from memtray.model import ConflictInfo
from memtray.ui.client import ServiceClient
from memtray.ui.widgets import StatusLine, explanation, fit_columns, relative_time, select_first

DIFFERENT_LINE_COLOR = "#fff1b8"


def _highlight(edit: QPlainTextEdit, lines: list[int]) -> None:
    selections = []
    for number in lines:
        selection = QTextEdit.ExtraSelection()
        selection.format.setBackground(QColor(DIFFERENT_LINE_COLOR))
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        selection.cursor = QTextCursor(edit.document().findBlockByNumber(number))
        selections.append(selection)
    edit.setExtraSelections(selections)


def mark_differences(left: QPlainTextEdit, right: QPlainTextEdit) -> None:
    """Tint the lines where the two texts differ, so the person sees at once what is at stake."""
    a, b = left.toPlainText().splitlines(), right.toPlainText().splitlines()
    left_lines: list[int] = []
    right_lines: list[int] = []
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            left_lines += range(a1, a2)
            right_lines += range(b1, b2)
    _highlight(left, left_lines)
    _highlight(right, right_lines)


class ConflictsPane(QWidget):
    """Open conflicts; choosing one shows both texts, and a click keeps one of them."""

    resolved = Signal()
    counted = Signal(int)

    def __init__(self, client: ServiceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._conflicts: list[ConflictInfo] = []
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("File"), self.tr("Other laptop"), self.tr("When")])
        self.tree.setRootIsDecorated(False)
        fit_columns(self.tree)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setMaximumHeight(self.tree.fontMetrics().lineSpacing() * 6 + 20)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.current_label = QLabel(self.tr("On this laptop now"))
        self.other_label = QLabel()
        self.current_text = QPlainTextEdit()
        self.other_text = QPlainTextEdit()
        for edit in (self.current_text, self.other_text):
            edit.setReadOnly(True)
            edit.setFont(fixed)
            edit.setTabChangesFocus(True)
            edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.keep_current_button = QPushButton(self.tr("Keep &this laptop's text"))
        self.keep_other_button = QPushButton(self.tr("Keep the &other text"))
        self.status = StatusLine()
        grid = QGridLayout()
        grid.addWidget(self.current_label, 0, 0)
        grid.addWidget(self.other_label, 0, 1)
        grid.addWidget(self.current_text, 1, 0)
        grid.addWidget(self.other_text, 1, 1)
        grid.addWidget(self.keep_current_button, 2, 0)
        grid.addWidget(self.keep_other_button, 2, 1)
        column = QVBoxLayout(self)
        column.addWidget(
            explanation(self.tr("Two laptops changed the same lines. Look at both texts and keep the right one."))
        )
        column.addWidget(self.tree)
        column.addLayout(grid, 1)
        column.addWidget(self.status)
        self.tree.currentItemChanged.connect(lambda *_: self._load_texts())
        self.keep_current_button.clicked.connect(lambda: self.resolve("current"))
        self.keep_other_button.clicked.connect(lambda: self.resolve("other"))
        self._set_buttons(False)

    def refresh(self) -> None:
        self._client.call(lambda service: service.history.conflicts(), self._show, self.status.error)

    def _show(self, conflicts: object) -> None:
        assert isinstance(conflicts, list)
        self._conflicts = [c for c in conflicts if not c.resolved]
        self.counted.emit(len(self._conflicts))
        self.tree.clear()
        for conflict in self._conflicts:
            item = QTreeWidgetItem(
                [f"{conflict.folder} / {conflict.path}", conflict.other_device, relative_time(conflict.time)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, conflict.conflict_id)
            self.tree.addTopLevelItem(item)
        if self._conflicts:
            select_first(self.tree)
        else:
            self.tree.addTopLevelItem(QTreeWidgetItem([self.tr("No conflicts. Everything agrees."), "", ""]))
        self._load_texts()

    def selected(self) -> ConflictInfo | None:
        item = self.tree.currentItem()
        conflict_id = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((c for c in self._conflicts if c.conflict_id == conflict_id), None)

    def _load_texts(self) -> None:
        conflict = self.selected()
        self.current_text.clear()
        self.other_text.clear()
        self._set_buttons(False)
        if conflict is None:
            self.other_label.setText(self.tr("The other laptop's text"))
            return
        when = time.strftime("%d %b %H:%M", time.localtime(conflict.time))
        self.other_label.setText(self.tr("From {device} ({when})").format(device=conflict.other_device, when=when))
        self._client.call(
            lambda service: service.history.conflict_texts(conflict.conflict_id),
            lambda texts: self._show_texts(conflict.conflict_id, texts),
            self.status.error,
        )

    def _show_texts(self, conflict_id: int, texts: object) -> None:
        current = self.selected()
        if current is None or current.conflict_id != conflict_id or not isinstance(texts, tuple):
            return
        self.current_text.setPlainText(texts[0])
        self.other_text.setPlainText(texts[1])
        mark_differences(self.current_text, self.other_text)
        self._set_buttons(True)

    def _set_buttons(self, enabled: bool) -> None:
        self.keep_current_button.setEnabled(enabled)
        self.keep_other_button.setEnabled(enabled)

    def resolve(self, keep: str) -> None:
        conflict = self.selected()
        if conflict is None:
            return
        self._set_buttons(False)
        self.status.busy(self.tr("Saving your choice…"))

        def done(_result: object) -> None:
            self.status.success(self.tr("Done. Every laptop will get the text you kept."))
            self.refresh()
            self.resolved.emit()

        def failed(error: MemtrayError) -> None:
            self._set_buttons(True)
            self.status.error(error)

        conflict_id = conflict.conflict_id
        self._client.call(
            lambda service: service.history.resolve_conflict(conflict_id, keep), done, failed, refresh=True
        )
