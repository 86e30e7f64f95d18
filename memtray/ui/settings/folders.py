"""Folders tab: the synced folders, where each lives here, which files it syncs, and adding more.

Like the General tab, every change is saved as soon as it is made: the patterns a short pause after the
last key (or when the person leaves the box or picks another folder), with an Undo that puts back the
rules the folder had before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError
from memtray.model import FolderInfo
from memtray.presets import Preset, agent_presets, project_preset, suggested_path
from memtray.ui.client import ServiceClient
from memtray.ui.settings.placedialog import PlaceDialog
from memtray.ui.settings.rulewords import describe_rules
from memtray.ui.widgets import (
    StatusLine,
    ask_confirmation,
    explanation,
    fit_columns,
    heading,
    home_relative,
    select_first,
)

if TYPE_CHECKING:
    from memtray.service import Service

WAITING_COLOR = "#b45309"
RULES_PAUSE_MS = 1200


def _lines(edit: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]


class FoldersTab(QWidget):
    """Lists synced folders; waiting folders get a clear 'Choose where…' action."""

    folders_changed = Signal()

    def __init__(self, client: ServiceClient, user_home: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._home = user_home
        self._folders: list[FolderInfo] = []
        self._rules_for: str | None = None
        self._undo: tuple[str, tuple[str, ...], tuple[str, ...]] | None = None
        self.place_dialog: PlaceDialog | None = None

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("Folder"), self.tr("Files"), self.tr("On this laptop")])
        self.tree.setRootIsDecorated(False)
        fit_columns(self.tree)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setMinimumHeight(self.tree.fontMetrics().lineSpacing() * 5)
        self.choose_button = QPushButton(self.tr("&Choose where…"))
        self.remove_button = QPushButton(self.tr("Stop s&yncing…"))
        widest = max(self.choose_button.sizeHint().width(), QPushButton(self.tr("&Move to…")).sizeHint().width())
        self.choose_button.setMinimumWidth(widest)
        actions = QHBoxLayout()
        actions.addWidget(self.choose_button)
        actions.addStretch(1)
        actions.addWidget(self.remove_button)
        self.secret_guard_box = QCheckBox(self.tr("C&heck for secrets before sending"))
        self.secret_guard_box.setToolTip(
            self.tr(
                "A file with something that looks like a password or an API key stays on this laptop until you "
                "remove it or choose Send anyway."
            )
        )

        self.rules_summary = QLabel()
        self.rules_summary.setWordWrap(True)
        self.advanced_button = QToolButton()
        self.advanced_button.setText(self.tr("Ad&vanced: file patterns"))
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_button.setAutoRaise(True)
        self.rules = QGroupBox(self.tr("File patterns"))
        self.rules.setVisible(False)
        self.include_edit = QPlainTextEdit()
        self.exclude_edit = QPlainTextEdit()
        self._rules_timer = QTimer(self)
        self._rules_timer.setSingleShot(True)
        self._rules_timer.setInterval(RULES_PAUSE_MS)
        for edit in (self.include_edit, self.exclude_edit):
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 14)
            edit.textChanged.connect(self._rules_edited)
            edit.installEventFilter(self)
        self.undo_button = QPushButton(self.tr("U&ndo"))
        self.undo_button.setVisible(False)
        include_label = QLabel(self.tr("&Sync files matching:"))
        include_label.setBuddy(self.include_edit)
        exclude_label = QLabel(self.tr("S&kip files matching:"))
        exclude_label.setBuddy(self.exclude_edit)
        rules_grid = QGridLayout(self.rules)
        rules_hint = self.tr(
            "One pattern per line, like *.md or memory/**. Leave “Sync” empty for every file. Saved as you type."
        )
        rules_grid.addWidget(explanation(rules_hint), 0, 0, 1, 2)
        rules_grid.addWidget(include_label, 1, 0)
        rules_grid.addWidget(exclude_label, 1, 1)
        rules_grid.addWidget(self.include_edit, 2, 0)
        rules_grid.addWidget(self.exclude_edit, 2, 1)
        files_row = QHBoxLayout()
        files_row.addWidget(self.rules_summary, 1)
        files_row.addWidget(self.advanced_button, 0, Qt.AlignmentFlag.AlignTop)

        adding = QGroupBox(self.tr("Add memory folders"))
        self.preset_list = QListWidget()
        self.preset_list.setFixedHeight(self.preset_list.fontMetrics().lineSpacing() * 3 + 12)
        self.add_presets_button = QPushButton(self.tr("A&dd checked"))
        self.add_project_button = QPushButton(self.tr("Add a &project…"))
        add_buttons = QHBoxLayout()
        add_buttons.addWidget(self.add_presets_button)
        add_buttons.addWidget(self.add_project_button)
        add_buttons.addStretch(1)
        adding_column = QVBoxLayout(adding)
        adding_column.addWidget(explanation(self.tr("AI tools memtray found on this laptop that are not synced yet.")))
        adding_column.addWidget(self.preset_list)
        adding_column.addLayout(add_buttons)

        self.status = StatusLine()
        column = QVBoxLayout(self)
        column.addWidget(heading(self.tr("Folders")))
        column.addWidget(
            explanation(
                self.tr(
                    "These folders are kept the same on all your laptops. Changes are saved as soon as you make them."
                )
            )
        )
        column.addWidget(self.tree, 1)
        column.addLayout(actions)
        column.addWidget(self.secret_guard_box)
        column.addLayout(files_row)
        column.addWidget(self.rules)
        column.addWidget(adding)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.undo_button)
        column.addLayout(status_row)

        self.tree.currentItemChanged.connect(self._selection_changed)
        # Queued: Return opens the dialog once the key press is done, so it cannot also press the dialog's button.
        self.tree.itemActivated.connect(lambda *_: QTimer.singleShot(0, self.choose_place))
        self.choose_button.clicked.connect(self.choose_place)
        self.remove_button.clicked.connect(self._confirm_remove)
        self.advanced_button.toggled.connect(self._show_patterns)
        self._rules_timer.timeout.connect(self._save_rules)
        self.undo_button.clicked.connect(self._undo_rules)
        self.secret_guard_box.clicked.connect(self._save_secret_guard)
        self.add_presets_button.clicked.connect(self._add_checked_presets)
        self.add_project_button.clicked.connect(self.add_project)
        self.refresh()

    def refresh(self) -> None:
        """Show the folders of the client's snapshot, which is renewed after every sync and every change."""
        selected = self.selected_folder()
        self._folders = list(self._client.snapshot.folders)
        self.tree.clear()
        for folder in self._folders:
            item = QTreeWidgetItem([folder.name, str(folder.file_count), home_relative(folder.path or "")])
            if folder.waiting:
                item.setText(1, "")
                item.setText(2, self.tr("Not on this laptop yet — choose where it goes"))
                item.setForeground(2, QBrush(QColor(WAITING_COLOR)))
                font = item.font(2)
                font.setWeight(QFont.Weight.DemiBold)
                item.setFont(2, font)
            item.setData(0, Qt.ItemDataRole.UserRole, folder.name)
            self.tree.addTopLevelItem(item)
            if selected is not None and folder.name == selected.name:
                self.tree.setCurrentItem(item)
        if self.tree.currentItem() is None:
            select_first(self.tree)
        self._selection_changed()
        self._fill_presets()

    def selected_folder(self) -> FolderInfo | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        name = item.data(0, Qt.ItemDataRole.UserRole)
        return next((f for f in self._folders if f.name == name), None)

    def select(self, name: str) -> None:
        for item in self.tree.findItems(name, Qt.MatchFlag.MatchExactly, 0):
            self.tree.setCurrentItem(item)

    def choose_place(self) -> None:
        folder = self.selected_folder()
        if folder is None:
            return
        start = folder.path or suggested_path(folder.name, self._home)
        dialog = PlaceDialog(
            self.tr("Where should “{name}” live?").format(name=folder.name),
            self.tr("memtray will keep the files of “{name}” in this folder on this laptop.").format(name=folder.name),
            start,
            self.tr("Use this folder"),
            self,
        )
        dialog.accepted.connect(lambda: self._place(folder.name, dialog.path()))
        self._open(dialog)

    def _place(self, name: str, path: str) -> None:
        self._run(lambda service: service.map_folder(name, path))

    def add_project(self) -> None:
        dialog = PlaceDialog(
            self.tr("Add a project"),
            self.tr("Pick a project folder. memtray syncs its CLAUDE.md, AGENTS.md, GEMINI.md and Cursor rules."),
            self._home or Path.home(),
            self.tr("Add project"),
            self,
        )
        dialog.accepted.connect(lambda: self._add_presets([project_preset(Path(dialog.path()))]))
        self._open(dialog)

    def _open(self, dialog: PlaceDialog) -> None:
        self.place_dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _selection_changed(self, *_: Any) -> None:
        folder = self.selected_folder()
        if self._rules_timer.isActive() and (folder is None or folder.name != self._rules_for):
            self._save_rules()
        self.choose_button.setEnabled(folder is not None)
        self.remove_button.setEnabled(folder is not None)
        self.rules.setEnabled(folder is not None)
        self.secret_guard_box.setEnabled(folder is not None)
        self.secret_guard_box.setChecked(folder is None or self._client.snapshot.secret_guard.get(folder.name, True))
        if folder is not None:
            self.choose_button.setText(self.tr("&Choose where…") if folder.waiting else self.tr("&Move to…"))
        self.rules_summary.setText(describe_rules(folder, self._home) if folder else "")
        if self._rules_timer.isActive():
            return
        self._rules_for = folder.name if folder else None
        for edit, patterns in (
            (self.include_edit, folder.include if folder else ()),
            (self.exclude_edit, folder.exclude if folder else ()),
        ):
            edit.blockSignals(True)
            edit.setPlainText("\n".join(patterns))
            edit.blockSignals(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and self._rules_timer.isActive():
            self._save_rules()
        return super().eventFilter(watched, event)

    def _show_patterns(self, shown: bool) -> None:
        self.rules.setVisible(shown)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def _rules_edited(self) -> None:
        if self._rules_for is not None:
            self._rules_timer.start()

    def _fill_presets(self) -> None:
        present = {folder.name for folder in self._folders}
        self.preset_list.clear()
        for preset in agent_presets(self._home):
            if preset.folder_name in present or not preset.found:
                continue
            item = QListWidgetItem(f"{preset.label}  —  {home_relative(preset.path)}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, preset)
            self.preset_list.addItem(item)
        if not self.preset_list.count():
            empty = QListWidgetItem(self.tr("Every AI tool found on this laptop is already synced."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.preset_list.addItem(empty)
        self.add_presets_button.setEnabled(self.preset_list.item(0).data(Qt.ItemDataRole.UserRole) is not None)

    def _add_checked_presets(self) -> None:
        chosen = []
        for index in range(self.preset_list.count()):
            item = self.preset_list.item(index)
            if item.checkState() == Qt.CheckState.Checked and item.data(Qt.ItemDataRole.UserRole) is not None:
                chosen.append(item.data(Qt.ItemDataRole.UserRole))
        if chosen:
            self._add_presets(chosen)

    def _add_presets(self, presets: list[Preset]) -> None:
        def work(service: Service) -> None:
            for preset in presets:
                service.add_folder(preset.folder_name, str(preset.path), preset.include, preset.exclude)

        self._run(work)

    def _save_rules(self) -> None:
        self._rules_timer.stop()
        folder = next((f for f in self._folders if f.name == self._rules_for), None)
        include, exclude = _lines(self.include_edit), _lines(self.exclude_edit)
        if folder is None or (tuple(include), tuple(exclude)) == (tuple(folder.include), tuple(folder.exclude)):
            return
        name = folder.name
        before = (name, tuple(folder.include), tuple(folder.exclude))
        self._run(
            lambda service: service.edit_folder(name, include=include, exclude=exclude),
            self.tr("Saved which files “{name}” syncs.").format(name=name),
            undo=before,
        )

    def _undo_rules(self) -> None:
        if self._undo is not None:
            name, include, exclude = self._undo
            self._run(
                lambda service: service.edit_folder(name, include=list(include), exclude=list(exclude)),
                self.tr("Put back the earlier file patterns of “{name}”.").format(name=name),
            )

    def _save_secret_guard(self, on: bool) -> None:
        folder = self.selected_folder()
        if folder is not None:
            self._run(lambda service: service.set_secret_guard(folder.name, on))

    def _confirm_remove(self) -> None:
        folder = self.selected_folder()
        if folder is None:
            return
        ask_confirmation(
            self,
            self.tr("Stop syncing “{name}”?").format(name=folder.name),
            self.tr(
                "memtray will stop syncing this folder on all your laptops. The files themselves stay where they are."
            ),
            self.tr("Stop syncing"),
            lambda: self._run(lambda service: service.remove_folder(folder.name)),
        )

    def _set_controls_enabled(self, enabled: bool) -> None:
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child not in (self.status, self.rules):
                child.setEnabled(enabled)

    def _run(
        self,
        work: Callable[[Service], object],
        saved: str = "",
        undo: tuple[str, tuple[str, ...], tuple[str, ...]] | None = None,
    ) -> None:
        """Save through the service; ``undo`` is what the Undo button then puts back."""
        self.status.busy(self.tr("Saving…"))
        self._undo = None
        self.undo_button.setVisible(False)
        self._set_controls_enabled(False)
        self._client.call(work, lambda _result: self._done(saved, undo), self._failed, refresh=True)

    def _done(self, saved: str, undo: tuple[str, tuple[str, ...], tuple[str, ...]] | None) -> None:
        self._set_controls_enabled(True)
        self.status.success(saved or self.tr("Saved."))
        self._undo = undo
        self.undo_button.setVisible(undo is not None)
        self.refresh()
        self.folders_changed.emit()

    def _failed(self, error: MemtrayError) -> None:
        self._set_controls_enabled(True)
        self.status.error(error)
        self.refresh()
