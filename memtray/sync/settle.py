"""Settling a version against this laptop's row of the same file: reconcile the two (see reconcile.py),
then note the outcome in the cycle (step 4 of engine.py)."""

from __future__ import annotations

import time

from memtray.model import SyncResult
from memtray.sync.cycle import Cycle
from memtray.sync.reconcile import Decision, Outcome, reconcile
from memtray.sync.records import FileRow, FileVersion
from memtray.sync.vectors import dominated_by_both


def settle(cycle: Cycle, remote: FileVersion, result: SyncResult, remote_name: str) -> None:
    """Reconcile ``remote`` (from the laptop called ``remote_name``) with this laptop's row of its file."""
    rows = cycle.folder_rows(remote.folder)
    current = rows.get(remote.path)
    decision = reconcile(
        current.version if current else None,
        remote,
        me=cycle.ctx.me,
        policy=cycle.ctx.policy,
        now=time.time(),
        content_of=cycle.content,
        base_of=lambda local, other: _base(local, other, cycle),
    )
    cycle.history.append(remote)
    if decision.outcome is Outcome.KEEP:
        return
    disk = current.disk if current else None
    pending = decision.publish or (
        decision.outcome is Outcome.MERGE_VECTORS and current is not None and current.pending
    )
    rows[remote.path] = FileRow(decision.version, disk, pending)
    cycle.changed.add(remote.key)
    _note_decision(cycle, decision, result, remote_name)


def _note_decision(cycle: Cycle, decision: Decision, result: SyncResult, remote: str) -> None:
    version = decision.version
    if decision.content is not None:
        cycle.contents[version.sha] = decision.content
    if decision.publish:
        cycle.history.append(version)
    if decision.outcome is Outcome.MERGED:
        result.merged += 1
        cycle.activity.append(("merged", version.folder, version.path, f"with {remote}"))
    elif decision.outcome is Outcome.RESOLVED:
        cycle.activity.append(("conflict", version.folder, version.path, f"with {remote}"))
        if decision.conflict_copy_of is not None:
            cycle.copies.append((version, decision.conflict_copy_of))


def _base(local: FileVersion, remote: FileVersion, cycle: Cycle) -> bytes | None:
    """The newest common ancestor's content, for a three-way merge; None if there is none."""
    candidates = [stored.version for stored in cycle.ctx.index.versions(local.folder, local.path)]
    candidates += [v for v in cycle.history if v.key == local.key]
    ancestors = [v for v in candidates if not v.deleted and dominated_by_both(v.vv, local.vv, remote.vv)]
    if not ancestors:
        return None
    newest = max(ancestors, key=lambda v: sum(v.vv.values()))
    return cycle.content(newest)
