"""Conflicts: the text in the file and the text set aside, side by side, and one button for each way out.

What the pane promises, and keeps:
- The left pane is exactly what the file holds now, the right pane exactly what was set aside; their labels say
  which laptop each came from, in the words the service gives (``ConflictTexts.kept_from`` / ``other_from``).
- Each button names what it keeps in the same words, and writes exactly that text: "Keep the text in the
  file" (left pane), "Keep <laptop>'s text" (right pane), "Keep both" (the combined text), "Edit, then keep"
  (a text box that starts from the combined text; what it holds when Save is pressed is what is written).
- A "✔ Done" or a refusal stays only until the list changes or another conflict is chosen.
- The list is read again after every sync, so a conflict resolved on another laptop goes away here too.
"""

from __future__ import annotations

import difflib

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError
from memtray.model import ConflictInfo, ConflictTexts
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


def _fixed_text_box(read_only: bool) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setReadOnly(read_only)
    edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    edit.setTabChangesFocus(True)
    edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return edit


class ConflictsPane(QWidget):
    """Open conflicts; choosing one shows both texts, and a button writes the text it names."""

    resolved = Signal()
    counted = Signal(int)

    def __init__(self, client: ServiceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._conflicts: list[ConflictInfo] = []
        self._shown_ids: tuple[int, ...] | None = None
        self._texts: ConflictTexts | None = None
        self._filling = False
        self._just_resolved: int | None = None
        self._saving = False
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(
            [self.tr("File"), self.tr("Set aside, from"), self.tr("In the file, from"), self.tr("When")]
        )
        self.tree.setRootIsDecorated(False)
        fit_columns(self.tree)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setMaximumHeight(self.tree.fontMetrics().lineSpacing() * 6 + 20)
        self.kept_label = QLabel()
        self.other_label = QLabel()
        self.kept_text = _fixed_text_box(read_only=True)
        self.other_text = _fixed_text_box(read_only=True)
        self.kept_label.setBuddy(self.kept_text)
        self.other_label.setBuddy(self.other_text)
        self.keep_kept_button = QPushButton(self.tr("&Keep the text in the file"))
        self.keep_other_button = QPushButton()
        self.keep_both_button = QPushButton(self.tr("Keep b&oth"))
        self.keep_both_button.setToolTip(self.tr("Both texts in one file; a line both have appears once."))
        self.edit_button = QPushButton(self.tr("Ed&it, then keep"))
        self.editor_label = QLabel()
        self.editor_label.setWordWrap(True)
        self.editor = _fixed_text_box(read_only=False)
        self.editor_label.setBuddy(self.editor)
        self.save_button = QPushButton(self.tr("&Save"))
        self.cancel_button = QPushButton(self.tr("Cance&l"))
        self.status = StatusLine()
        self.pages = QStackedWidget()
        self.pages.addWidget(self._choice_page())
        self.pages.addWidget(self._editor_page())
        column = QVBoxLayout(self)
        column.addWidget(
            explanation(self.tr("Two laptops changed the same lines. Look at both texts and keep the right one."))
        )
        column.addWidget(self.tree)
        column.addWidget(self.pages, 1)
        column.addWidget(self.status)
        self.tree.currentItemChanged.connect(lambda *_: self._chosen_by_person())
        self.keep_kept_button.clicked.connect(lambda: self.resolve("kept"))
        self.keep_other_button.clicked.connect(lambda: self.resolve("other"))
        self.keep_both_button.clicked.connect(lambda: self.resolve("both"))
        self.edit_button.clicked.connect(self.start_editing)
        self.save_button.clicked.connect(lambda: self.resolve("edited", self.editor.toPlainText()))
        self.cancel_button.clicked.connect(self.stop_editing)
        client.snapshot_changed.connect(self._after_snapshot)
        self._show_texts_of(None)

    def _choice_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.kept_label, 0, 0)
        grid.addWidget(self.other_label, 0, 1)
        grid.addWidget(self.kept_text, 1, 0)
        grid.addWidget(self.other_text, 1, 1)
        grid.addWidget(self.keep_kept_button, 2, 0)
        grid.addWidget(self.keep_other_button, 2, 1)
        more = QHBoxLayout()
        more.addStretch(1)
        more.addWidget(self.keep_both_button)
        more.addWidget(self.edit_button)
        grid.addLayout(more, 3, 0, 1, 2)
        return page

    def _editor_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.editor_label)
        column.addWidget(self.editor, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        column.addLayout(buttons)
        return page

    @property
    def editing(self) -> bool:
        return self.pages.currentIndex() == 1

    def refresh(self) -> None:
        self._client.call(lambda service: service.conflicts(), self._show, self.status.error)

    def _after_snapshot(self, _snapshot: object) -> None:
        """A sync (or any change) may have settled a conflict here or on another laptop: read the list again."""
        if self.window().isVisible():
            self.refresh()

    def _show(self, conflicts: list[ConflictInfo]) -> None:
        before = self.selected()
        self._conflicts = [c for c in conflicts if not c.resolved]
        ids = tuple(c.conflict_id for c in self._conflicts)
        self.counted.emit(len(ids))
        self._filling = True
        self.tree.clear()
        for conflict in self._conflicts:
            item = QTreeWidgetItem(
                [
                    f"{conflict.folder} / {conflict.path}",
                    self._laptop(conflict.other_from, conflict.other_is_mine),
                    self._laptop(conflict.kept_from, conflict.kept_is_mine),
                    relative_time(conflict.time),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, conflict.conflict_id)
            self.tree.addTopLevelItem(item)
            if before is not None and conflict.conflict_id == before.conflict_id:
                self.tree.setCurrentItem(item)
        if not self._conflicts:
            empty = QTreeWidgetItem([self.tr("No conflicts. Everything agrees.")])
            empty.setFirstColumnSpanned(True)
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.tree.addTopLevelItem(empty)
        elif self.tree.currentItem() is None:
            select_first(self.tree)
        self._filling = False
        if ids != self._shown_ids:
            self._shown_ids = ids
            self.status.clear()
        if self._just_resolved is not None and self._just_resolved not in ids:
            self._just_resolved = None
            self.status.success(self.tr("Done. Every laptop will get the text you kept."))
        after = self.selected()
        if before is None or after is None or before.conflict_id != after.conflict_id:
            self._load_texts()
        elif not self.editing:
            self._fetch_texts(after)

    def _laptop(self, name: str, mine: bool) -> str:
        return self.tr("this laptop") if mine else name

    def selected(self) -> ConflictInfo | None:
        item = self.tree.currentItem()
        conflict_id = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((c for c in self._conflicts if c.conflict_id == conflict_id), None)

    def select(self, conflict_id: int) -> None:
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == conflict_id:
                self.tree.setCurrentItem(item)

    def _chosen_by_person(self) -> None:
        if self._filling:
            return
        self.status.clear()
        self._load_texts()

    def _load_texts(self) -> None:
        self.stop_editing()
        conflict = self.selected()
        self._show_texts_of(None)
        if conflict is not None:
            self._fetch_texts(conflict)

    def _fetch_texts(self, conflict: ConflictInfo) -> None:
        self._client.call(
            lambda service: service.conflict_texts(conflict.conflict_id),
            lambda texts: self._show_texts(conflict.conflict_id, texts),
            self.status.error,
        )

    def _show_texts(self, conflict_id: int, texts: ConflictTexts) -> None:
        current = self.selected()
        if current is None or current.conflict_id != conflict_id or self.editing or texts == self._texts:
            return
        self._show_texts_of(texts)

    def _show_texts_of(self, texts: ConflictTexts | None) -> None:
        self._texts = texts
        self.kept_text.setPlainText(texts.kept if texts else "")
        self.other_text.setPlainText(texts.other if texts else "")
        if texts is None:
            self.kept_label.setText(self.tr("In the file now"))
            self.other_label.setText(self.tr("Set aside"))
            self.keep_other_button.setText(self.tr("Keep the set-aside &text"))
        else:
            self.kept_label.setText(self.tr("In the file now — from {laptop}").format(laptop=texts.kept_from))
            self.other_label.setText(self.tr("Set aside — from {laptop}").format(laptop=texts.other_from))
            laptop = texts.other_from.replace("&", "&&")
            self.keep_other_button.setText(self.tr("Keep {laptop}'s &text").format(laptop=laptop))
            mark_differences(self.kept_text, self.other_text)
        self._set_buttons(texts is not None)

    def _set_buttons(self, enabled: bool) -> None:
        enabled = enabled and not self._saving
        for button in (self.keep_kept_button, self.keep_other_button, self.keep_both_button, self.edit_button):
            button.setEnabled(enabled)
        self.save_button.setEnabled(enabled and self.editing)

    def start_editing(self) -> None:
        conflict, texts = self.selected(), self._texts
        if conflict is None or texts is None:
            return
        self.status.clear()
        self.editor_label.setText(
            self.tr(
                "Your text for {path}. It starts as both texts combined; every laptop gets exactly what you save."
            ).format(path=conflict.path)
        )
        self.editor.setPlainText(texts.proposal)
        self.pages.setCurrentIndex(1)
        self.save_button.setEnabled(True)
        self.editor.setFocus()

    def stop_editing(self) -> None:
        if self.editing:
            self.pages.setCurrentIndex(0)
            self.edit_button.setFocus()

    def resolve(self, keep: str, text: str | None = None) -> None:
        conflict = self.selected()
        if conflict is None or self._texts is None:
            return
        self._saving = True
        self._set_buttons(False)
        self.status.busy(self.tr("Saving your choice…"))
        conflict_id = conflict.conflict_id

        def done(_result: object) -> None:
            self._saving = False
            self._texts = None
            self._just_resolved = conflict_id
            self.pages.setCurrentIndex(0)
            self.refresh()
            self.resolved.emit()

        def failed(error: MemtrayError) -> None:
            self._saving = False
            self._set_buttons(True)
            self.status.error(error)

        self._client.call(lambda service: service.resolve_conflict(conflict_id, keep, text), done, failed, refresh=True)
