"""Settling a version against this laptop's row of the same file: reconcile the two (see reconcile.py),
then note the outcome in the cycle (step 4 of engine.py).

This is the one place that tells the person what a settlement did to their text:
- ``SyncResult.combined``: this laptop combined its file with another laptop's that shared no earlier
  version, or a version another laptop combined that way replaced this laptop's text. Each laptop hears
  it once: the combining laptop when it combines, every other laptop when the combined version arrives.
- ``SyncResult.displaced``: this laptop's own text is no longer what its file holds (a conflict went
  to the other side). Own text means text this laptop wrote: its edits and the merges it made, not a
  version in which it merely kept another laptop's text (see ``text_author``).
"""

from __future__ import annotations

import time

from memtray.model import FileNotice, SyncResult
from memtray.sync.cycle import Cycle
from memtray.sync.reconcile import Decision, Outcome, reconcile
from memtray.sync.records import FileRow, FileVersion
from memtray.sync.vectors import Order, compare, dominated_by_both


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
    if current is not None:
        _tell_person(cycle, decision, current.version, remote, result, remote_name)


def _tell_person(
    cycle: Cycle, decision: Decision, local: FileVersion, remote: FileVersion, result: SyncResult, remote_name: str
) -> None:
    notice = FileNotice(cycle.folder_defs[local.folder].name, local.path, remote_name)
    replaced_text = not local.deleted and local.sha != decision.version.sha
    if decision.outcome is Outcome.COMBINED or (
        remote.combined and replaced_text and decision.outcome in (Outcome.TAKE, Outcome.MERGED)
    ):
        result.combined.append(notice)
    if decision.outcome is Outcome.RESOLVED and decision.loser is local and _written_here(cycle, local):
        result.displaced.append(notice)


def _written_here(cycle: Cycle, version: FileVersion) -> bool:
    known = [stored.version for stored in cycle.ctx.index.versions(version.folder, version.path)]
    known += [v for v in cycle.history if v.key == version.key]
    return text_author(version, known) == cycle.ctx.me


def text_author(version: FileVersion, known: list[FileVersion]) -> str:
    """The laptop that wrote the text of ``version``: the origin of the oldest of its ancestors in ``known``
    (itself included) that holds the same text. An edit or a merge is its own laptop's text; a version in
    which a laptop kept another laptop's text (a conflict settled its way) is that other laptop's."""
    same_text = [v for v in known if v.sha == version.sha and compare(v.vv, version.vv) in (Order.OLDER, Order.EQUAL)]
    return min(same_text, key=lambda v: sum(v.vv.values()), default=version).origin


def _note_decision(cycle: Cycle, decision: Decision, result: SyncResult, remote: str) -> None:
    version = decision.version
    if decision.content is not None:
        cycle.contents[version.sha] = decision.content
    if decision.publish:
        cycle.history.append(version)
    if decision.outcome is Outcome.MERGED:
        result.merged += 1
        cycle.activity.append(("merged", version.folder, version.path, f"with {remote}"))
    elif decision.outcome is Outcome.COMBINED:
        cycle.activity.append(("combined", version.folder, version.path, f"with {remote}"))
    elif decision.outcome is Outcome.RESOLVED:
        cycle.activity.append(("conflict", version.folder, version.path, f"with {remote}"))
        if decision.conflict_copy_of is not None:
            cycle.copies.append((version, decision.conflict_copy_of))


def _base(local: FileVersion, remote: FileVersion, cycle: Cycle) -> bytes | None:
    """The newest common ancestor's content, for a three-way merge: empty if it was a deletion (both laptops
    wrote the file anew), None if this laptop knows none."""
    candidates = [stored.version for stored in cycle.ctx.index.versions(local.folder, local.path)]
    candidates += [v for v in cycle.history if v.key == local.key]
    ancestors = [v for v in candidates if dominated_by_both(v.vv, local.vv, remote.vv)]
    if not ancestors:
        return None
    newest = max(ancestors, key=lambda v: (sum(v.vv.values()), v.deleted))
    return b"" if newest.deleted else cycle.content(newest)
