"""A real folder hub that sometimes fails the way the OS and cloud drives make it fail.

Every failure goes through the real ``FolderHub``: errors are the ``OSError`` the OS gives
(ENOSPC, EACCES, EIO) turned into memtray errors by the adapter's own mapping, and a torn write is
a truncated copy stored under the real key, as a cloud drive shows a file it is still uploading.
``finish_uploads`` lands the complete objects, as the cloud drive eventually does.
"""

from __future__ import annotations

import builtins
import errno
import os
import random
import time
from dataclasses import dataclass, field

from memtray.hubs.base import Hub
from memtray.hubs.folder import FolderHub
from tests.prove.fleet import UnpluggableService

WRITE_FAULTS = ("full", "denied", "torn", "slow")
READ_FAULTS = ("denied", "io", "slow")
_ERRNO = {"full": errno.ENOSPC, "denied": errno.EACCES, "io": errno.EIO}


@dataclass
class Faults:
    """What goes wrong, how often, and a log of what did."""

    rng: random.Random
    rate: float = 0.15
    slow_seconds: float = 0.01
    injected: dict[str, int] = field(default_factory=dict)
    torn: dict[str, bytes] = field(default_factory=dict)
    failed_call: str = ""

    def pick(self, kinds: tuple[str, ...]) -> str | None:
        if self.rate <= 0 or self.rng.random() >= self.rate:
            return None
        kind = self.rng.choice(kinds)
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return kind


class FaultyFolderHub:
    def __init__(self, inner: FolderHub, faults: Faults) -> None:
        self.inner = inner
        self.faults = faults
        self.url = inner.url

    def _fail(self, kind: str | None, call: str, doing: str) -> None:
        if kind == "slow":
            time.sleep(self.faults.slow_seconds)
        elif kind in _ERRNO:
            code = _ERRNO[kind]
            self.faults.failed_call = call
            raise self.inner._error(OSError(code, os.strerror(code)), doing)

    def put_new(self, key: str, data: bytes) -> None:
        kind = self.faults.pick(WRITE_FAULTS)
        if kind == "torn":
            self.inner.put_new(key, data[: len(data) // 2])
            self.faults.torn[key] = data
            return
        self._fail(kind, "put_new", "write to the hub folder")
        self.inner.put_new(key, data)

    def get(self, key: str) -> bytes:
        self._fail(self.faults.pick(READ_FAULTS), "get", "read the hub folder")
        return self.inner.get(key)

    def list(self, prefix: str, after: str | None = None) -> builtins.list[str]:
        self._fail(self.faults.pick(READ_FAULTS), "list", "list the hub folder")
        return self.inner.list(prefix, after)

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def close(self) -> None:
        self.inner.close()

    def finish_uploads(self) -> None:
        """The cloud drive finishes: every torn object is replaced by its complete bytes."""
        for key, data in self.faults.torn.items():
            path = self.inner.root.joinpath(*key.split("/"))
            temp = path.with_name(f".landing-{path.name}")
            temp.write_bytes(data)
            os.replace(temp, path)
        self.faults.torn.clear()


class FaultyService(UnpluggableService):
    """The real service whose hub is the real folder hub wrapped in ``FaultyFolderHub``."""

    faults: Faults | None = None
    _faulty: FaultyFolderHub | None = None

    def hub(self) -> Hub:
        real = super().hub()
        if self.faults is None or not isinstance(real, FolderHub):
            return real
        if self._faulty is None or self._faulty.inner is not real:
            self._faulty = FaultyFolderHub(real, self.faults)
        return self._faulty
