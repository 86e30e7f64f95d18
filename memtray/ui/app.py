"""``memtray`` with no sub-command: the tray app.

``run(home)``, called once the command line has found a desktop (``memtray.ui.desktop``), makes sure
only one tray app runs for this home, shows the tray icon, then builds a ``TrayApp``
(``memtray.ui.tray_app``): the service behind its client, the sync controller, the scheduler and the
notifier, wired to the icon.

Whether there is a tray host is decided once, by ``Startup``. At sign-in the panel that hosts the
tray often starts after the apps that start at login, so a missing tray host gets
``TRAY_WAIT_MSECS`` to appear before the settings window opens in its place.

The sync stack (keyring, cryptography, SQLite, watchdog) is imported only once the icon is up, so
the icon appears within the start-up budget; ``TrayApp`` imports it when it is built.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QDeadlineTimer, QObject, QThread, QTimer
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from memtray.paths import Home
from memtray.ui.icons import app_icon
from memtray.ui.single_instance import SingleInstance
from memtray.ui.translations import install_translations
from memtray.ui.tray import Tray
from memtray.ui.tray_app import TrayApp

TRAY_WAIT_MSECS = 5000
TRAY_POLL_MSECS = 200


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


def make_application() -> QApplication:
    """The app's one QApplication: named, with its icon, in the person's language (``memtray.ui.translations``)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("memtray")
    app.setApplicationDisplayName("memtray")
    app.setWindowIcon(app_icon())
    install_translations(app)
    return app


def run(home: Home) -> int:
    """Start the tray app for ``home``; returns the process exit code."""
    app = make_application()
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
