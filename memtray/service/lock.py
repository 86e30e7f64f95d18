"""One sync at a time per home, across processes (tray app, CLI, a second terminal)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import TracebackType

from memtray.errors import BusyError

if sys.platform == "win32":
    import msvcrt

    def _try_lock(handle: int) -> bool:
        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: int) -> None:
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: int) -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)


class HomeLock:
    def __init__(self, path: Path, wait_seconds: float = 60.0) -> None:
        self.path = path
        self.wait_seconds = wait_seconds
        self._handle: int | None = None

    def __enter__(self) -> HomeLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.wait_seconds
        while not _try_lock(handle):
            if time.monotonic() > deadline:
                os.close(handle)
                raise BusyError("Another memtray sync is still running for this laptop. Try again in a moment.")
            time.sleep(0.05)
        self._handle = handle
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._handle is not None:
            _unlock(self._handle)
            os.close(self._handle)
            self._handle = None
