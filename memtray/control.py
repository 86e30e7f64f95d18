"""The running memtray's door for the command line: ``memtray sync`` asks the tray app (or a ``memtray sync --watch``)
of the same home to sync, instead of unlocking and reading everything again in a new process.

One Unix socket per home, ``control.sock`` in the home's private data folder (0700; the socket itself 0600), and on
Linux the caller's user id checked again from the socket (SO_PEERCRED). One JSON line each way, both bounded in size
and time. No listener, a path too long for a Unix socket, or Windows (no Unix sockets there): the command line does
the work itself, as before. This module imports nothing of memtray's beyond paths, so asking costs the command line
almost nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import struct
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from memtray.paths import Home

MAX_REQUEST = 4096
MAX_REPLY = 1 << 20
CONNECT_SECONDS = 1.0
REPLY_SECONDS = 15 * 60.0
REQUEST_SECONDS = 2.0
MAX_SOCKET_PATH = 103
log = logging.getLogger("memtray.control")

Request = dict[str, Any]
Reply = dict[str, Any]


def socket_path(home: Home) -> Path | None:
    """Where this home's running memtray listens; None where it cannot (Windows, or a path too long for a socket)."""
    path = home.data_dir / "control.sock"
    if not hasattr(socket, "AF_UNIX") or len(os.fsencode(path)) > MAX_SOCKET_PATH:
        return None
    return path


def ask_running(home: Home, request: Request) -> Reply | None:
    """The reply of this home's running memtray to ``request``; None when none is listening (do the work here)."""
    path = socket_path(home)
    if path is None or not path.exists():
        return None
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.settimeout(CONNECT_SECONDS)
        try:
            client.connect(str(path))
        except OSError:
            return None  # a socket left by a process that ended: nobody is listening
        client.settimeout(REPLY_SECONDS)
        client.sendall(json.dumps(request).encode("utf-8") + b"\n")
        reply = _read_line(client, MAX_REPLY)
    finally:
        client.close()
    if reply is None:
        return None  # the running memtray ended while answering: do the work here
    answer = json.loads(reply)
    if not isinstance(answer, dict) or answer.get("decline") is True:
        return None  # not something the running memtray does for the command line: do it here
    return answer


class ControlServer:
    """Answers requests on this home's socket, one at a time, on its own thread, with ``handle``."""

    def __init__(self, home: Home, handle: Callable[[Request], Reply]) -> None:
        self._path = socket_path(home)
        self._handle = handle
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def listening(self) -> bool:
        return self._listener is not None

    def start(self) -> None:
        """Listen, unless another running memtray of this home already does (then the command line asks that one)."""
        path = self._path
        if path is None or _listening(path):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_mask = os.umask(0o177)
        try:
            listener.bind(str(path))
        except OSError as exc:
            listener.close()
            log.info("the command line's door stays closed: %s", exc.strerror)
            return
        finally:
            os.umask(old_mask)
        listener.listen(4)
        self._listener = listener
        self._thread = threading.Thread(target=self._serve, name="memtray-control", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                self._path.unlink()

    def _serve(self) -> None:
        while self._listener is not None:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with connection:
                self._answer(connection)

    def _answer(self, connection: socket.socket) -> None:
        if not _same_user(connection):
            return
        connection.settimeout(REQUEST_SECONDS)
        try:
            line = _read_line(connection, MAX_REQUEST)
            request = json.loads(line) if line else None
        except (OSError, ValueError):
            return
        if not isinstance(request, dict):
            return
        reply = self._handle(request)
        connection.settimeout(REPLY_SECONDS)
        with contextlib.suppress(OSError):
            connection.sendall(json.dumps(reply).encode("utf-8") + b"\n")


def _listening(path: Path) -> bool:
    """Whether a process already listens at ``path``."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(CONNECT_SECONDS)
        probe.connect(str(path))
    except OSError:
        return False
    finally:
        probe.close()
    return True


def _same_user(connection: socket.socket) -> bool:
    """On Linux, whether the caller runs as this user (the folder's permissions already say so elsewhere)."""
    if not sys.platform.startswith("linux"):
        return True
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", credentials)
    return uid == os.getuid()


def _read_line(connection: socket.socket, limit: int) -> bytes | None:
    """One newline-ended line of at most ``limit`` bytes; None if the peer closed first or sent too much."""
    received = bytearray()
    while b"\n" not in received:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        received += chunk
        if len(received) > limit:
            return None
    return bytes(received.split(b"\n", 1)[0])
