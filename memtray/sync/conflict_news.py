"""Conflicts every laptop agrees on: what a laptop's log entries say about them, and what the others do with it.

A conflict happens on the laptop that reconciles two versions whose edits touch the same lines (reconcile.py).
The laptop whose edit arrived first never sees that happen: it just receives the resolution. So the laptop
where it happened says so in its next entry (``LogEntry.conflicts``). A laptop that wrote one of the two texts
records the same conflict, with a copy of the text set aside, so that its own text never leaves its file
unnoticed; a text set aside that only this laptop had travels along in the same entry, as an old version of the
file that every laptop already has a newer one of. A laptop that wrote neither text ignores the news.

When a conflict is resolved on any laptop, its next entry says so (``LogEntry.settled``): every laptop that has
the conflict marks it resolved, removes its copy if the copy still holds exactly the text set aside, and notes
in Activity which laptop resolved it. A conflict is the same on every laptop: same file, same two texts.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from memtray.model import FileNotice, SyncResult
from memtray.sync import containment, localfs
from memtray.sync.conflict_store import News
from memtray.sync.cycle import Cycle
from memtray.sync.entry import CONFLICT_NEWS_MAX, ConflictKey, LogEntry
from memtray.sync.index import Index
from memtray.sync.records import ConflictRecord, DiskStamp, FileVersion


@dataclass(frozen=True)
class Outgoing:
    """What this laptop's next entry tells the others about conflicts."""

    opened: list[ConflictRecord]
    settled: list[ConflictRecord]
    set_aside: list[FileVersion]
    """This laptop's own texts that a conflict set aside here, sent along for the laptops that record it."""

    def __bool__(self) -> bool:
        return bool(self.opened or self.settled)

    def keys(self, which: list[ConflictRecord]) -> list[ConflictKey]:
        return [(r.folder, r.path, r.current_sha, r.other_sha) for r in which]


@dataclass(frozen=True)
class Settlement:
    key: ConflictKey
    device_name: str


def outgoing(index: Index, me: str) -> Outgoing:
    opened = index.conflicts.news(News.OPENED, CONFLICT_NEWS_MAX)
    settled = index.conflicts.news(News.SETTLED, CONFLICT_NEWS_MAX)
    own = (_own_version(index, record, me) for record in opened if record.other_from == me)
    return Outgoing(opened, settled, [version for version in own if version is not None])


def told(index: Index, news: Outgoing) -> None:
    index.conflicts.told([record.conflict_id for record in news.opened + news.settled])


def _own_version(index: Index, record: ConflictRecord, me: str) -> FileVersion | None:
    for stored in index.versions(record.folder, record.path):
        version = stored.version
        if version.sha == record.other_sha and version.origin == me and not version.deleted:
            return version
    return None


def take_news(cycle: Cycle, entry: LogEntry, result: SyncResult, settlements: list[Settlement]) -> None:
    """Note what ``entry`` says about conflicts, after its changes were settled (step 4 of engine.py)."""
    for key in entry.conflicts:
        _join(cycle, key, entry.device_id, result)
    settlements.extend(Settlement(key, entry.device_name) for key in entry.settled)


def _same(key: ConflictKey, kept: FileVersion, other: FileVersion) -> bool:
    folder, path, sha_a, sha_b = key
    return kept.key == (folder, path) and {kept.sha, other.sha} == {sha_a, sha_b}


def _join(cycle: Cycle, key: ConflictKey, announcer: str, result: SyncResult) -> None:
    """Record another laptop's conflict here too, if this laptop wrote one of its two texts."""
    folder, path, kept, other = key
    index, me = cycle.ctx.index, cycle.ctx.me
    if folder not in cycle.ctx.folder_roots or folder not in cycle.folder_defs:
        return
    if index.conflicts.matching(*key) or any(_same(key, *copy) for copy in cycle.copies):
        return
    known = [stored.version for stored in reversed(index.versions(folder, path))]
    known += [version for version in cycle.history if version.key == (folder, path)]
    authors: dict[str, str] = {}
    for version in known:
        if not version.deleted:
            authors.setdefault(version.sha, version.origin)
    if me not in (authors.get(kept), authors.get(other)):
        return
    aside = next((version for version in reversed(known) if version.sha == other and not version.deleted), None)
    if aside is None:
        return
    # The kept side names the laptop the news came from: materialise.py records it without telling the others.
    cycle.copies.append((FileVersion(folder, path, {}, False, kept, 0, 0.0, announcer), aside))
    name = cycle.folder_defs[folder].name
    if authors.get(other) == me and all((notice.folder, notice.path) != (name, path) for notice in result.displaced):
        kept_by = authors.get(kept, announcer)
        result.displaced.append(FileNotice(name, path, cycle.device_name(kept_by)))


def settle_elsewhere(cycle: Cycle, settlements: list[Settlement], result: SyncResult) -> None:
    """Conflicts resolved on other laptops are resolved here too (before this cycle's copies are saved: a conflict
    heard of and settled in the same sync leaves no copy, and no notice that a text was set aside)."""
    conflicts = cycle.ctx.index.conflicts
    for settlement in settlements:
        key = settlement.key
        kept = [copy for copy in cycle.copies if not _same(key, *copy)]
        if len(kept) < len(cycle.copies):
            cycle.copies[:] = kept
            name = cycle.folder_defs[key[0]].name
            result.displaced[:] = [
                notice for notice in result.displaced if (notice.folder, notice.path) != (name, key[1])
            ]
        for record in conflicts.matching(*key):
            if record.resolved:
                continue
            conflicts.resolve(record.conflict_id, tell_others=False)
            remove_copy(cycle.ctx.folder_roots.get(record.folder), record)
            cycle.activity.append(("resolved", record.folder, record.path, f"resolved on {settlement.device_name}"))


def remove_copy(root: Path | None, record: ConflictRecord) -> None:
    """Delete the conflict's copy if it still holds exactly the text set aside (never through a link, never a
    copy the person changed)."""
    if root is None or not record.copy_path:
        return
    try:
        before = os.lstat(root.joinpath(*record.copy_path.split("/")))
        data = containment.read_bytes(root, record.copy_path)
    except OSError:
        return
    sha = hashlib.sha256(data).hexdigest()
    if sha == record.other_sha:
        localfs.delete_checked(
            root, record.copy_path, DiskStamp(sha, before.st_size, before.st_mtime_ns, before.st_ino, {})
        )
