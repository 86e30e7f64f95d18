"""Activity tab: recent history, open conflicts, and earlier versions of a file."""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from memtray.model import ActivityItem
from memtray.ui.client import ServiceClient
from memtray.ui.settings.conflicts import ConflictsPane
from memtray.ui.settings.versions import VersionsPane
from memtray.ui.widgets import StatusLine, explanation, fit_columns, heading

KIND_WORDS = {
    "sent": "Sent",
    "sent-delete": "Deleted",
    "received": "Received",
    "deleted": "Deleted here",
    "conflict-copy": "Conflict",
    "resolved": "Resolved",
    "restored": "Restored",
    "more": "…",
}


class ActivityTab(QWidget):
    conflicts_changed = Signal()

    def __init__(self, client: ServiceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self.history = QTreeWidget()
        self.history.setHeaderLabels([self.tr("When"), self.tr("What"), self.tr("File"), self.tr("Details")])
        self.history.setRootIsDecorated(False)
        fit_columns(self.history)
        self.history_status = StatusLine()
        history_page = QWidget()
        history_column = QVBoxLayout(history_page)
        history_column.addWidget(explanation(self.tr("Double-click a file to see its earlier versions.")))
        history_column.addWidget(self.history, 1)
        history_column.addWidget(self.history_status)
        self.conflicts = ConflictsPane(client)
        self.versions = VersionsPane(client)
        self.pages = QTabWidget()
        self.pages.addTab(history_page, self.tr("Rece&nt activity"))
        self.pages.addTab(self.conflicts, self.tr("&Conflicts"))
        self.pages.addTab(self.versions, self.tr("Earlier &versions"))
        column = QVBoxLayout(self)
        column.addWidget(heading(self.tr("Activity")))
        column.addWidget(self.pages, 1)
        self.conflicts.counted.connect(self._count_conflicts)
        self.conflicts.resolved.connect(self.conflicts_changed)
        self.conflicts.resolved.connect(self.refresh)
        self.history.itemActivated.connect(self._open_versions)

    def refresh(self) -> None:
        self._client.call(lambda service: service.history.activity(), self._show_history, self.history_status.error)
        self.conflicts.refresh()

    def _count_conflicts(self, count: int) -> None:
        index = self.pages.indexOf(self.conflicts)
        title = self.tr("&Conflicts ({count})").format(count=count) if count else self.tr("&Conflicts")
        self.pages.setTabText(index, title)

    def _show_history(self, items: object) -> None:
        assert isinstance(items, list)
        self._items: list[ActivityItem] = items
        self.history.clear()
        for item in items:
            when = time.strftime("%d %b %H:%M", time.localtime(item.time))
            where = f"{item.folder} / {item.path}" if item.path else item.folder
            what = self.tr(KIND_WORDS.get(item.kind, item.kind.capitalize()))
            detail = self.tr("your text was saved as a copy") if item.kind == "conflict-copy" else item.detail
            row = QTreeWidgetItem([when, what, where, detail])
            row.setToolTip(3, item.detail)
            self.history.addTopLevelItem(row)
        if not items:
            self.history.addTopLevelItem(QTreeWidgetItem(["", "", self.tr("Nothing has happened yet."), ""]))
        self.versions.refresh(items)

    def _open_versions(self, row: QTreeWidgetItem) -> None:
        index = self.history.indexOfTopLevelItem(row)
        if 0 <= index < len(self._items):
            item = self._items[index]
            self.versions.choose(item.folder, item.path)
            self.pages.setCurrentWidget(self.versions)
            self.versions.show_versions()
