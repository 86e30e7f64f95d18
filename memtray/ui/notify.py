"""Notifications: what to say (``Announcer``) and how to show it (a ``Notifier`` per platform).

Rules the announcer follows:
- Conflicts, errors and a new laptop joining are told, each only if its ``notify_*`` setting is on.
- A successful sync is quiet unless ``notify_success`` is on.
- A problem (error class + message) is told once. Retries that fail the same way stay quiet;
  a successful sync clears the memory, so the same problem coming back later is told again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QMessageBox, QSystemTrayIcon

from memtray.errors import (
    HubAuthError,
    HubError,
    KeychainError,
    MemtrayError,
    PassphraseError,
)
from memtray.model import SyncResult


def _tr(text: str) -> str:
    return QCoreApplication.translate("Notify", text)


class NoticeKind(enum.Enum):
    CONFLICT = "conflict"
    ERROR = "error"
    NEW_DEVICE = "new_device"
    SUCCESS = "success"
    INFO = "info"


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    title: str
    message: str
    tab: str | None = None
    """Settings tab that "Show" opens, if any."""


@dataclass(frozen=True)
class NotifyPrefs:
    conflicts: bool = True
    errors: bool = True
    new_device: bool = True
    success: bool = False


class Notifier(QObject):
    """Shows a notice; ``clicked(Notice)`` when the person clicks it (meaning "Show")."""

    clicked = Signal(Notice)

    def show_notice(self, notice: Notice) -> None:
        raise NotImplementedError


class TrayNotifier(Notifier):
    """Balloons/toasts through the tray icon (Windows toast, macOS notification, freedesktop or Qt balloon)."""

    def __init__(self, icon: QSystemTrayIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icon = icon
        self._last: Notice | None = None
        icon.messageClicked.connect(self._on_clicked)

    def show_notice(self, notice: Notice) -> None:
        self._last = notice
        icons = QSystemTrayIcon.MessageIcon
        kind = icons.Warning if notice.kind is NoticeKind.ERROR else icons.Information
        self._icon.showMessage(notice.title, notice.message, kind, 10000)

    def _on_clicked(self) -> None:
        if self._last is not None:
            self.clicked.emit(self._last)


class DialogNotifier(Notifier):
    """Without a tray: a small non-blocking message box with a Show button."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._boxes: list[QMessageBox] = []

    def show_notice(self, notice: Notice) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning if notice.kind is NoticeKind.ERROR else QMessageBox.Icon.Information,
            notice.title,
            notice.message,
        )
        close = box.addButton(_tr("Close"), QMessageBox.ButtonRole.RejectRole)
        show = box.addButton(_tr("Show"), QMessageBox.ButtonRole.AcceptRole) if notice.tab else None
        box.setDefaultButton(show or close)
        box.finished.connect(lambda _result: self._on_finished(box, notice, show))
        self._boxes.append(box)
        box.open()

    def _on_finished(self, box: QMessageBox, notice: Notice, show: object) -> None:
        self._boxes.remove(box)
        if show is not None and box.clickedButton() is show:
            self.clicked.emit(notice)
        box.deleteLater()


def make_notifier(icon: QSystemTrayIcon | None, parent: QObject | None = None) -> Notifier:
    """Tray notifications when there is a tray that can show them, else small dialogs."""
    if icon is not None and icon.supportsMessages():
        return TrayNotifier(icon, parent)
    return DialogNotifier(parent)


def _tab_for(error: MemtrayError) -> str:
    if isinstance(error, PassphraseError | KeychainError):
        return "security"
    if isinstance(error, HubError) and not isinstance(error, HubAuthError):
        return "hub"
    return "activity"


def _plural(one: str, many: str, count: int) -> str:
    return _tr(one) if count == 1 else QCoreApplication.translate("Notify", many, None, count)


class Announcer:
    """Turns sync outcomes into notices, following the rules in this module's docstring."""

    def __init__(self, notifier: Notifier, prefs: NotifyPrefs | None = None) -> None:
        self._notifier = notifier
        self.prefs = prefs or NotifyPrefs()
        self._told: set[tuple[str, str]] = set()

    def sync_failed(self, error: MemtrayError) -> None:
        key = (type(error).__name__, error.message)
        if key in self._told:
            return
        self._told.add(key)
        if self.prefs.errors:
            self._notifier.show_notice(Notice(NoticeKind.ERROR, error.title, error.message, _tab_for(error)))

    def sync_succeeded(self, result: SyncResult) -> None:
        self._told.clear()
        if result.conflicts and self.prefs.conflicts:
            first = result.conflicts[0]
            message = _plural(
                "“{path}” was changed on two laptops. Both versions are kept. Click to show.",
                "%n files were changed on two laptops. Both versions of each are kept. Click to show.",
                len(result.conflicts),
            ).replace("{path}", first.path)
            self._notifier.show_notice(Notice(NoticeKind.CONFLICT, _tr("Edited in two places"), message, "activity"))
        if result.new_devices and self.prefs.new_device:
            names = ", ".join(result.new_devices)
            message = _plural("{names} joined your vault.", "{names} joined your vault.", len(result.new_devices))
            self._notifier.show_notice(
                Notice(NoticeKind.NEW_DEVICE, _tr("A new laptop joined"), message.replace("{names}", names), "security")
            )
        if self.prefs.success and not result.conflicts:
            self._notifier.show_notice(Notice(NoticeKind.SUCCESS, _tr("memtray"), result.summary(), None))
