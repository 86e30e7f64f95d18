"""``memtray`` with no sub-command: the tray app.

``run(home)`` checks there is a desktop, makes sure only one tray app runs for this home, shows
the tray icon, then builds a ``TrayApp``: the service, a ``ServiceRunner`` (jobs one at a time),
the sync controller, the scheduler and the notifier, wired to the icon with typed signals. Without
a tray host the settings window stands in for the icon; before set-up the setup wizard opens.

Whether there is a tray host is decided once, by ``Startup``. At sign-in the panel that hosts the
tray often starts after the apps that start at login, so a missing tray host gets
``TRAY_WAIT_MSECS`` to appear before the settings window opens in its place.

The sync stack (keyring, cryptography, SQLite, watchdog) is imported only once the icon is up, so
the icon appears within the start-up budget; hence the imports inside ``TrayApp.__init__``.
"""

from __future__ import annotations

import html
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, Qt, QThread, QTimer
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon, QWidget

from memtray.errors import MassDeleteError, MemtrayError
from memtray.hubs.base import ChangeFeed
from memtray.model import Status, SyncResult
from memtray.paths import Home
from memtray.ui.icons import app_icon
from memtray.ui.notify import Announcer, Notice, NoticeKind, Notifier, NotifyPrefs, make_notifier
from memtray.ui.single_instance import SingleInstance
from memtray.ui.sync_controller import ServiceRunner, SyncController
from memtray.ui.tray import Tray

if TYPE_CHECKING:
    from memtray.service import Service
    from memtray.ui.network import NetworkStatus
    from memtray.ui.settings.window import SettingsWindow

NO_DESKTOP_MESSAGE = "memtray needs a desktop to show its tray icon. Without one, use `memtray sync --watch`."
QUIT_WAIT_MSECS = 5000
TRAY_WAIT_MSECS = 5000
TRAY_POLL_MSECS = 200
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "linuxfb", "eglfs", "vkkhrdisplay")


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrayApp", text)


def _x11_reachable(display: str) -> bool:
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        for address in (f"\0/tmp/.X11-unix/X{number}", f"/tmp/.X11-unix/X{number}"):
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                    probe.settimeout(2)
                    probe.connect(address)
                    return True
            except OSError:
                continue
        return False
    try:
        with socket.create_connection((host, 6000 + int(number)), timeout=2):
            return True
    except OSError:
        return False


def has_desktop() -> bool:
    """False when Qt would abort for want of a display (checked before any QApplication exists)."""
    if sys.platform in ("win32", "darwin"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in HEADLESS_PLATFORMS:
        return True
    wayland = os.environ.get("WAYLAND_DISPLAY")
    if wayland and platform in ("", "wayland"):
        runtime = Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent"))
        if (Path(wayland) if os.path.isabs(wayland) else runtime / wayland).exists():
            return True
    display = os.environ.get("DISPLAY")
    return bool(display) and platform in ("", "xcb") and _x11_reachable(display or "")


@dataclass(frozen=True)
class TraySettings:
    paused: bool
    interval_minutes: int
    notify: NotifyPrefs


@dataclass(frozen=True)
class _Loaded:
    settings: TraySettings
    status: Status
    feed: ChangeFeed | None


def read_tray_settings(service: Service) -> TraySettings:
    return TraySettings(
        paused=bool(service.get_setting("paused")),
        interval_minutes=int(service.get_setting("interval_minutes")),
        notify=NotifyPrefs(
            conflicts=bool(service.get_setting("notify_conflicts")),
            errors=bool(service.get_setting("notify_errors")),
            new_device=bool(service.get_setting("notify_new_device")),
            success=bool(service.get_setting("notify_success")),
        ),
    )


class TrayApp(QObject):
    """Everything the running app is made of, wired together; no other object reaches into it."""

    def __init__(
        self,
        home: Home,
        *,
        use_tray: bool | None = None,
        tray: Tray | None = None,
        network: NetworkStatus | None = None,
        parent: QObject | None = None,
    ) -> None:
        from memtray.keychain import Keychain
        from memtray.service import Service
        from memtray.ui.network import network_status
        from memtray.ui.passphrase_dialog import PassphrasePrompter
        from memtray.ui.scheduler import Scheduler

        super().__init__(parent)
        self.home = home
        self.use_tray = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray
        self.prompter = PassphrasePrompter(Keychain(home.keychain_scope), self._passphrase_item, self)
        self.service = Service(home, ask_passphrase=self.prompter.ask)
        self.runner = ServiceRunner(self)
        self.controller = SyncController(self.service, self.runner, self)
        self.network = network or network_status(self)
        self.scheduler = Scheduler(self.controller, self.network, self)
        self.tray = tray or Tray()
        self.tray.setParent(self)
        self.notifier: Notifier = make_notifier(self.tray.icon if self.use_tray else None, self)
        self.announcer = Announcer(self.notifier)
        self._settings_window: SettingsWindow | None = None
        self._wizard: QWidget | None = None
        self._syncing_started = False
        self._mass_delete_box: QMessageBox | None = None
        self._wire()

    def _passphrase_item(self) -> str:
        """The keychain entry ``Service.passphrase`` reads."""
        from memtray.service import PASSPHRASE

        return f"{self.service.config.vault_id}:{PASSPHRASE}"

    def _wire(self) -> None:
        self.controller.running_changed.connect(self.tray.set_syncing)
        self.controller.progress.connect(self.tray.set_progress)
        self.controller.finished.connect(self._on_synced)
        self.controller.failed.connect(self._on_failed)
        self.controller.status_changed.connect(self._on_status)
        self.network.online_changed.connect(lambda online: self.tray.set_offline(not online))
        self.scheduler.heartbeat.connect(self.tray.refresh_times)
        self.tray.sync_requested.connect(self.scheduler.sync_now)
        self.tray.pause_requested.connect(self.set_paused)
        self.tray.settings_requested.connect(self.show_settings)
        self.tray.quit_requested.connect(self.quit)
        self.notifier.clicked.connect(self._on_notice_clicked)
        self.tray.set_offline(not self.network.is_online())

    def _on_notice_clicked(self, notice: Notice) -> None:
        if notice.tab:
            self.show_settings(notice.tab)

    def start(self) -> None:
        if self.use_tray:
            self.tray.show()
        if self.service.is_set_up():
            self.start_syncing()
        else:
            self.show_wizard()

    def start_syncing(self) -> None:
        if self._syncing_started:
            return
        self._syncing_started = True
        if not self.use_tray:
            self.show_settings("general")
        self.runner.run(self._load, self._on_loaded, self._on_load_failed)

    def _load(self) -> _Loaded:
        return _Loaded(read_tray_settings(self.service), self.service.status(), self.service.change_feed())

    def _on_loaded(self, loaded: _Loaded) -> None:
        self._apply_settings(loaded.settings)
        self._on_status(loaded.status)
        self.scheduler.set_change_feed(loaded.feed)
        self.scheduler.start()

    def _on_load_failed(self, error: MemtrayError) -> None:
        """Settings, status or the hub's change feed could not be read: say so, and sync on defaults."""
        self._on_failed(error)
        self.scheduler.start()

    def _apply_settings(self, settings: TraySettings) -> None:
        self.announcer.prefs = settings.notify
        self.scheduler.set_interval_minutes(settings.interval_minutes)
        self.scheduler.set_paused(settings.paused)
        self.tray.set_paused(settings.paused)

    def _on_synced(self, result: SyncResult) -> None:
        self.tray.set_error(None)
        self.announcer.sync_succeeded(result)

    def _on_failed(self, error: MemtrayError) -> None:
        self.tray.set_error(error)
        if isinstance(error, MassDeleteError):
            self._ask_mass_delete(error)
            return
        self.announcer.sync_failed(error)

    def _ask_mass_delete(self, error: MassDeleteError) -> None:
        """A large delete waits for a yes: deleted on purpose, or lost by accident (then keep them)."""
        if self._mass_delete_box is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, error.title, "")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<p><b>{html.escape(error.title)}</b></p><p>{html.escape(error.message)}</p>")
        delete = box.addButton(_tr("&Sync anyway"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(_tr("&Not now"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def answered(_result: int) -> None:
            self._mass_delete_box = None
            if box.clickedButton() is delete:
                self.controller.request(allow_mass_delete=True)
            box.deleteLater()

        box.finished.connect(answered)
        self._mass_delete_box = box
        box.open()
        box.raise_()
        box.activateWindow()

    def _on_status(self, status: Status) -> None:
        self.tray.set_status(status)
        self.scheduler.set_folders(status.folders)

    def set_paused(self, paused: bool) -> None:
        def save() -> TraySettings:
            self.service.set_setting("paused", paused)
            return read_tray_settings(self.service)

        self.runner.run(save, self._apply_settings, self._on_failed)

    def reload_settings(self, area: str) -> None:
        """The settings window changed ``area`` (a setting key, "folders", "hub" or "conflicts")."""
        if area == "hub":
            self.runner.run(self._load, self._on_reloaded, self._on_failed)
            return
        self.runner.run(lambda: read_tray_settings(self.service), self._apply_settings, self._on_failed)
        self.controller.refresh_status()
        if area in ("folders", "conflicts"):
            self.scheduler.sync_now()

    def _on_reloaded(self, loaded: _Loaded) -> None:
        self._apply_settings(loaded.settings)
        self._on_status(loaded.status)
        self.scheduler.set_change_feed(loaded.feed)

    def settings_window(self) -> SettingsWindow:
        if self._settings_window is None:
            from memtray.ui.settings.window import SettingsWindow

            window = SettingsWindow(self.service, self.runner)
            window.setWindowIcon(app_icon())
            window.settings_changed.connect(self.reload_settings)
            if not self.use_tray:
                window.finished.connect(lambda _result: self.quit())
            self._settings_window = window
        return self._settings_window

    def show_settings(self, tab: str) -> None:
        if self._wizard is not None:
            self.show_window()
            return
        self.settings_window().show_tab(tab)

    def show_window(self) -> None:
        """What a second launch asks for: the wizard while setting up, else the settings window."""
        if self._wizard is not None:
            self._wizard.show()
            self._wizard.raise_()
            self._wizard.activateWindow()
            return
        self.show_settings("general")

    def show_wizard(self) -> None:
        try:
            from memtray.ui.wizard import SetupWizard
        except ImportError:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                _tr("memtray is not set up yet"),
                _tr("Set memtray up from a terminal with `memtray init` or `memtray join`, then start it again."),
            )
            box.finished.connect(lambda _result: self.quit())
            box.open()
            self._wizard = box
            return
        wizard = SetupWizard(self.service, self.runner)
        wizard.setWindowIcon(app_icon())
        wizard.completed.connect(self._on_wizard_completed)
        wizard.rejected.connect(self.quit)
        self._wizard = wizard
        wizard.show()
        wizard.raise_()
        wizard.activateWindow()

    def _on_wizard_completed(self) -> None:
        wizard, self._wizard = self._wizard, None
        if wizard is not None:
            wizard.hide()
            wizard.deleteLater()
        self.start_syncing()
        if self.use_tray:
            self.notifier.show_notice(
                Notice(
                    NoticeKind.INFO,
                    _tr("memtray is set up"),
                    _tr("memtray keeps your files in sync from here in the tray. Click its icon to sync now."),
                )
            )

    def quit(self) -> None:
        QCoreApplication.quit()

    def shutdown(self) -> bool:
        """Stop triggers and wait for the running job; False when a job is stuck (a hung hub)."""
        self.scheduler.stop()
        self.prompter.close()
        self.tray.hide()
        finished = self.runner.wait(QUIT_WAIT_MSECS)
        if finished:
            self.service.close()
        return finished


class Startup(QObject):
    """From holding the single-instance lock to a running ``TrayApp``: decides once whether there is a tray host.

    A tray host that is there shows the icon at once. One that is not gets ``TRAY_WAIT_MSECS`` to
    appear (asked every ``TRAY_POLL_MSECS``); only then does the app run without a tray. A second
    launch that asks for the window meanwhile is answered once the app is built.
    """

    def __init__(self, home: Home, instance: SingleInstance, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.home = home
        self.tray = Tray()
        self.tray_app: TrayApp | None = None
        self._show_requested = False
        self._deadline = QDeadlineTimer()
        self._poll = QTimer(self)
        self._poll.setInterval(TRAY_POLL_MSECS)
        self._poll.timeout.connect(self._look_for_tray_host)
        instance.show_requested.connect(self._on_show_requested)

    def begin(self) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.show()
            QTimer.singleShot(0, lambda: self._build(use_tray=True))
            return
        self._deadline = QDeadlineTimer(TRAY_WAIT_MSECS)
        self._poll.start()

    def _look_for_tray_host(self) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._poll.stop()
            self.tray.show()
            self._build(use_tray=True)
        elif self._deadline.hasExpired():
            self._poll.stop()
            self._build(use_tray=False)

    def _build(self, *, use_tray: bool) -> None:
        tray_app = TrayApp(self.home, use_tray=use_tray, tray=self.tray)
        self.tray_app = tray_app
        tray_app.start()
        if self._show_requested:
            tray_app.show_window()

    def _on_show_requested(self) -> None:
        if self.tray_app is None:
            self._show_requested = True
        else:
            self.tray_app.show_window()

    def shutdown(self) -> bool:
        self._poll.stop()
        return self.tray_app is None or self.tray_app.shutdown()


def run(home: Home) -> int:
    """Start the tray app for ``home``; returns the process exit code."""
    if not has_desktop():
        print(_tr(NO_DESKTOP_MESSAGE), file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("memtray")
    app.setApplicationDisplayName("memtray")
    app.setWindowIcon(app_icon())
    # Qt's pixmap cache flushes itself on a 30-second timer for as long as it holds anything, which
    # would wake the idle app twice a minute; the tray's few small pixmaps are cheap to redraw.
    QPixmapCache.setCacheLimit(0)
    instance = SingleInstance(home)
    if not instance.acquire():
        for _attempt in range(5):
            if instance.ask_running_instance_to_show():
                break
            QThread.msleep(200)
        return 0
    app.setQuitOnLastWindowClosed(False)
    startup = Startup(home, instance)
    startup.begin()
    code = app.exec()
    clean = startup.shutdown()
    instance.release()
    if not clean:
        # A sync is blocked inside a hub call that cannot be interrupted. Leaving now is safe:
        # local files are replaced atomically and the index commits after the hub write.
        sys.stdout.flush()
        os._exit(code)
    return code
