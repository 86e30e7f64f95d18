"""Compaction: a laptop removes its own log entries and checkpoints that no laptop needs any more (after step 7 of
engine.py, once its checkpoint is written).

An entry ``s`` of this laptop's log is deleted only when all of these hold:
(a) this laptop's own newest checkpoint covers it (a laptop joining later starts from that checkpoint instead);
(b) every current member applied a later entry of this log (``s`` < its acknowledgement, from its newest entry or
    its newest checkpoint): a lagging laptop never loses what it has not read, and the entry each laptop's cursor
    names stays on the hub;
(c) it is older than the retention setting (``None``: kept forever);
and never this laptop's newest entry. Entries go oldest first, so a crash leaves the log a contiguous run. The
checkpoints before the newest two go too (a laptop falls back to the one before the newest if the newest is gone),
and so do parts left by a checkpoint that was never finished. A laptop's version history (Settings → Versions) keeps
what it recorded locally; a laptop that joins later starts its history from the checkpoint.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from memtray.errors import IntegrityError, ObjectMissingError
from memtray.hubs.keys import log_key, parse_log_key
from memtray.membership.view import Membership
from memtray.sync import repair
from memtray.sync.checkpoint import CKPT_PREFIX, ckpt_key, parse_ckpt_key
from memtray.sync.checkpoint_join import checkpoints_on_hub, readers, verified_head
from memtray.sync.checkpoint_publish import LAST, last_written
from memtray.sync.cycle import SyncContext
from memtray.vault.epochs import EpochKeys

DAY = 86400.0
KEEP_CHECKPOINTS = 2


@dataclass(frozen=True)
class Compacted:
    entries: int = 0
    checkpoint_objects: int = 0


def retention_seconds(days: int) -> float | None:
    """The retention setting in seconds; 0 days means forever (None)."""
    return None if days <= 0 else days * DAY


def compact(
    ctx: SyncContext, keys_of: Callable[[], EpochKeys], membership: Membership, retention: float | None
) -> Compacted:
    """Delete what (a)–(c) allow of this laptop's log, and its checkpoints before the newest two."""
    last = last_written(ctx.index.get_meta(LAST))
    if last is None:
        return Compacted()
    removed_checkpoints = _old_checkpoints(ctx)
    if retention is None:
        return Compacted(0, removed_checkpoints)
    own = sorted(parsed[1] for key in ctx.hub.list(f"log/{ctx.me}/") if (parsed := parse_log_key(key)))
    if len(own) < 2:
        return Compacted(0, removed_checkpoints)
    limit = min(last.own_seq, own[-1] - 1, _old_enough(ctx, own, time.time() - retention))
    if limit >= own[0]:
        limit = min(limit, _acknowledged(ctx, keys_of, membership) - 1)
    doomed = [seq for seq in own if seq <= limit]
    for seq in doomed:
        with contextlib.suppress(ObjectMissingError):
            ctx.hub.delete(log_key(ctx.me, seq))
    if doomed:
        ctx.index.forget_sent_entries(doomed[-1])
    return Compacted(len(doomed), removed_checkpoints)


def _old_enough(ctx: SyncContext, own: list[int], cutoff: float) -> int:
    """The newest of this laptop's entries on the hub such that it and all before it were written before
    ``cutoff``. An entry with no record of when it was written (sent by a release before compaction) counts from
    now."""
    when = {seq: at for seq, at, _ in ctx.index.sent_entries()}
    unknown = [seq for seq in own if seq not in when]
    now = time.time()
    for seq in unknown:
        ctx.index.note_entry_sent(seq, now, 0)
        when[seq] = now
    newest = 0
    for seq in own:
        if when[seq] > cutoff:
            break
        newest = seq
    return newest


def _acknowledged(ctx: SyncContext, keys_of: Callable[[], EpochKeys], membership: Membership) -> int:
    """The highest entry of this laptop's log that every other current member has applied."""
    if membership.members:
        others = {device for device in membership.members if membership.is_current_member(device)}
    else:
        others = {record.device_id for record in ctx.index.devices()} - repair.retired(ctx.index)
    others.discard(ctx.me)
    acks = {record.device_id: record.acks.get(ctx.me, 0) for record in ctx.index.devices()}
    lowest = min((acks.get(device, 0) for device in others), default=None)
    if lowest is None:
        return int(ctx.index.get_meta("seq", "0") or 0)
    behind = {device for device in others if acks.get(device, 0) <= lowest}
    listing = checkpoints_on_hub(ctx.hub)
    for device in readers(membership, behind & set(listing)):
        with contextlib.suppress(ObjectMissingError, IntegrityError):
            head = verified_head(ctx.hub, keys_of(), membership, device, listing[device][-1])
            at = head.heads.get(ctx.me)
            acks[device] = max(acks.get(device, 0), at.seq if at else 0)
    return min(acks.get(device, 0) for device in others)


def _old_checkpoints(ctx: SyncContext) -> int:
    """Delete this laptop's checkpoints before the newest ``KEEP_CHECKPOINTS``, and unfinished ones (this runs under
    the sync lock, after any checkpoint of this sync was written);
    the head of each goes first, so no laptop ever sees a checkpoint with parts missing. How many objects went."""
    keys = ctx.hub.list(f"{CKPT_PREFIX}{ctx.me}/")
    parts: dict[int, list[int]] = {}
    for key in keys:
        parsed = parse_ckpt_key(key)
        if parsed:
            parts.setdefault(parsed[1], []).append(parsed[2])
    complete = sorted(number for number, found in parts.items() if 0 in found)
    kept = set(complete[-KEEP_CHECKPOINTS:])
    removed = 0
    for number in sorted(set(parts) - kept):
        for part in sorted(parts[number]):
            with contextlib.suppress(ObjectMissingError):
                ctx.hub.delete(ckpt_key(ctx.me, number, part))
            removed += 1
    return removed
