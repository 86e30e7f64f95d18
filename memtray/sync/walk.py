"""The walk of a synced folder: the stat of every tracked file, and what could not be looked at.

The scan (scan.py) walks before it compares with the index; the quick no-change check (quiet.py) walks the same way
and compares a digest of what it saw with the one the last sync recorded. Both see exactly the same files: links are
never followed (see containment.py) and folders nothing can be tracked in are skipped. The scan, under the home
lock, also removes a temp file an interrupted write left; the quick check holds no lock and leaves temp files alone.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from memtray.sync import containment
from memtray.sync.containment import LINK_PROBLEM, Folder, LinkInTheWay
from memtray.sync.globs import TEMP_PREFIX, GlobFilter
from memtray.sync.pathsafety import normalise

# File systems with coarse timestamps (FAT: 2 s; HFS+, ext3, many network shares: 1 s) can change a
# file twice without changing its size, mtime or inode. A file modified this close to when its stamp
# was taken is compared by content, not by its stamp.
RACY_NS = 2_000_000_000

Stat = tuple[int, int, int]
"""A file's size, mtime (ns) and inode: what tells the walk that it changed."""


@dataclass
class Walked:
    seen: dict[str, Stat] = field(default_factory=dict)
    """Every tracked file found, by its path on disk (NFC)."""
    problems: dict[str, str] = field(default_factory=dict)
    unseen: set[str] = field(default_factory=set)
    """Paths below which nothing could be looked at (a link, a folder that could not be read)."""
    tidy: bool = True
    """Remove the temp files an interrupted write left; only a walk under the home lock may (none is in use then)."""
    temp_seen: bool = False
    """A temp file was found and, not tidying, left alone: a write may be under way."""

    def digest(self) -> str:
        """What the walk saw, in 64 hex digits: equal digests, equal files, stats and problems."""
        seen = sorted(self.seen.items())
        return hashlib.sha256(repr((seen, sorted(self.unseen), sorted(self.problems.items()))).encode()).hexdigest()


def walk(root: Path, rules: GlobFilter, result: Walked) -> None:
    """Stat every tracked file below ``root``, holding open only the folders on the current path."""
    try:
        top = containment.open_root(root)
    except OSError as exc:
        note_unseen(result, "", exc)
        return
    walk_below(top, list_folder(top, rules, result), rules, result)


def walk_below(top: Folder, names: list[str], rules: GlobFilter, result: Walked) -> None:
    """Stat every tracked file in the sub-folders ``names`` of the open ``top`` (closed when done), and below."""
    stack = [(top, iter(names))]
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
                note_unseen(result, folder.below(name), exc)
                continue
            stack.append((child, iter(list_folder(child, rules, result))))
    finally:
        for folder, _ in stack:
            folder.close()


def list_folder(folder: Folder, rules: GlobFilter, result: Walked, names: set[str] | None = None) -> list[str]:
    """Record the tracked files in ``folder`` (only those called ``names``, when given); the names of its
    sub-folders worth walking."""
    try:
        entries = folder.scandir()
    except OSError as exc:
        note_unseen(result, folder.relative, exc)
        return []
    subfolders = []
    for entry in entries:
        name = entry.name
        if names is not None and name not in names:
            continue
        if name.startswith(TEMP_PREFIX):
            if result.tidy:
                _remove_stale_temp(folder, entry)
            else:
                result.temp_seen = True
            continue
        relative = folder.below(name)
        if containment.entry_is_link(entry):
            result.unseen.add(index_name(relative))
            if rules.tracks(relative) or rules.may_contain(relative):
                result.problems[relative] = LINK_PROBLEM
        elif entry.is_dir(follow_symlinks=False):
            if rules.may_contain(relative):
                subfolders.append(name)
        elif entry.is_file(follow_symlinks=False) and rules.tracks(relative):
            stat = entry.stat(follow_symlinks=False)
            result.seen[index_name(relative)] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    return subfolders


def note_unseen(result: Walked, relative: str, exc: OSError) -> None:
    """Nothing below ``relative`` could be looked at: report it, and derive no deletion from it."""
    result.unseen.add(index_name(relative))
    if isinstance(exc, LinkInTheWay):
        result.problems[relative] = exc.problem_for(relative)
    else:
        result.problems[relative or "."] = f"could not be read ({exc.strerror or type(exc).__name__})"


def index_name(relative: str) -> str:
    """How the index names ``relative`` (NFC)."""
    return relative if relative.isascii() else normalise(relative)


def _remove_stale_temp(folder: Folder, entry: os.DirEntry[str]) -> None:
    """A temp file left by an interrupted write."""
    try:
        if entry.is_file(follow_symlinks=False):
            folder.unlink(entry.name)
    except OSError:
        pass
