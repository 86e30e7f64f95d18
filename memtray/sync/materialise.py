"""Writing a cycle's outcome to disk, and recording what was written (step 6 of engine.py).

Each file is re-checked just before it is replaced or deleted (see localfs.py); a file that cannot be
written becomes a problem of its folder, never a failed sync. Rows name vault paths; each is written at its
path on this laptop (``SyncContext.disk_path``), and a row whose project is not on this laptop is parked: it
is neither written nor deleted here, and is no problem."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from memtray.model import ConflictInfo, SyncResult
from memtray.sync import localfs
from memtray.sync.conflict_store import News
from memtray.sync.contents import with_bytes_at_hand
from memtray.sync.cycle import ACTIVITY_PER_CYCLE, Cycle, FolderRows, tell_own_writes
from memtray.sync.globs import GlobFilter
from memtray.sync.pathsafety import UnsafePath, check_relative
from memtray.sync.records import DiskStamp, FileRow, FileVersion


def write_to_disk(cycle: Cycle, result: SyncResult) -> None:
    """Bring every live folder's files to the versions of their rows, and save the cycle's conflict copies."""
    for folder_id, (root, rules) in cycle.live_folders().items():
        rows = cycle.folder_rows(folder_id)
        rows.read_unsettled()  # every other row is in step
        problems = cycle.problems.setdefault(folder_id, {})
        taken = _taken(cycle, folder_id, rows) if cycle.ctx.rules.case_insensitive else {}
        writes: list[tuple[FileRow, str, bytes]] = []
        held = 0
        todo = _out_of_step(cycle, folder_id, rows, rules)
        at_hand = with_bytes_at_hand(cycle.ctx.index, (row for _, row, _ in todo), cycle.contents)
        for (path, row, disk_path), (_, contents) in zip(todo, at_hand, strict=True):
            before, planned = row.disk, len(writes)
            problem = _materialise(cycle, root, row, disk_path, taken, result, writes, contents)
            if problem:
                problems[path] = problem
                cycle.activity.append(("skipped", folder_id, path, problem))
            if row.disk is not before:
                cycle.written.add((folder_id, path))
            held += sum(len(data) for _, _, data in writes[planned:])
            if held >= localfs.WRITE_BATCH_BYTES:  # written a batch at a time: their bytes are never all held
                _write(cycle, root, writes, problems, result)
                writes, held = [], 0
        _write(cycle, root, writes, problems, result)
        for version, loser in cycle.copies:
            copy_beside = cycle.ctx.disk_path(folder_id, version.path) if version.folder == folder_id else None
            if copy_beside is not None:
                _save_copy(cycle, root, copy_beside, version, loser, result)


def _out_of_step(cycle: Cycle, folder_id: str, rows: FolderRows, rules: GlobFilter) -> list[tuple[str, FileRow, str]]:
    """The folder's rows whose file on this laptop may have to change, each with its path in the vault and on this
    laptop, in index order."""
    todo = []
    for path in rows.in_index_order():
        row = rows[path]
        if _in_step(row) or not rules.tracks(path):
            continue
        disk_path = cycle.ctx.disk_path(folder_id, path)
        if disk_path is not None:
            todo.append((path, row, disk_path))
    return todo


def _write(
    cycle: Cycle, root: Path, writes: list[tuple[FileRow, str, bytes]], problems: dict[str, str], result: SyncResult
) -> None:
    planned = [(disk_path, data, row.version.sha, row.version.vv, row.disk) for row, disk_path, data in writes]
    for (row, _, _), outcome in zip(writes, localfs.write_many(root, planned), strict=True):
        if isinstance(outcome, str):
            problems[row.version.path] = outcome
            cycle.activity.append(("skipped", row.version.folder, row.version.path, outcome))
            continue
        row.disk = outcome
        cycle.written.add(row.version.key)
        result.downloaded += 1
        cycle.log("received", row.version)


def record_writes(cycle: Cycle, result: SyncResult) -> None:
    """Store what reached the disk, each folder's problems and the cycle's activity, in one transaction."""
    index = cycle.ctx.index
    with index.transaction():
        index.put_files(cycle.rows[folder][path] for folder, path in cycle.written)
        for folder_id, problems in cycle.problems.items():
            index.set_problems(folder_id, problems)
        for kind, folder, path, detail in cycle.activity[:ACTIVITY_PER_CYCLE]:
            index.add_activity(kind, folder, path, detail)
        if len(cycle.activity) > ACTIVITY_PER_CYCLE:
            index.add_activity("more", "", "", f"and {len(cycle.activity) - ACTIVITY_PER_CYCLE} more")
        for conflict in result.conflicts:
            index.add_activity("conflict-copy", conflict.folder, conflict.path, conflict.copy_path or "")
    tell_own_writes(cycle)


def _taken(cycle: Cycle, folder_id: str, rows: FolderRows) -> dict[str, str]:
    """The folder's files on disk by their path on this laptop in lower case, to tell which one a file that
    differs only in upper/lower case would meet."""
    on_disk = (cycle.ctx.disk_path(folder_id, path) for path in rows.paths_on_disk())
    return {disk_path.casefold(): disk_path for disk_path in on_disk if disk_path is not None}


def _materialise(
    cycle: Cycle,
    root: Path,
    row: FileRow,
    disk_path: str,
    taken: dict[str, str],
    result: SyncResult,
    writes: list[tuple[FileRow, str, bytes]],
    contents: Mapping[str, bytes],
) -> str | None:
    """Delete or check one file (at ``disk_path`` on this laptop) now; a file to write joins ``writes`` with its
    bytes (from ``contents`` when there, else as the cycle finds them). Why not, if it can't be done."""
    version, disk = row.version, row.disk
    if version.deleted:
        if disk is None:
            return None
        refusal = localfs.delete_checked(root, disk_path, disk)
        if refusal is None:
            row.disk = None
            taken.pop(disk_path.casefold(), None)
            result.deleted_here += 1
            cycle.log("deleted", version)
        return refusal
    try:
        check_relative(version.path)
        check_relative(disk_path)
    except UnsafePath as exc:
        return f"was refused: {exc}"
    if disk is not None and disk.sha == version.sha:
        if disk.vv != version.vv:
            row.disk = DiskStamp(disk.sha, disk.size, disk.mtime_ns, disk.inode, version.vv)
        return None
    rules = cycle.ctx.rules
    problem = rules.path_problem(disk_path)
    if problem:
        return f"can't be created on this computer: {problem}"
    owner = taken.get(disk_path.casefold())
    if rules.case_insensitive and owner is not None and owner != disk_path:
        return f"can't be created here: '{owner}' differs from it only in upper/lower case"
    data = contents.get(version.sha)
    if data is None:
        data = cycle.content(version)
    if data is None:
        return "its content is not available yet; it will be fetched next time"
    writes.append((row, disk_path, data))
    taken[disk_path.casefold()] = disk_path
    return None


def _save_copy(
    cycle: Cycle, root: Path, disk_path: str, version: FileVersion, loser: FileVersion, result: SyncResult
) -> None:
    """Keep the text a conflict set aside (``loser``; the file is at ``disk_path`` here) in the conflicts folder,
    named after the laptop it came from, and record which text stayed in the file and which laptop wrote each.

    A conflict reconciled here kept a version made here (reconcile.py): the other laptops are told of it. One
    learned from another laptop's news (conflict_news.py) names that laptop, and is not told again."""
    ctx = cycle.ctx
    conflicts = ctx.index.conflicts
    data = cycle.content(loser)
    if data is None:
        return
    kept_from = conflicts.first_author(version.folder, version.path, version.sha) or version.origin
    other_from = conflicts.first_author(version.folder, version.path, loser.sha) or loser.origin
    name = ctx.device_name if other_from == ctx.me else cycle.device_name(other_from)
    try:
        copy = localfs.save_conflict_copy(root, disk_path, data, name, time.time())
    except OSError as exc:
        cycle.problems.setdefault(version.folder, {})[version.path] = (
            f"its conflict copy could not be saved ({exc.strerror or type(exc).__name__})"
        )
        return
    news = News.OPENED if version.origin == ctx.me else News.NONE
    texts = ((version.sha, kept_from), (loser.sha, other_from))
    conflict_id = conflicts.add(version.folder, version.path, copy, *texts, name, news)
    kept_name = ctx.device_name if kept_from == ctx.me else cycle.device_name(kept_from)
    folder_name = cycle.folder_defs[version.folder].name
    result.conflicts.append(
        ConflictInfo(
            conflict_id,
            folder_name,
            version.path,
            copy,
            time.time(),
            name,
            False,
            kept_name,
            kept_is_mine=kept_from == ctx.me,
            other_is_mine=other_from == ctx.me,
        )
    )


def _in_step(row: FileRow) -> bool:
    """The disk already holds exactly this version: nothing to write, check or record."""
    disk = row.disk
    if row.version.deleted:
        return disk is None
    return disk is not None and disk.sha == row.version.sha and disk.vv == row.version.vv
