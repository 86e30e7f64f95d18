"""One tray app per user and home: a lock file decides, a local socket carries "show yourself".

The first launch holds a ``QLockFile`` in the home's data folder and listens on a
``QLocalServer`` named after the home's keychain scope. A later launch fails to take the lock,
connects to that server, sends ``show`` and exits. A crashed instance leaves a stale lock,
which ``QLockFile`` detects from the dead process id and takes over.
"""

from __future__ import annotations

import getpass
import sys

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from memtray.paths import Home

SHOW_MESSAGE = b"show\n"
# Inno Setup's AppMutex (installers/windows/memtray.iss) names this mutex: while the tray app holds
# it, Setup and the uninstaller ask the person to quit memtray before replacing or removing files.
WINDOWS_MUTEX_NAME = "memtray-single-instance-mutex"
CONNECT_MSECS = 2000


def hold_windows_mutex() -> int | None:
    """On Windows, create the named mutex the installer looks for; Windows frees it when the process ends."""
    if sys.platform != "win32":
        return None
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateMutexW.restype = ctypes.c_void_p
    kernel32.CreateMutexW.argtypes = [ctypes.c_void_p, ctypes.c_bool, ctypes.c_wchar_p]
    handle: int | None = kernel32.CreateMutexW(None, False, WINDOWS_MUTEX_NAME)
    return handle


def server_name(home: Home) -> str:
    return f"memtray-{getpass.getuser()}-{home.keychain_scope}"


class SingleInstance(QObject):
    """``acquire()`` once at start-up; ``show_requested`` fires when a later launch asks."""

    show_requested = Signal()

    def __init__(self, home: Home, parent: QObject | None = None) -> None:
        super().__init__(parent)
        home.ensure()
        self._name = server_name(home)
        self._lock = QLockFile(str(home.data_dir / "tray.lock"))
        self._lock.setStaleLockTime(0)
        self._windows_mutex: int | None = None
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)

    def acquire(self) -> bool:
        """True when this process is now the one instance (and listening)."""
        if not self._lock.tryLock(100):
            return False
        QLocalServer.removeServer(self._name)
        self._server.listen(self._name)
        self._windows_mutex = hold_windows_mutex()
        return True

    def ask_running_instance_to_show(self) -> bool:
        """Tell the instance that holds the lock to show its window; False if it did not answer."""
        socket = QLocalSocket()
        socket.connectToServer(self._name)
        if not socket.waitForConnected(CONNECT_MSECS):
            return False
        socket.write(SHOW_MESSAGE)
        written = socket.waitForBytesWritten(CONNECT_MSECS)
        socket.disconnectFromServer()
        return written

    def release(self) -> None:
        self._server.close()
        self._lock.unlock()

    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._on_ready(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_ready(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(SHOW_MESSAGE.strip()):
            self.show_requested.emit()
