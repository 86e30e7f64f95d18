"""What this laptop already turned into chunks, per transcript: kept in memtray's data folder, never synced.

For each transcript: how far it was sent (``offset``, always the end of a complete line), fingerprints of the sent
part (its first and its last ``SAMPLE`` bytes), and the size and modification time seen then. A transcript whose
size and time did not change is not opened; one whose fingerprints still match sends only what follows ``offset``;
any other (replaced, cut short, rewritten) is read again and only records no chunk holds yet are sent.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from memtray.paths import write_json_atomic

SAMPLE = 64 << 10


@dataclass
class Sent:
    offset: int
    head: str
    tail: str
    size: int
    mtime_ns: int


def fingerprints(path: Path, offset: int) -> tuple[str, str]:
    """Hashes of the first and of the last ``SAMPLE`` bytes before ``offset``."""
    with path.open("rb") as handle:
        head = handle.read(min(offset, SAMPLE))
        handle.seek(max(0, offset - SAMPLE))
        tail = handle.read(offset - max(0, offset - SAMPLE))
    return hashlib.sha256(head).hexdigest(), hashlib.sha256(tail).hexdigest()


def sent_up_to(path: Path, offset: int) -> Sent:
    """A record that ``path`` was sent up to ``offset``, as it is on disk now."""
    stat = os.stat(path)
    head, tail = fingerprints(path, offset)
    return Sent(offset, head, tail, stat.st_size, stat.st_mtime_ns)


class ExportState:
    """The ``Sent`` record of every transcript, by its path on this laptop."""

    def __init__(self, file: Path) -> None:
        self._file = file
        self._sent: dict[str, Sent] = {}
        self._changed = False
        try:
            loaded = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = {}
        for path, data in loaded.items() if isinstance(loaded, dict) else ():
            try:
                self._sent[path] = Sent(**data)
            except TypeError:
                continue

    def get(self, path: Path) -> Sent | None:
        return self._sent.get(str(path))

    def put(self, path: Path, sent: Sent) -> None:
        self._sent[str(path)] = sent
        self._changed = True

    def unchanged(self, path: Path, sent: Sent | None) -> bool:
        """True when ``path`` has the size and time it had when ``sent`` was recorded."""
        if sent is None:
            return False
        try:
            stat = os.stat(path)
        except OSError:
            return True
        return stat.st_size == sent.size and stat.st_mtime_ns == sent.mtime_ns

    def still_prefix(self, path: Path, sent: Sent) -> bool:
        """True when what was sent of ``path`` is still its beginning (only more was added after it)."""
        try:
            return os.stat(path).st_size >= sent.offset and fingerprints(path, sent.offset) == (sent.head, sent.tail)
        except OSError:
            return False

    def save(self) -> None:
        if self._changed:
            write_json_atomic(self._file, {path: asdict(sent) for path, sent in sorted(self._sent.items())})
            self._changed = False
