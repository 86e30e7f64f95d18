"""Find what changed in a folder since the last sync.

The fast path compares size, mtime and inode with what the index saw last time; only files
that differ are read and hashed, and so are files modified too close to when the last scan
started for their stamp to be trusted (see RACY_NS). A file whose content is unchanged just gets
a fresh stamp.

Links are skipped (see containment.py): a link, or a folder that could not be read, is reported
as a problem, and no file the index knew below it becomes a deletion, so the scan agrees with the
writes, which refuse the same paths.

The walk sees the folder's paths on disk; the index and the vault use vault paths, which a folder's
``PathMap`` translates (see memtray.projects: a Claude Code project's memory is kept under its project's
identity, not under this laptop's folder name for it). A file the index knows whose project is not on this
laptop (``to_disk`` is None) is parked: it is never a deletion. A file that disappeared from one vault path
because its disk file now belongs to another (say, the old folder-name path of a project's memory) is a
deletion, but a move: it is counted apart, so it never looks like a mass delete.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from memtray.errors import LocalFileError
from memtray.projects.pathmap import PathMap
from memtray.sync import containment
from memtray.sync.containment import LinkInTheWay
from memtray.sync.entry import PLAIN_CAPS
from memtray.sync.globs import GlobFilter
from memtray.sync.quiet import FolderLook
from memtray.sync.records import DiskStamp, FileRow, FileVersion, FolderDef
from memtray.sync.vectors import VersionVector, bumped
from memtray.sync.walk import RACY_NS, Stat, Walked, index_name, list_folder, note_unseen, walk, walk_below

TOO_LARGE = f"is too large to sync (memtray syncs files up to {PLAIN_CAPS['blob'] // 2**20} MB)"


@dataclass
class LocalEdit:
    version: FileVersion
    data: bytes | None
    stamp: DiskStamp | None


@dataclass
class ScanResult(Walked):
    edits: list[LocalEdit] = field(default_factory=list)
    restamped: dict[str, DiskStamp | None] = field(default_factory=dict)
    moved: int = 0
    """How many of the deletions in ``edits`` are files still here, now synced under another vault path."""


@dataclass(frozen=True)
class Unread:
    """A folder whose index rows are not read yet: the stamp on disk (size, mtime, inode) of each of its files that
    has one, by vault path, and how to read all its rows."""

    stamps: Mapping[str, Stat]
    read_all: Callable[[], None]


def _as_stamped(found: dict[str, tuple[str, Stat]], stamps: Mapping[str, Stat], hash_after_ns: int) -> bool:
    """The walk found exactly the files the index has a stamp for, each with that stamp and none modified too
    recently for its stamp to show a second change."""
    if len(found) != len(stamps):
        return False
    return all(stat[1] <= hash_after_ns and stamps.get(path) == stat for path, (_, stat) in found.items())


class Reach:
    """What a scan of only the reported paths looked at: a file the index knows counts as deleted only when its
    place on disk is within reach and the scan did not see it."""

    def __init__(self) -> None:
        self.trees: set[str] = set()
        """Reported paths: each was looked at, with everything below it."""
        self.listed: set[str] = set()
        """Folders whose every file was looked at (not their sub-folders)."""
        self._tops: set[str] | None = None

    def covers(self, disk_path: str) -> bool:
        if self._tops is None:  # the first part of every path within reach: most files are rejected by it alone
            self._tops = {path.partition("/")[0] for path in self.trees | self.listed}
        top, slash, _ = disk_path.partition("/")
        if top not in self._tops and not (not slash and "" in self.listed):
            return False
        folder = disk_path.rpartition("/")[0]
        if folder in self.listed or disk_path in self.trees:
            return True
        cut = disk_path.find("/")
        while cut != -1:
            if disk_path[:cut] in self.trees:
                return True
            cut = disk_path.find("/", cut + 1)
        return False


def _walk_reported(root: Path, rules: GlobFilter, result: ScanResult, reported: frozenset[str]) -> Reach:
    """Stat only the ``reported`` paths (a folder among them with everything below it); a path named with a
    trailing "/" also has its folder's files looked at (after a delete or a rename there)."""
    reach = Reach()
    names: dict[str, set[str] | None] = {}
    for path in reported:
        whole = path.endswith("/")
        path = index_name(path.rstrip("/"))
        folder, _, name = path.rpartition("/")
        reach.trees.add(path)
        if whole:
            reach.listed.add(folder)
            names[folder] = None
            continue
        wanted = names.setdefault(folder, set())
        if wanted is not None:
            wanted.add(name)
    for folder, wanted in sorted(names.items()):
        try:
            with containment.folders_to(root, folder) as chain:
                top = chain.pop()
                subfolders = list_folder(top, rules, result, wanted)
                within = [name for name in subfolders if index_name(top.below(name)) in reach.trees]
                walk_below(top, within, rules, result)
        except (FileNotFoundError, NotADirectoryError):
            reach.trees.add(folder)  # the folder itself is gone: so is every file the index knew in it
        except OSError as exc:
            note_unseen(result, folder, exc)
    return reach


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


def _by_vault_path(result: ScanResult, paths: PathMap) -> dict[str, tuple[str, Stat]]:
    """The files the walk saw, by vault path: each with its path on disk and its stat. A file that is not
    synced here is left out; two files claiming one vault path are a problem, and only the first is synced."""
    found: dict[str, tuple[str, Stat]] = {}
    for disk_path in sorted(result.seen):
        vault_path = paths.to_vault(disk_path)
        if vault_path is None:
            continue
        if vault_path in found:
            result.problems[disk_path] = (
                f"belongs to the same project as {found[vault_path][0]}, which memtray syncs instead; "
                "choose one folder with 'memtray projects link'"
            )
            continue
        found[vault_path] = (disk_path, result.seen[disk_path])
    return found


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
    paths: PathMap,
    reported: frozenset[str] | None = None,
    contents: dict[str, bytes] | None = None,
    unread: Unread | None = None,
) -> ScanResult:
    """What changed under ``root``, by vault path (``paths`` translates). ``known_version(path, sha)`` names an old
    version a file may still hold; files modified after ``hash_after_ns`` are hashed even when their stamp
    matches. With ``reported`` (the paths a watcher saw change, see ``_walk_reported``) only those are looked at
    and every other file is taken as the index has it; None walks the whole folder. The bytes of each new version
    go to ``contents`` by SHA-256 when given (so a large scan need not hold them all), else with its edit.
    With ``unread``, a whole walk that finds the files exactly as stamped changes nothing and reads no row (reading
    10,000 rows costs more than the walk); anything else reads them all first."""
    if not root.is_dir():
        raise LocalFileError(
            f"The folder {root} is missing. Reconnect its drive, or choose where it lives in Settings."
        )
    result = ScanResult()
    reach: Reach | None = None
    if reported is None or "" in reported:
        walk(root, rules, result)
    else:
        reach = _walk_reported(root, rules, result, reported)
    found = _by_vault_path(result, paths)
    if reach is not None and any(paths.to_disk(vault) != disk for vault, (disk, _) in found.items()):
        # A file seen under another vault path than its own (a project's memory moving): the whole folder decides.
        return scan_folder(
            root,
            folder_id,
            rules,
            rows,
            me,
            known_version,
            hash_after_ns=hash_after_ns,
            paths=paths,
            reported=None,
            contents=contents,
        )
    if unread is not None:
        if reach is None and _as_stamped(found, unread.stamps, hash_after_ns):
            return result
        unread.read_all()
    with containment.Reader(root) as reader:
        for path, (disk_path, (size, mtime_ns, inode)) in found.items():
            row = rows.get(path)
            stamp_holds = row is not None and row.disk is not None and row.disk.same_file(size, mtime_ns, inode)
            if stamp_holds and mtime_ns <= hash_after_ns:
                continue
            if size > PLAIN_CAPS["blob"]:
                result.problems[disk_path] = TOO_LARGE
                continue
            try:
                data = reader.read(disk_path)
            except LinkInTheWay as exc:
                result.problems[disk_path] = exc.problem_for(disk_path)
                continue
            except OSError as exc:
                result.problems[disk_path] = f"could not be read ({exc.strerror or type(exc).__name__})"
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
            if contents is not None:
                contents[sha] = data
            kept = None if contents is not None else data
            result.edits.append(LocalEdit(version, kept, DiskStamp(sha, stamp_size, mtime_ns, inode, vv)))
    now = time.time()
    synced_on_disk = {disk_path for disk_path, _ in found.values()}
    for path, row in rows.items():
        if path in found or row.disk is None:
            continue
        was_at = paths.to_disk(path)
        if was_at is None and path in synced_on_disk:
            was_at = path  # kept under its folder name before (see the module docstring); synced elsewhere now
        if was_at is None or (reach is not None and not reach.covers(was_at)):
            continue
        if not rules.tracks(path) or _under_unseen(was_at, result.unseen):
            continue
        moved = was_at in result.seen
        if moved and was_at not in synced_on_disk:
            continue
        if row.version.deleted:
            result.restamped[path] = None
            continue
        vv = bumped(row.disk.vv, me, floor=row.version.vv)
        version = FileVersion(folder_id, path, vv, True, "", 0, now, me)
        result.edits.append(LocalEdit(version, None, None))
        result.moved += moved
    return result


def quiet_look(
    definition: FolderDef,
    root: Path,
    scan: ScanResult,
    rows: Mapping[str, FileRow],
    paths: PathMap,
    scan_started_ns: int,
) -> FolderLook:
    """What a quick no-change check compares the folder with (see quiet.py), after a whole walk and its restamps:
    the walk, and the content of each file modified too close to the scan for its stat to show a second change. No
    digest for a folder with edits, or with such a file whose content the index does not hold: it is not quiet."""
    look = FolderLook(definition.folder_id, str(root), list(definition.include), list(definition.exclude), "")
    if scan.edits:
        return look
    racy = {}
    for disk_path, (size, mtime_ns, inode) in scan.seen.items():
        if mtime_ns < scan_started_ns - RACY_NS:
            continue
        vault_path = paths.to_vault(disk_path)
        row = rows.get(vault_path) if vault_path is not None else None
        if row is None or row.disk is None or not row.disk.same_file(size, mtime_ns, inode):
            return look
        racy[disk_path] = row.disk.sha
    return replace(look, digest=scan.digest(), racy=racy)
