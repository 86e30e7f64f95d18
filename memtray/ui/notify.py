"""Notifications: what to say (``Announcer``) and how to show it (a ``Notifier`` per platform).

Rules the announcer follows:
- Conflicts, errors and a new laptop joining are told, each only if its ``notify_*`` setting is on.
- A laptop the roster added (``SyncResult.joined``) is told with where to remove it, as it may not be the
  person's; the older "joined" notice from the logs (``new_devices``) is not told again for a name already told.
  A laptop removed (``left``) is always told, and so is each sentence of ``refused``, once while it repeats.
- When this laptop's own text left a file (``SyncResult.displaced``), the notice names the file and the
  other laptop, and opens the conflict; it replaces the general conflict notice for that file.
- Two texts combined into one (``SyncResult.combined``) are told as they come (the sync reports each
  file once per laptop).
- A file the secret guard held back is told once while it stays held, whatever the settings: the notice
  names the file, the line and what was found there, and opens a dialog with "Remove it" and "Send anyway".
- A successful sync is quiet unless ``notify_success`` is on; then it says in plain sentences what happened
  ("Sent 4 changes to your other laptops.").
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
from memtray.model import FileNotice, HeldFile, SyncResult


def _tr(text: str) -> str:
    return QCoreApplication.translate("Notify", text)


class NoticeKind(enum.Enum):
    CONFLICT = "conflict"
    ERROR = "error"
    NEW_DEVICE = "new_device"
    SUCCESS = "success"
    INFO = "info"
    HELD = "held"


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    title: str
    message: str
    tab: str | None = None
    """Settings tab that "Show" opens, if any."""
    held: HeldFile | None = None
    """The held-back file whose dialog "Show" opens, if any."""

    @property
    def shows_something(self) -> bool:
        return self.tab is not None or self.held is not None


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
        show = box.addButton(_tr("Show"), QMessageBox.ButtonRole.AcceptRole) if notice.shows_something else None
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
        self._held_told: set[HeldFile] = set()
        self._joined_told: set[str] = set()
        self._refused_told: set[str] = set()

    def sync_failed(self, error: MemtrayError) -> None:
        key = (type(error).__name__, error.message)
        if key in self._told:
            return
        self._told.add(key)
        if self.prefs.errors:
            self._notifier.show_notice(Notice(NoticeKind.ERROR, error.title, error.message, _tab_for(error)))

    def sync_succeeded(self, result: SyncResult) -> None:
        self._told.clear()
        displaced = {(notice.folder, notice.path) for notice in result.displaced}
        conflicts = [c for c in result.conflicts if (c.folder, c.path) not in displaced]
        if result.displaced and self.prefs.conflicts:
            self._notifier.show_notice(displaced_notice(result.displaced))
        if conflicts and self.prefs.conflicts:
            message = _plural(
                "“{path}” was changed on two laptops. Both versions are kept. Click to show.",
                "%n files were changed on two laptops. Both versions of each are kept. Click to show.",
                len(conflicts),
            ).replace("{path}", conflicts[0].path)
            self._notifier.show_notice(Notice(NoticeKind.CONFLICT, _tr("Edited in two places"), message, "conflicts"))
        if result.combined:
            self._notifier.show_notice(combined_notice(result.combined))
        self._tell_held(result.held)
        self._tell_membership(result)
        new_devices = [name for name in result.new_devices if name not in self._joined_told]
        if new_devices and self.prefs.new_device:
            names = ", ".join(new_devices)
            message = _plural(
                "{names} joined your synced memory.", "{names} joined your synced memory.", len(new_devices)
            )
            self._notifier.show_notice(
                Notice(NoticeKind.NEW_DEVICE, _tr("A new laptop joined"), message.replace("{names}", names), "security")
            )
        if self.prefs.success and not result.conflicts:
            self._notifier.show_notice(Notice(NoticeKind.SUCCESS, _tr("memtray"), sync_sentence(result), None))

    def _tell_membership(self, result: SyncResult) -> None:
        """Laptops the roster added (a new one may be someone else's: say where to remove it) or removed, and
        laptops whose changes were refused, each refusal once while it lasts."""
        self._joined_told.update(result.joined)
        if result.joined and self.prefs.new_device:
            self._notifier.show_notice(joined_notice(result.joined))
        if result.left:
            self._notifier.show_notice(left_notice(result.left))
        new = [sentence for sentence in result.refused if sentence not in self._refused_told]
        self._refused_told = set(result.refused)
        if new:
            self._notifier.show_notice(Notice(NoticeKind.ERROR, _tr("Changes not applied"), " ".join(new), "security"))

    def _tell_held(self, held: list[HeldFile]) -> None:
        """Once per held file while it stays held; a file held again after it was sent is told again."""
        new = [file for file in held if file not in self._held_told]
        self._held_told = set(held)
        if new:
            self._notifier.show_notice(held_notice(new))


def sync_sentence(result: SyncResult) -> str:
    """ "Sent 4 changes to your other laptops. Received 1 change from your other laptops." """
    sentences = []
    if result.uploaded:
        sentences.append(
            _plural("Sent 1 change to your other laptops.", "Sent %n changes to your other laptops.", result.uploaded)
        )
    if result.downloaded:
        sentences.append(
            _plural(
                "Received 1 change from your other laptops.",
                "Received %n changes from your other laptops.",
                result.downloaded,
            )
        )
    if result.deleted_here:
        sentences.append(
            _plural(
                "Deleted 1 file here that another laptop deleted.",
                "Deleted %n files here that another laptop deleted.",
                result.deleted_here,
            )
        )
    if result.merged:
        sentences.append(
            _plural(
                "Combined the changes of two laptops in 1 file.",
                "Combined the changes of two laptops in %n files.",
                result.merged,
            )
        )
    if result.conflicts:
        sentences.append(_plural("1 file needs a look.", "%n files need a look.", len(result.conflicts)))
    if result.problems:
        sentences.append(_plural("1 file was skipped.", "%n files were skipped.", len(result.problems)))
    return " ".join(sentences) if sentences else _tr("Everything is up to date.")


def _more_files(count: int) -> str:
    return _plural("1 more file", "%n more files", count)


def displaced_notice(displaced: list[FileNotice]) -> Notice:
    """ "Your text in CLAUDE.md was set aside: Alice's MacBook changed the same lines. Open it to choose." """
    first = displaced[0]
    if len(displaced) == 1:
        message = _tr("Your text in {path} was set aside: {other} changed the same lines. Open it to choose.")
    else:
        message = _tr(
            "Your text in {path} and {more} was set aside: {other} changed the same lines. Open them to choose."
        )
        message = message.replace("{more}", _more_files(len(displaced) - 1))
    message = message.replace("{path}", first.path).replace("{other}", first.other_device)
    return Notice(NoticeKind.CONFLICT, _tr("Your text was set aside"), message, "conflicts")


def combined_notice(combined: list[FileNotice]) -> Notice:
    """ "CLAUDE.md from this laptop and Alice's MacBook were combined: both texts are kept." """
    first = combined[0]
    if len(combined) == 1:
        message = _tr("{path} from this laptop and {other} were combined: both texts are kept.")
    else:
        message = _tr("{path} and {more} from this laptop and {other} were combined: both texts of each are kept.")
        message = message.replace("{more}", _more_files(len(combined) - 1))
    message = message.replace("{path}", first.path).replace("{other}", first.other_device)
    return Notice(NoticeKind.INFO, _tr("Two texts combined"), message, "activity")


def joined_notice(names: list[str]) -> Notice:
    """ "A new laptop joined: Work laptop. If you did not add it, remove it in Settings → Security → Your laptops." """
    if len(names) == 1:
        message = _tr(
            "A new laptop joined: {name}. If you did not add it, remove it in Settings → Security → Your laptops."
        )
    else:
        message = _tr(
            "New laptops joined: {name}. If you did not add them, remove them in Settings → Security → Your laptops."
        )
    message = message.replace("{name}", ", ".join(names))
    return Notice(NoticeKind.NEW_DEVICE, _tr("A new laptop joined"), message, "security")


def left_notice(names: list[str]) -> Notice:
    """ "Old laptop was removed from your synced memory." """
    if len(names) == 1:
        message = _tr("{name} was removed from your synced memory.")
    else:
        message = _tr("{name} were removed from your synced memory.")
    message = message.replace("{name}", ", ".join(names))
    return Notice(NoticeKind.INFO, _tr("A laptop was removed"), message, "security")


def held_notice(held: list[HeldFile]) -> Notice:
    """ "CLAUDE.md was not sent: line 3 looks like an Anthropic API key." (never the secret itself)"""
    first = held[0]
    message = _tr("{path} was not sent: line {line} looks like {finding}.")
    message = message.replace("{path}", first.path).replace("{line}", str(first.line))
    message = message.replace("{finding}", first.finding)
    if len(held) > 1:
        more = _plural("1 more file was not sent either.", "%n more files were not sent either.", len(held) - 1)
        message = f"{message} {more}"
    return Notice(NoticeKind.HELD, _tr("A file was held back"), message, None, first)
