"""The settings window: seven tabs, each a small module, reaching the service only through one ``ServiceClient``.

A tab shows what the client's snapshot holds (renewed after every sync and every change made through
the client) and asks the client for the rest (history, conflicts, laptops), which arrives later.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from memtray.ui.client import ServiceClient
from memtray.ui.icons import app_icon
from memtray.ui.settings.about import AboutTab
from memtray.ui.settings.activity import ActivityTab
from memtray.ui.settings.folders import FoldersTab
from memtray.ui.settings.general import GeneralTab
from memtray.ui.settings.hub import HubTab
from memtray.ui.settings.projects import ProjectsTab
from memtray.ui.settings.security import SecurityTab

TAB_NAMES = ("general", "folders", "projects", "hub", "security", "activity", "about")


def mnemonic_letters(labels: tuple[str, ...]) -> frozenset[str]:
    return frozenset(label[label.index("&") + 1].lower() for label in labels if "&" in label)


class SettingsWindow(QDialog):
    """``settings_changed(area)`` says what changed: a setting key, or "folders", "hub", "conflicts"."""

    settings_changed = Signal(str)

    def __init__(self, client: ServiceClient, parent: QWidget | None = None, *, user_home: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("memtray settings"))
        self.setWindowIcon(app_icon())
        titles = (
            self.tr("&General"),
            self.tr("&Folders"),
            self.tr("Pro&jects"),
            self.tr("Storag&e"),
            self.tr("Sec&urity"),
            self.tr("&Activity"),
            self.tr("A&bout"),
        )
        self.general = GeneralTab(client, reserved=mnemonic_letters(titles))
        self.folders = FoldersTab(client, user_home)
        self.projects = ProjectsTab(client, user_home)
        self.hub = HubTab(client)
        self.security = SecurityTab(client)
        self.activity = ActivityTab(client)
        self.about = AboutTab(client)
        self.tabs = QTabWidget()
        self._pages: dict[str, QWidget] = {}
        pages = (self.general, self.folders, self.projects, self.hub, self.security, self.activity, self.about)
        for name, title, page in zip(TAB_NAMES, titles, pages, strict=True):
            self._pages[name] = page
            self.tabs.addTab(page, title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        column = QVBoxLayout(self)
        column.addWidget(self.tabs, 1)
        column.addWidget(buttons)
        self.resize(840, 760)

        self.general.setting_changed.connect(self.settings_changed)
        self.folders.folders_changed.connect(lambda: self.settings_changed.emit("folders"))
        self.hub.hub_changed.connect(lambda: self.settings_changed.emit("hub"))
        self.activity.conflicts_changed.connect(lambda: self.settings_changed.emit("conflicts"))
        self.tabs.currentChanged.connect(self._refresh_current)

    def show_tab(self, name: str) -> None:
        """Show the tab called ``name`` (one of ``TAB_NAMES``, or "conflicts": the Activity tab's Conflicts page).

        "activity" always opens its Recent activity page, whichever page was used last.
        """
        if name == "conflicts":
            self.activity.pages.setCurrentWidget(self.activity.conflicts)
            name = "activity"
        elif name == "activity":
            self.activity.show_recent()
        page = self._pages[name]
        if self.tabs.currentWidget() is page:
            self._refresh_current()
        else:
            self.tabs.setCurrentWidget(page)
        self.show()
        self.raise_()
        self.activateWindow()

    def _refresh_current(self) -> None:
        page = self.tabs.currentWidget()
        if page is self._pages["general"]:
            self.general.refresh()
        elif page is self._pages["folders"]:
            self.folders.refresh()
        elif page is self._pages["projects"]:
            self.projects.refresh()
        elif page is self._pages["hub"]:
            self.hub.refresh()
        elif page is self._pages["security"]:
            self.security.refresh()
        elif page is self._pages["activity"]:
            self.activity.refresh()
        elif page is self._pages["about"]:
            self.about.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.security.forget_secrets()
        super().closeEvent(event)

    def reject(self) -> None:
        self.security.forget_secrets()
        super().reject()
