"""Find what changed in a folder since the last sync.

The fast path compares size, mtime and inode with what the index saw last time; only files
that differ are read and hashed, and so are files modified too close to when the last scan
started for their stamp to be trusted (see RACY_NS). A file whose content is unchanged just gets
a fresh stamp.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from memtray.errors import LocalFileError
from memtray.sync.globs import TEMP_PREFIX, GlobFilter
from memtray.sync.pathsafety import normalise
from memtray.sync.records import DiskStamp, FileRow, FileVersion
from memtray.sync.vectors import VersionVector, bumped


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
    live_before: int = 0


def _walk(root: Path, rules: GlobFilter, out: dict[str, tuple[int, int, int]], problems: dict[str, str]) -> None:
    stack: list[tuple[str, str | Path]] = [("", root)]
    tracks = rules.tracks
    while stack:
        relative_dir, directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            problems[relative_dir or "."] = f"could not be read ({exc.strerror or type(exc).__name__})"
            continue
        prefix = f"{relative_dir}/" if relative_dir else ""
        for entry in entries:
            name = entry.name
            if name.startswith(TEMP_PREFIX):
                _remove_stale_temp(entry)
                continue
            relative = prefix + name
            if entry.is_dir(follow_symlinks=False):
                if rules.may_contain(relative):
                    stack.append((relative, entry.path))
            elif entry.is_file(follow_symlinks=False) and tracks(relative):
                stat = entry.stat(follow_symlinks=False)
                out[relative if relative.isascii() else normalise(relative)] = (
                    stat.st_size,
                    stat.st_mtime_ns,
                    stat.st_ino,
                )


def _remove_stale_temp(entry: os.DirEntry[str]) -> None:
    """A temp file left by an interrupted write (sync holds the per-home lock, so none is in use)."""
    try:
        if entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)
    except OSError:
        pass


def read_file(path: Path) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


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
    _walk(root, rules, result.seen, result.problems)
    result.live_before = sum(1 for row in rows.values() if not row.version.deleted and row.disk is not None)
    for path, (size, mtime_ns, inode) in result.seen.items():
        row = rows.get(path)
        stamp_holds = row is not None and row.disk is not None and row.disk.same_file(size, mtime_ns, inode)
        if stamp_holds and mtime_ns <= hash_after_ns:
            continue
        try:
            data = read_file(root / path)
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
        if path in result.seen or row.disk is None or not rules.tracks(path):
            continue
        if row.version.deleted:
            result.restamped[path] = None
            continue
        vv = bumped(row.disk.vv, me, floor=row.version.vv)
        version = FileVersion(folder_id, path, vv, True, "", 0, now, me)
        result.edits.append(LocalEdit(version, None, None))
    return result
