"""Find what changed in a folder since the last sync.

The fast path compares size, mtime and inode with what the index saw last time; only files
that differ are read and hashed, and so are files modified too close to when the last scan
started for their stamp to be trusted (see RACY_NS). A file whose content is unchanged just gets
a fresh stamp.

Links are skipped (see containment.py): a link, or a folder that could not be read, is reported
as a problem, and no file the index knew below it becomes a deletion, so the scan agrees with the
writes, which refuse the same paths.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from memtray.errors import LocalFileError
from memtray.sync import containment
from memtray.sync.containment import LINK_PROBLEM, Folder, LinkInTheWay
from memtray.sync.entry import PLAIN_CAPS
from memtray.sync.globs import TEMP_PREFIX, GlobFilter
from memtray.sync.pathsafety import normalise
from memtray.sync.records import DiskStamp, FileRow, FileVersion
from memtray.sync.vectors import VersionVector, bumped

TOO_LARGE = f"is too large to sync (memtray syncs files up to {PLAIN_CAPS['blob'] // 2**20} MB)"


@dataclass
class LocalEdit:
    version: FileVersion
    data: bytes | None
    stamp: DiskStamp | None


@dataclass
class ScanResult:
    edits: list[LocalEdit] = field(default_factory=list)
    restamped: dict[str, DiskStamp | None] = field(default_factory=dict)
    seen: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    unseen: set[str] = field(default_factory=set)
    live_before: int = 0


def _walk(root: Path, rules: GlobFilter, result: ScanResult) -> None:
    """Stat every tracked file below ``root``, holding open only the folders on the current path."""
    try:
        top = containment.open_root(root)
    except OSError as exc:
        _unseen(result, "", exc)
        return
    stack = [(top, iter(_list(top, rules, result)))]
    try:
        while stack:
            folder, subfolders = stack[-1]
            name = next(subfolders, None)
            if name is None:
                stack.pop()[0].close()
                continue
            try:
                child = folder.child(name)
            except OSError as exc:
                _unseen(result, folder.below(name), exc)
                continue
            stack.append((child, iter(_list(child, rules, result))))
    finally:
        for folder, _ in stack:
            folder.close()


def _list(folder: Folder, rules: GlobFilter, result: ScanResult) -> list[str]:
    """Record the tracked files in ``folder``; the names of its sub-folders worth walking."""
    try:
        entries = folder.scandir()
    except OSError as exc:
        _unseen(result, folder.relative, exc)
        return []
    subfolders = []
    for entry in entries:
        name = entry.name
        if name.startswith(TEMP_PREFIX):
            _remove_stale_temp(folder, entry)
            continue
        relative = folder.below(name)
        if containment.entry_is_link(entry):
            result.unseen.add(_key(relative))
            if rules.tracks(relative) or rules.may_contain(relative):
                result.problems[relative] = LINK_PROBLEM
        elif entry.is_dir(follow_symlinks=False):
            if rules.may_contain(relative):
                subfolders.append(name)
        elif entry.is_file(follow_symlinks=False) and rules.tracks(relative):
            stat = entry.stat(follow_symlinks=False)
            result.seen[_key(relative)] = (
                stat.st_size,
                stat.st_mtime_ns,
                stat.st_ino,
            )
    return subfolders


def _unseen(result: ScanResult, relative: str, exc: OSError) -> None:
    """Nothing below ``relative`` could be looked at: report it, and derive no deletion from it."""
    result.unseen.add(_key(relative))
    if isinstance(exc, LinkInTheWay):
        result.problems[relative] = exc.problem_for(relative)
    else:
        result.problems[relative or "."] = f"could not be read ({exc.strerror or type(exc).__name__})"


def _key(relative: str) -> str:
    """How the index names ``relative`` (NFC)."""
    return relative if relative.isascii() else normalise(relative)


def _under_unseen(path: str, unseen: set[str]) -> bool:
    if not unseen:
        return False
    if "" in unseen or path in unseen:
        return True
    cut = path.find("/")
    while cut != -1:
        if path[:cut] in unseen:
            return True
        cut = path.find("/", cut + 1)
    return False


def _remove_stale_temp(folder: Folder, entry: os.DirEntry[str]) -> None:
    """A temp file left by an interrupted write (sync holds the per-home lock, so none is in use)."""
    try:
        if entry.is_file(follow_symlinks=False):
            folder.unlink(entry.name)
    except OSError:
        pass


def read_file(root: Path, relative: str) -> bytes:
    """The file ``relative`` in the folder ``root``, never through a link (see containment.py)."""
    return containment.read_bytes(root, relative)


KnownVersion = Callable[[str, str], VersionVector | None]


def scan_folder(
    root: Path,
    folder_id: str,
    rules: GlobFilter,
    rows: dict[str, FileRow],
    me: str,
    known_version: KnownVersion,
    *,
    hash_after_ns: int,
) -> ScanResult:
    """What changed under ``root``. ``known_version(path, sha)`` names an old version a file may still hold;
    files modified after ``hash_after_ns`` are hashed even when their stamp matches."""
    if not root.is_dir():
        raise LocalFileError(
            f"The folder {root} is missing. Reconnect its drive, or choose where it lives in Settings."
        )
    result = ScanResult()
    _walk(root, rules, result)
    result.live_before = sum(1 for row in rows.values() if not row.version.deleted and row.disk is not None)
    with containment.Reader(root) as reader:
        for path, (size, mtime_ns, inode) in result.seen.items():
            row = rows.get(path)
            stamp_holds = row is not None and row.disk is not None and row.disk.same_file(size, mtime_ns, inode)
            if stamp_holds and mtime_ns <= hash_after_ns:
                continue
            if size > PLAIN_CAPS["blob"]:
                result.problems[path] = TOO_LARGE
                continue
            try:
                data = reader.read(path)
            except LinkInTheWay as exc:
                result.problems[path] = exc.problem_for(path)
                continue
            except OSError as exc:
                result.problems[path] = f"could not be read ({exc.strerror or type(exc).__name__})"
                continue
            sha = hashlib.sha256(data).hexdigest()
            stamp_size = len(data)
            if row is not None and row.disk is not None and sha == row.disk.sha:
                result.restamped[path] = DiskStamp(sha, stamp_size, mtime_ns, inode, row.disk.vv)
                continue
            if row is not None and not row.version.deleted and sha == row.version.sha:
                result.restamped[path] = DiskStamp(sha, stamp_size, mtime_ns, inode, row.version.vv)
                continue
            old = known_version(path, sha) if row is not None and row.disk is None else None
            if old is not None:
                result.restamped[path] = DiskStamp(sha, stamp_size, mtime_ns, inode, old)
                continue
            base = row.disk.vv if row is not None and row.disk is not None else {}
            vv = bumped(base, me, floor=row.version.vv if row is not None else None)
            version = FileVersion(folder_id, path, vv, False, sha, stamp_size, mtime_ns / 1e9, me)
            result.edits.append(LocalEdit(version, data, DiskStamp(sha, stamp_size, mtime_ns, inode, vv)))
    now = time.time()
    for path, row in rows.items():
        if path in result.seen or row.disk is None or not rules.tracks(path) or _under_unseen(path, result.unseen):
            continue
        if row.version.deleted:
            result.restamped[path] = None
            continue
        vv = bumped(row.disk.vv, me, floor=row.version.vv)
        version = FileVersion(folder_id, path, vv, True, "", 0, now, me)
        result.edits.append(LocalEdit(version, None, None))
    return result
