"""Activity tab: recent history in plain sentences, open conflicts, and earlier versions of a file."""

from __future__ import annotations

import re
import time
from pathlib import PurePosixPath

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from memtray.model import ActivityItem
from memtray.ui.client import ServiceClient
from memtray.ui.settings.conflicts import ConflictsPane
from memtray.ui.settings.versions import VersionsPane
from memtray.ui.widgets import StatusLine, explanation, fit_columns, heading


def _other_laptop(detail: str) -> str:
    """The laptop named in the sync engine's "from NAME", "with NAME" or "resolved on NAME" details, or ""."""
    match = re.fullmatch(r"(?:from|with|resolved on) (.+)", detail)
    return match.group(1) if match else ""


class ActivityTab(QWidget):
    conflicts_changed = Signal()

    def __init__(self, client: ServiceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._items: list[ActivityItem] = []
        self.history = QTreeWidget()
        self.history.setHeaderLabels([self.tr("When"), self.tr("What happened"), self.tr("Where"), self.tr("Details")])
        self.history.setRootIsDecorated(False)
        fit_columns(self.history)
        self.history_status = StatusLine()
        self.history_page = QWidget()
        history_column = QVBoxLayout(self.history_page)
        history_column.addWidget(explanation(self.tr("Double-click a file to see its earlier versions.")))
        history_column.addWidget(self.history, 1)
        history_column.addWidget(self.history_status)
        self.conflicts = ConflictsPane(client)
        self.versions = VersionsPane(client)
        self.pages = QTabWidget()
        self.pages.addTab(self.history_page, self.tr("Rece&nt activity"))
        self.pages.addTab(self.conflicts, self.tr("&What needs a look"))
        self.pages.addTab(self.versions, self.tr("Earlier &versions"))
        column = QVBoxLayout(self)
        column.addWidget(heading(self.tr("Activity")))
        column.addWidget(self.pages, 1)
        self.conflicts.counted.connect(self._count_conflicts)
        self.conflicts.resolved.connect(self.conflicts_changed)
        self.conflicts.resolved.connect(self.refresh)
        self.history.itemActivated.connect(self._open_versions)

    def show_recent(self) -> None:
        self.pages.setCurrentWidget(self.history_page)

    def refresh(self) -> None:
        self._client.call(lambda service: service.history.activity(), self._show_history, self.history_status.error)
        self.conflicts.refresh()

    def sentence(self, item: ActivityItem) -> str:
        """What happened, as a person would say it ("Sent CLAUDE.md to your other laptops")."""
        file = PurePosixPath(item.path).name if item.path else item.folder
        laptop = _other_laptop(item.detail)
        if item.kind == "sent":
            return self.tr("Sent {file} to your other laptops").format(file=file)
        if item.kind == "sent-delete":
            return self.tr("Deleted {file} on your other laptops too").format(file=file)
        if item.kind == "received" and laptop:
            return self.tr("Received {file} from {laptop}").format(file=file, laptop=laptop)
        if item.kind == "received":
            return self.tr("Received a newer {file} from another laptop").format(file=file)
        if item.kind == "deleted":
            return self.tr("Deleted {file} here, as it was deleted on another laptop").format(file=file)
        if item.kind == "merged" and laptop:
            return self.tr("Combined the changes to {file} from this laptop and {laptop}").format(
                file=file, laptop=laptop
            )
        if item.kind == "merged":
            return self.tr("Combined the changes to {file} from two laptops").format(file=file)
        if item.kind == "combined" and laptop:
            return self.tr("Combined {file} from this laptop and {laptop}").format(file=file, laptop=laptop)
        if item.kind == "combined":
            return self.tr("Combined {file} from two laptops").format(file=file)
        if item.kind == "conflict" and laptop:
            return self.tr("{file} needs a look: this laptop and {laptop} changed the same lines").format(
                file=file, laptop=laptop
            )
        if item.kind == "conflict":
            return self.tr("{file} needs a look: two laptops changed the same lines").format(file=file)
        if item.kind == "conflict-copy":
            return self.tr("Kept both texts of {file}: your text was saved as a copy").format(file=file)
        if item.kind == "resolved" and laptop:
            return self.tr("{file} was settled on {laptop}").format(file=file, laptop=laptop)
        if item.kind == "resolved":
            return self.tr("You chose which text of {file} to keep").format(file=file)
        if item.kind == "skipped":
            return self.tr("Could not write {file} on this laptop").format(file=file)
        if item.kind == "placed":
            return self.tr("Placed {folder}'s memory on this laptop").format(folder=item.folder)
        if item.kind == "restored":
            return self.tr("Brought back an earlier version of {file}").format(file=file)
        if item.kind == "repaired":
            return self.tr("Sent every file again because the storage had lost some")
        if item.kind == "sessions":
            return self.tr("Continued Claude Code sessions from your other laptops here")
        if item.kind == "agent-wrote":
            return self.tr("A coding agent added to {file} through memtray").format(file=file)
        if item.kind == "held":
            return self.tr("Held back {file}: it looks like it holds a password or key").format(file=file)
        if item.kind == "more":
            count = re.search(r"\d+", item.detail)
            if count:
                return self.tr("…and {count} more, not listed").format(count=count.group())
            return self.tr("…and more, not listed")
        return self.tr("Something else happened to {file}").format(file=file)

    def _count_conflicts(self, count: int) -> None:
        index = self.pages.indexOf(self.conflicts)
        title = self.tr("&What needs a look ({count})").format(count=count) if count else self.tr("&What needs a look")
        self.pages.setTabText(index, title)

    def _details(self, item: ActivityItem) -> str:
        if item.kind == "conflict-copy":
            return self.tr("The copy is {copy}").format(copy=item.detail) if item.detail else ""
        if item.kind == "more" or _other_laptop(item.detail):
            return ""
        return item.detail

    def _show_history(self, items: object) -> None:
        assert isinstance(items, list)
        self._items = items
        self.history.clear()
        for item in items:
            when = time.strftime("%d %b %H:%M", time.localtime(item.time))
            where = f"{item.folder} / {item.path}" if item.path else item.folder
            row = QTreeWidgetItem([when, self.sentence(item), where, self._details(item)])
            row.setToolTip(1, self.sentence(item))
            row.setToolTip(3, item.detail)
            self.history.addTopLevelItem(row)
        if not items:
            self.history.addTopLevelItem(QTreeWidgetItem(["", self.tr("Nothing has happened yet."), "", ""]))
        self.versions.refresh(items)

    def _open_versions(self, row: QTreeWidgetItem) -> None:
        index = self.history.indexOfTopLevelItem(row)
        if 0 <= index < len(self._items) and self._items[index].path:
            item = self._items[index]
            self.versions.choose(item.folder, item.path)
            self.pages.setCurrentWidget(self.versions)
            self.versions.show_versions()
