"""The tray icon: its state, tooltip and menu. Left click means "Sync now".

The icon's state follows from a few facts, in this order: a sync running → syncing; paused →
paused; no network (unless the storage is a folder on this laptop) or the storage unreachable → offline;
an error, an open conflict or a file held back by the secret guard → attention; otherwise idle.
``status_words`` derives the headline, the summary and the tooltip from that state and the status, so
the icon, tooltip and menu say the same thing; while offline the summary says when memtray *last* synced.

While a conflict is open or a file is held back, the menu has an enabled "A file needs a look…"
item (``look_requested``), whatever the icon's state; it stands in for the headline that says the same.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from memtray.errors import HubUnreachableError, MemtrayError
from memtray.model import Status, SyncProgress
from memtray.ui.icons import TrayState, tray_icon


def _tr(text: str, count: int = -1) -> str:
    return QCoreApplication.translate("Tray", text, None, count)


def _count(one: str, many: str, count: int) -> str:
    return _tr(one) if count == 1 else _tr(many, count)


def derive_state(
    *, syncing: bool, paused: bool, offline: bool, error: MemtrayError | None, files_to_look_at: int
) -> TrayState:
    if syncing:
        return TrayState.SYNCING
    if paused:
        return TrayState.PAUSED
    if offline or isinstance(error, HubUnreachableError):
        return TrayState.OFFLINE
    if error is not None or files_to_look_at:
        return TrayState.ATTENTION
    return TrayState.IDLE


def ago(seconds: float) -> str:
    """How long ago, in words: "just now", "2 min ago", "3 h ago", "5 days ago"."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return _tr("just now")
    if minutes < 60:
        return _tr("%n min ago", minutes)
    hours = minutes // 60
    if hours < 24:
        return _tr("%n h ago", hours)
    return _count("yesterday", "%n days ago", hours // 24)


def summary_line(status: Status | None, now: float, offline: bool = False) -> str:
    """ "Synced 2 min ago · 3 folders · 1 change waiting"; offline: "Last synced 2 min ago · …" """
    if status is None:
        return _tr("Starting…")
    if not status.last_sync:
        parts = [_tr("Not synced yet")]
    else:
        when = ago(now - status.last_sync)
        parts = [(_tr("Last synced %1") if offline else _tr("Synced %1")).replace("%1", when)]
    parts.append(_count("1 folder", "%n folders", len(status.folders)))
    if status.pending_changes:
        parts.append(_count("1 change waiting", "%n changes waiting", status.pending_changes))
    if status.open_conflicts:
        parts.append(_count("1 conflict", "%n conflicts", status.open_conflicts))
    if status.held:
        parts.append(_count("1 file not sent", "%n files not sent", len(status.held)))
    return " · ".join(parts)


def files_to_look_at(status: Status | None) -> int:
    """Open conflicts and files the secret guard held back: each waits for the person."""
    return status.open_conflicts + len(status.held) if status is not None else 0


def headline(state: TrayState, error: MemtrayError | None, progress: SyncProgress | None) -> str:
    if state is TrayState.SYNCING:
        if progress is not None and progress.total:
            return _tr("Syncing… %1 of %2").replace("%1", str(progress.done)).replace("%2", str(progress.total))
        return _tr("Syncing…")
    if state is TrayState.PAUSED:
        return _tr("Automatic sync is paused · click to sync once")
    if state is TrayState.OFFLINE:
        return _tr("Offline · memtray syncs when your storage can be reached again")
    if error is not None:
        return error.title
    if state is TrayState.ATTENTION:
        return _tr("A file needs a look")
    return _tr("Up to date")


@dataclass(frozen=True)
class StatusWords:
    """What the menu's first two lines and the tooltip say about one state."""

    headline: str
    summary: str

    @property
    def tooltip(self) -> str:
        return f"memtray\n{self.headline}\n{self.summary}"


def needs_network(status: Status | None) -> bool:
    """A folder storage is on this laptop (its cloud drive copies it later): memtray syncs to it without a network."""
    return status is None or status.hub_kind != "folder"


def status_words(
    state: TrayState,
    error: MemtrayError | None,
    progress: SyncProgress | None,
    status: Status | None,
    now: float,
) -> StatusWords:
    """The one place the tray's words come from, so the headline and the summary never contradict each other."""
    return StatusWords(headline(state, error, progress), summary_line(status, now, state is TrayState.OFFLINE))


class Tray(QObject):
    """The icon, tooltip and menu; it asks for actions through signals and performs none itself."""

    state_changed = Signal(TrayState)
    sync_requested = Signal()
    pause_requested = Signal(bool)
    settings_requested = Signal(str)
    add_laptop_requested = Signal()
    look_requested = Signal()
    quit_requested = Signal()
    folder_not_opened = Signal(str)
    """A folder from "Open folder" could not be shown (it is gone, or no file manager is there): its path."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = TrayState.IDLE
        self._syncing = False
        self._paused = False
        self._offline = False
        self._error: MemtrayError | None = None
        self._status: Status | None = None
        self._progress: SyncProgress | None = None
        self.icon = QSystemTrayIcon(tray_icon(TrayState.IDLE), self)
        self.menu = QMenu()
        self._build_menu()
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self._refresh()

    def _build_menu(self) -> None:
        self._headline = self.menu.addAction("")
        self._headline.setEnabled(False)
        self._summary = self.menu.addAction("")
        self._summary.setEnabled(False)
        self._status_end = self.menu.addSeparator()
        self.look_action = QAction(_tr("A file needs a look…"), self)
        self.look_action.triggered.connect(self.look_requested.emit)
        self.sync_action = self.menu.addAction(_tr("Sync now"))
        self.sync_action.triggered.connect(self.sync_requested.emit)
        self.menu.setDefaultAction(self.sync_action)
        self.pause_action = self.menu.addAction("")
        self.pause_action.triggered.connect(lambda: self.pause_requested.emit(not self._paused))
        self.menu.addSeparator()
        self.activity_action = self.menu.addAction(_tr("Recent activity…"))
        self.activity_action.triggered.connect(lambda: self.settings_requested.emit("activity"))
        self.folders_menu = self.menu.addMenu(_tr("Open folder"))
        self.add_laptop_action = self.menu.addAction(_tr("Add a laptop…"))
        self.add_laptop_action.triggered.connect(self.add_laptop_requested.emit)
        self.settings_action = self.menu.addAction(_tr("Settings…"))
        self.settings_action.triggered.connect(lambda: self.settings_requested.emit("general"))
        self.menu.addSeparator()
        self.quit_action = self.menu.addAction(_tr("Quit memtray"))
        self.quit_action.triggered.connect(self.quit_requested.emit)
        self._fill_folders()

    @property
    def state(self) -> TrayState:
        return self._state

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_syncing(self, syncing: bool) -> None:
        self._syncing = syncing
        if not syncing:
            self._progress = None
        self._refresh()

    def set_progress(self, progress: SyncProgress) -> None:
        self._progress = progress
        self._refresh()

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        self._refresh()

    def set_offline(self, offline: bool) -> None:
        self._offline = offline
        self._refresh()

    def set_error(self, error: MemtrayError | None) -> None:
        self._error = error
        self._refresh()

    def set_status(self, status: Status) -> None:
        self._status = status
        self._paused = status.paused
        self._fill_folders()
        self._refresh()

    def refresh_times(self) -> None:
        self._refresh()

    def _fill_folders(self) -> None:
        self.folders_menu.clear()
        folders = [folder for folder in (self._status.folders if self._status else ()) if folder.path]
        for folder in folders:
            path = folder.path or ""
            action: QAction = self.folders_menu.addAction(folder.name)
            action.setToolTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_folder(p))
        if not folders:
            self.folders_menu.addAction(_tr("No folders yet")).setEnabled(False)

    def open_folder(self, path: str) -> bool:
        """Show the folder in the file manager; when that fails, ``folder_not_opened`` says so."""
        folder = Path(path)
        opened = folder.is_dir() and QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        if not opened:
            self.folder_not_opened.emit(str(folder))
        return opened

    @property
    def words(self) -> StatusWords:
        return status_words(self._state, self._error, self._progress, self._status, time.time())

    def _refresh(self) -> None:
        state = derive_state(
            syncing=self._syncing,
            paused=self._paused,
            offline=self._offline and needs_network(self._status),
            error=self._error,
            files_to_look_at=files_to_look_at(self._status),
        )
        words = status_words(state, self._error, self._progress, self._status, time.time())
        self._show_look_action(files_to_look_at(self._status) > 0, state is TrayState.ATTENTION and not self._error)
        self._headline.setText(words.headline)
        self._summary.setText(words.summary)
        self.icon.setToolTip(words.tooltip)
        self.pause_action.setText(_tr("Resume automatic sync") if self._paused else _tr("Pause automatic sync"))
        self.sync_action.setText(_tr("Sync once now") if self._paused else _tr("Sync now"))
        if state is not self._state:
            self._state = state
            self.icon.setIcon(tray_icon(state))
            self.state_changed.emit(state)

    def _show_look_action(self, needed: bool, instead_of_headline: bool) -> None:
        present = self.look_action in self.menu.actions()
        if needed and not present:
            self.menu.insertAction(self._status_end, self.look_action)
        elif present and not needed:
            self.menu.removeAction(self.look_action)
        self._headline.setVisible(not (needed and instead_of_headline))

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.sync_requested.emit()
