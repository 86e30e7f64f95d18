"""Projects tab: each project memtray matched across laptops, where its memory lives here, and fixing a match.

A project is matched by its repository (or, without one, by its place in the home folder), not by the
folder name Claude Code gives it, so its memory can follow it to a laptop where it lives elsewhere. The
tab lists what ``Service.projects`` says, lets the person link a project to a folder on this laptop
(``link_project``) and undo such a link (``unlink_project``). The list is read when the tab is shown, after a
change and on Refresh, not after every sync: listing searches the home folder for projects not found yet.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError
from memtray.model import ProjectInfo, ProjectState
from memtray.ui.client import ServiceClient
from memtray.ui.settings.placedialog import PlaceDialog
from memtray.ui.widgets import StatusLine, explanation, fit_columns, heading, home_relative, select_first

if TYPE_CHECKING:
    from memtray.service import Service

STATE_WORDS = {
    ProjectState.PLACED: "Placed",
    ProjectState.WAITING: "Waiting",
    ProjectState.AMBIGUOUS: "Needs a choice",
}
NEEDS_YOU_COLOR = "#b45309"


class ProjectsTab(QWidget):
    """The project list with Link to a folder…, Unlink and Refresh; the selected project's sentence below it."""

    def __init__(self, client: ServiceClient, user_home: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._home = user_home
        self._projects: list[ProjectInfo] = []
        self.link_dialog: PlaceDialog | None = None
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(
            [self.tr("Project"), self.tr("Repository"), self.tr("On this laptop"), self.tr("Memory")]
        )
        self.tree.setRootIsDecorated(False)
        fit_columns(self.tree)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.link_button = QPushButton(self.tr("&Link to a folder…"))
        self.unlink_button = QPushButton(self.tr("U&nlink"))
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        actions = QHBoxLayout()
        actions.addWidget(self.link_button)
        actions.addWidget(self.unlink_button)
        actions.addStretch(1)
        actions.addWidget(self.refresh_button)
        self.status = StatusLine()
        column = QVBoxLayout(self)
        column.addWidget(heading(self.tr("Projects")))
        column.addWidget(
            explanation(
                self.tr(
                    "memtray matches a project across your laptops by its repository, not by the folder it is in, "
                    "so its memory reaches Claude Code on every laptop. If a match is wrong or missing, link the "
                    "project to the right folder here."
                )
            )
        )
        column.addWidget(self.tree, 1)
        column.addWidget(self.detail)
        column.addLayout(actions)
        column.addWidget(self.status)
        self.tree.currentItemChanged.connect(lambda *_: self._selection_changed())
        # Queued: Return opens the dialog once the key press is done, so it cannot also press the dialog's button.
        self.tree.itemActivated.connect(lambda *_: QTimer.singleShot(0, self.choose_folder))
        self.link_button.clicked.connect(self.choose_folder)
        self.unlink_button.clicked.connect(self._unlink)
        self.refresh_button.clicked.connect(self.refresh)
        self._selection_changed()

    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        self._client.call(lambda service: service.projects(), self._show, self._failed)

    def _show(self, projects: list[ProjectInfo]) -> None:
        chosen = self.selected()
        self._projects = sorted(projects, key=lambda project: project.name.lower())
        self.tree.clear()
        for project in self._projects:
            item = QTreeWidgetItem(
                [
                    project.name,
                    project.remote or self.tr("no remote"),
                    home_relative(project.local_path) if project.local_path else self.tr("not on this laptop"),
                    self.tr(STATE_WORDS[project.state]),
                ]
            )
            item.setToolTip(0, project.identity)
            for column in range(1, 4):
                item.setToolTip(column, project.detail)
            if project.state is not ProjectState.PLACED:
                item.setForeground(3, QBrush(QColor(NEEDS_YOU_COLOR)))
            item.setData(0, Qt.ItemDataRole.UserRole, project.project_id)
            self.tree.addTopLevelItem(item)
            if chosen is not None and project.project_id == chosen.project_id:
                self.tree.setCurrentItem(item)
        if not self._projects:
            empty = QTreeWidgetItem(
                [self.tr("No projects yet. A project shows up here once Claude Code has worked in it on a laptop.")]
            )
            empty.setFirstColumnSpanned(True)
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.tree.addTopLevelItem(empty)
        elif self.tree.currentItem() is None:
            select_first(self.tree)
        self.refresh_button.setEnabled(True)
        self._selection_changed()

    def selected(self) -> ProjectInfo | None:
        item = self.tree.currentItem()
        project_id = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((p for p in self._projects if p.project_id == project_id), None)

    def select(self, name: str) -> None:
        for item in self.tree.findItems(name, Qt.MatchFlag.MatchExactly, 0):
            self.tree.setCurrentItem(item)

    def _selection_changed(self) -> None:
        project = self.selected()
        self.link_button.setEnabled(project is not None)
        self.unlink_button.setEnabled(project is not None)
        self.detail.setText(self._sentence(project) if project is not None else "")

    def _sentence(self, project: ProjectInfo) -> str:
        """The service's sentence, but pointing at this tab's button rather than at the command line."""
        if project.state is ProjectState.WAITING:
            return self.tr(
                "{name}'s memory waits until you open the project here. If it is on this laptop already, "
                "choose Link to a folder…"
            ).format(name=project.name)
        if project.state is ProjectState.AMBIGUOUS:
            return self.tr(
                "Several folders on this laptop belong to {identity}. Choose the right one with Link to a folder…; "
                "until then each keeps its own memory."
            ).format(identity=project.identity)
        return project.detail

    def choose_folder(self) -> None:
        project = self.selected()
        if project is None:
            return
        dialog = PlaceDialog(
            self.tr("Where is “{name}” on this laptop?").format(name=project.name),
            self.tr(
                "Pick the project's folder (the checkout of {remote}). memtray puts its memory where Claude Code "
                "looks for it when you work there."
            ).format(remote=project.remote or project.name),
            project.local_path or self._home or Path.home(),
            self.tr("Link"),
            self,
        )
        dialog.accepted.connect(lambda: self._link(project.project_id, dialog.path()))
        self.link_dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _link(self, project_id: str, path: str) -> None:
        self._run(lambda service: service.link_project(project_id, path))

    def _unlink(self) -> None:
        project = self.selected()
        if project is not None:
            self._run(lambda service: service.unlink_project(project.project_id))

    def _run(self, work: Callable[[Service], Any]) -> None:
        self.status.busy(self.tr("Saving…"))
        for button in (self.link_button, self.unlink_button, self.refresh_button):
            button.setEnabled(False)
        self._client.call(work, self._done, self._failed, refresh=True)

    def _done(self, _result: object) -> None:
        self.status.success(self.tr("Saved."))
        self.refresh()

    def _failed(self, error: MemtrayError) -> None:
        self.status.error(error)
        self.refresh_button.setEnabled(True)
        self._selection_changed()
