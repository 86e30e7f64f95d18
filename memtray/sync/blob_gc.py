"""Removing what killed syncs leave on the hub: blobs no entry refers to, and stale temp files.

Orphan blobs. A blob is written before the entry that refers to it (publish.py), so a sync killed in between
leaves a blob nobody can ever need: its id is random and travels only inside an entry of the laptop that wrote
it. Each laptop records every blob it is about to upload (id, time, its own sequence number then) before writing
it, and drops the record once an entry naming the blob is on the hub. ``collect_orphans`` deletes a recorded
blob only when all of these hold:
- it was recorded more than ``BLOB_GRACE`` ago, so a push still in progress is never touched;
- this laptop's log on the hub ends exactly where its index says (no entry of a killed sync awaits adoption), and
  every entry written since the blob's record is there and opens: none of them names it;
- the index does not refer to it either (files or version history).
Any doubt (an entry missing or unreadable, a hub error) deletes nothing. Other laptops' entries and checkpoints
never name such a blob: they only ever learn blob ids from this laptop's entries. On the memtray hub the server
also lets a laptop delete only the blobs it created (it records each object's creator: hubserver/auth.py).

Stale temp files. A folder hub's write goes through a hidden ``.tmp-*`` file (hubs/folder.py), and a WebDAV hub's
on a server that ignores ``If-None-Match`` through a hidden ``.memtray-*`` object (hubs/webdav.py); a killed write
leaves it behind. Any laptop removes those untouched for ``TEMP_GRACE`` (a write in progress keeps its file fresh).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from memtray.errors import MemtrayError
from memtray.hubs.base import Hub
from memtray.hubs.batch import fetch_many
from memtray.hubs.keys import blob_key, log_key, parse_log_key
from memtray.sync.entry import open_entry
from memtray.sync.index import Index
from memtray.vault.epochs import EpochKeys

BLOB_GRACE = 24 * 3600.0
TEMP_GRACE = 3600.0
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS uploaded_blobs "
    "(blob TEXT PRIMARY KEY, device TEXT NOT NULL, after_seq INTEGER NOT NULL, uploaded REAL NOT NULL)"
)

log = logging.getLogger("memtray.sync")


@dataclass
class Tidied:
    orphan_blobs: int = 0
    temp_files: int = 0


class UploadedBlobs:
    """This laptop's blobs sent but not yet named by an entry on the hub, in the index's database."""

    def __init__(self, index: Index) -> None:
        self.db: sqlite3.Connection = index.db
        self.db.execute(SCHEMA)

    def note(self, blob_id: str, device_id: str, after_seq: int, now: float | None = None) -> None:
        """Call before writing ``blob_id``, while ``device_id``'s log ends at ``after_seq``; outside a transaction
        the record is committed at once."""
        self.db.execute(
            "INSERT OR REPLACE INTO uploaded_blobs (blob, device, after_seq, uploaded) VALUES (?, ?, ?, ?)",
            (blob_id, device_id, after_seq, time.time() if now is None else now),
        )

    def named(self, blob_ids: Iterable[str | None]) -> None:
        """An entry naming these blobs is on the hub (or their fate is no longer this record's to decide)."""
        self.db.executemany("DELETE FROM uploaded_blobs WHERE blob = ?", ((b,) for b in blob_ids if b))

    def older_than(self, moment: float) -> list[tuple[str, str, int]]:
        """Blob id, device id and sequence number of the records made before ``moment``."""
        rows = self.db.execute("SELECT blob, device, after_seq FROM uploaded_blobs WHERE uploaded < ?", (moment,))
        return [(str(blob), str(device), int(after)) for blob, device, after in rows]

    def all(self) -> list[str]:
        return [str(blob) for (blob,) in self.db.execute("SELECT blob FROM uploaded_blobs ORDER BY blob")]


def referenced_in_index(index: Index, blob_id: str) -> bool:
    for table in ("files", "versions"):
        if index.db.execute(f"SELECT 1 FROM {table} WHERE blob = ? LIMIT 1", (blob_id,)).fetchone():
            return True
    return False


def collect_orphans(hub: Hub, index: Index, keys: Callable[[], EpochKeys], me: str, *, now: float | None = None) -> int:
    """Delete this laptop's orphan blobs (see the module's notes); how many went."""
    records = UploadedBlobs(index)
    old = records.older_than((time.time() if now is None else now) - BLOB_GRACE)
    # Written under an identity this laptop left (see repair.py): that log is no longer its to read; keep the blob.
    records.named(blob for blob, device, _ in old if device != me)
    candidates = {blob: after for blob, device, after in old if device == me}
    if not candidates:
        return 0
    my_seq = int(index.get_meta("seq", "0") or 0)
    on_hub = {parsed[1] for key in hub.list(f"log/{me}/") if (parsed := parse_log_key(key)) and parsed[0] == me}
    if (max(on_hub) if on_hub else 0) != my_seq:
        return 0
    floor = my_seq
    while floor > 0 and floor in on_hub:
        floor -= 1
    decidable = {blob: after for blob, after in candidates.items() if floor <= after <= my_seq}
    if not decidable:
        return 0
    named = _blobs_named(hub, keys, me, range(min(decidable.values()) + 1, my_seq + 1))
    deleted = 0
    for blob_id in sorted(decidable):
        if blob_id not in named and not referenced_in_index(index, blob_id):
            hub.delete(blob_key(blob_id))
            deleted += 1
        records.named([blob_id])
    return deleted


def _blobs_named(hub: Hub, keys: Callable[[], EpochKeys], me: str, seqs: range) -> set[str]:
    """Every blob id named by this laptop's entries ``seqs``; any entry that does not open raises."""
    named: set[str] = set()
    if not seqs:
        return named
    epoch_keys = keys()
    for seq, (_, sealed) in zip(seqs, fetch_many(hub, (log_key(me, seq) for seq in seqs)), strict=True):
        entry = open_entry(epoch_keys, sealed, me, seq)
        named.update(change.version.blob for change in entry.changes if change.version.blob)
    return named


def remove_stale_temps(hub: Hub, *, now: float | None = None) -> int:
    """A folder or WebDAV hub's temp files left by killed writes (any laptop's); 0 for other hub kinds."""
    remove = getattr(hub, "remove_stale_temps", None)
    return int(remove(TEMP_GRACE, now)) if remove is not None else 0


def tidy_hub(hub: Hub, index: Index, keys: Callable[[], EpochKeys], me: str, *, now: float | None = None) -> Tidied:
    """Both clean-ups; a failure is logged and leaves everything for next time (nothing is ever lost by waiting)."""
    tidied = Tidied()
    try:
        tidied.orphan_blobs = collect_orphans(hub, index, keys, me, now=now)
        tidied.temp_files = remove_stale_temps(hub, now=now)
    except MemtrayError as exc:
        log.warning("tidying the storage did not finish: %s", exc.message)
    return tidied
