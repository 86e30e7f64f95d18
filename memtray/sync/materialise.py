"""Writing a cycle's outcome to disk, and recording what was written (step 6 of engine.py).

Each file is re-checked just before it is replaced or deleted (see localfs.py); a file that cannot be
written becomes a problem of its folder, never a failed sync."""

from __future__ import annotations

import time
from pathlib import Path

from memtray.model import ConflictInfo, SyncResult
from memtray.sync import localfs
from memtray.sync.cycle import ACTIVITY_PER_CYCLE, Cycle
from memtray.sync.pathsafety import UnsafePath, check_relative
from memtray.sync.records import DiskStamp, FileRow, FileVersion


def write_to_disk(cycle: Cycle, result: SyncResult) -> None:
    """Bring every live folder's files to the versions of their rows, and save the cycle's conflict copies."""
    for folder_id, (root, rules) in cycle.live_folders().items():
        rows = cycle.folder_rows(folder_id)
        problems = cycle.problems.setdefault(folder_id, {})
        taken = {path.casefold(): path for path, row in rows.items() if row.disk is not None}
        writes: list[tuple[FileRow, bytes]] = []
        for path, row in rows.items():
            if _in_step(row) or not rules.tracks(path):
                continue
            before = row.disk
            problem = _materialise(cycle, root, row, taken, result, writes)
            if problem:
                problems[path] = problem
                cycle.activity.append(("skipped", folder_id, path, problem))
            if row.disk is not before:
                cycle.written.add((folder_id, path))
        planned = [(row.version.path, data, row.version.sha, row.version.vv, row.disk) for row, data in writes]
        for (row, _), outcome in zip(writes, localfs.write_many(root, planned), strict=True):
            if isinstance(outcome, str):
                problems[row.version.path] = outcome
                cycle.activity.append(("skipped", folder_id, row.version.path, outcome))
                continue
            row.disk = outcome
            cycle.written.add(row.version.key)
            result.downloaded += 1
            cycle.log("received", row.version)
        for version, loser in cycle.copies:
            if version.folder == folder_id:
                _save_copy(cycle, root, version, loser, result)


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


def _materialise(
    cycle: Cycle,
    root: Path,
    row: FileRow,
    taken: dict[str, str],
    result: SyncResult,
    writes: list[tuple[FileRow, bytes]],
) -> str | None:
    """Delete or check one file now; a file to write joins ``writes``. Why not, if it can't be done."""
    version, disk = row.version, row.disk
    if version.deleted:
        if disk is None:
            return None
        refusal = localfs.delete_checked(root, version.path, disk)
        if refusal is None:
            row.disk = None
            taken.pop(version.path.casefold(), None)
            result.deleted_here += 1
            cycle.log("deleted", version)
        return refusal
    try:
        check_relative(version.path)
    except UnsafePath as exc:
        return f"was refused: {exc}"
    if disk is not None and disk.sha == version.sha:
        if disk.vv != version.vv:
            row.disk = DiskStamp(disk.sha, disk.size, disk.mtime_ns, disk.inode, version.vv)
        return None
    rules = cycle.ctx.rules
    problem = rules.path_problem(version.path)
    if problem:
        return f"can't be created on this computer: {problem}"
    owner = taken.get(version.path.casefold())
    if rules.case_insensitive and owner is not None and owner != version.path:
        return f"can't be created here: '{owner}' differs from it only in upper/lower case"
    data = cycle.content(version)
    if data is None:
        return "its content is not available yet; it will be fetched next time"
    writes.append((row, data))
    taken[version.path.casefold()] = version.path
    return None


def _save_copy(cycle: Cycle, root: Path, version: FileVersion, loser: FileVersion, result: SyncResult) -> None:
    """Keep the losing side of a conflict beside the file, named after the laptop it came from."""
    data = cycle.content(loser)
    if data is None:
        return
    ctx = cycle.ctx
    name = ctx.device_name if loser.origin == ctx.me else cycle.device_name(loser.origin)
    try:
        copy = localfs.save_conflict_copy(root, version.path, data, name, time.time())
    except OSError as exc:
        cycle.problems.setdefault(version.folder, {})[version.path] = (
            f"its conflict copy could not be saved ({exc.strerror or type(exc).__name__})"
        )
        return
    conflict_id = ctx.index.add_conflict(version.folder, version.path, copy, version.sha, loser.sha, name)
    folder_name = cycle.folder_defs[version.folder].name
    result.conflicts.append(ConflictInfo(conflict_id, folder_name, version.path, copy, time.time(), name, False))


def _in_step(row: FileRow) -> bool:
    """The disk already holds exactly this version: nothing to write, check or record."""
    disk = row.disk
    if row.version.deleted:
        return disk is None
    return disk is not None and disk.sha == row.version.sha and disk.vv == row.version.vv
