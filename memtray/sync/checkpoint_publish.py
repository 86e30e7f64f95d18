"""Publishing this laptop's checkpoint (see checkpoint.py) after a sync, when one is due.

A checkpoint is due when the logs it would cover grew by ``CHECKPOINT_EVERY`` entries since this laptop's last one
(its own entries and those it applied from other laptops), or when its own entries since then add up to more bytes
than the last checkpoint (``MIN_TAIL_BYTES`` at least). So a joining laptop reads one checkpoint per laptop and at
most ``CHECKPOINT_EVERY`` entries of each log after it, and never more bytes of a log than of the checkpoint it could
have read instead; writing one costs the vault's size once every ``CHECKPOINT_EVERY`` syncs. 64 keeps the tail a
joining laptop reads small next to the first push (a few dozen small objects), while a vault of 10,000 small files
(a few MB packed) adds well under 100 KB of checkpoint per sync on average.

Before a laptop's first checkpoint, the bytes its entries are measured against are those of the vault's files that
travel inside entries, uncompressed: a first push's entries hold the vault once, and a checkpoint written right after
would only copy them (it cost a 10,000-note first push a third of its time). Either way a checkpoint is due once the
entries since the last one pass ``LOG_READ_MAX``: a joining laptop holds the log entries it reads after the
checkpoints in memory, while it reads a checkpoint a part at a time.

Nothing is published while a version waits to be sent (held by the secret guard, say): a checkpoint holds only what
is on the hub already, so it never brings a held secret there, and it always covers this laptop's whole log.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

from memtray.sync.checkpoint import (
    CKPT_PREFIX,
    CheckpointHead,
    Head,
    ckpt_key,
    parse_ckpt_key,
    seal_head,
    seal_part,
    split_parts,
)
from memtray.sync.cycle import SyncContext
from memtray.sync.entry import GENESIS, FileChange
from memtray.sync.publish import INLINE_MAX
from memtray.sync.records import FileRow
from memtray.vault.epochs import EpochKeys

CHECKPOINT_EVERY = 64
MIN_TAIL_BYTES = 4 * 1024 * 1024
LOG_READ_MAX = 8 * 1024 * 1024
LAST = "ckpt_last"
"""Index meta: this laptop's newest checkpoint on the hub (``Written`` as JSON)."""


@dataclass(frozen=True)
class Written:
    number: int
    own_seq: int
    covered: int
    """Entries of all logs it covers (the sum of its heads' sequence numbers)."""
    size: int
    """Its sealed bytes, parts included."""


def last_written(index_meta: str | None) -> Written | None:
    if not index_meta:
        return None
    data = json.loads(index_meta)
    return Written(int(data["number"]), int(data["own_seq"]), int(data["covered"]), int(data["size"]))


def due(ctx: SyncContext) -> bool:
    index = ctx.index
    own = int(index.get_meta("seq", "0") or 0)
    if own == 0 or index.pending_files() or index.pending_folder_defs():
        return False
    last = last_written(index.get_meta(LAST))
    covered = own + sum(seq for seq, _ in index.cursors().values())
    grown = covered - (last.covered if last else 0)
    if grown <= 0:
        return False
    if grown >= CHECKPOINT_EVERY:
        return True
    tail = sum(size for _, _, size in index.sent_entries(last.own_seq if last else 0))
    if tail < MIN_TAIL_BYTES:
        return False  # the usual small sync: no need to size the vault
    return tail >= min(LOG_READ_MAX, last.size if last else _inline_bytes(ctx))


def _inline_bytes(ctx: SyncContext) -> int:
    """The size of the vault's files that travel inside entries, uncompressed."""
    query = "SELECT COALESCE(SUM(size), 0) FROM files WHERE deleted = 0 AND size <= ?"
    return int(ctx.index.db.execute(query, (INLINE_MAX,)).fetchone()[0])


def publish_checkpoint(ctx: SyncContext, keys_of: Callable[[], EpochKeys]) -> Written | None:
    """Write a checkpoint of this laptop's applied state if one is due; what was written, or None."""
    if not due(ctx):
        return None
    index = ctx.index
    epoch, keys = keys_of().sealing()
    last = last_written(index.get_meta(LAST))
    on_hub = [parsed[1] for key in ctx.hub.list(f"{CKPT_PREFIX}{ctx.me}/") if (parsed := parse_ckpt_key(key))]
    number = max([last.number if last else 0, *on_hub]) + 1
    hashes: list[str] = []
    size = 0
    try:
        for part_number, part in enumerate(split_parts(_changes(ctx, index.all_files())), start=1):
            sealed = seal_part(keys, ctx.me, number, part_number, part, epoch)
            ctx.hub.put_new(ckpt_key(ctx.me, number, part_number), sealed)
            hashes.append(hashlib.sha256(sealed).hexdigest())
            size += len(sealed)
    except _NoContent:
        return None  # the parts written so far have no head: compaction removes them (see compaction.py)
    own_seq = int(index.get_meta("seq", "0") or 0)
    heads = _heads(ctx, own_seq)
    head = CheckpointHead(ctx.me, number, time.time(), heads, list(index.folder_defs().values()), hashes)
    sealed_head = seal_head(keys, head, epoch=epoch, sign=ctx.signer.sign if ctx.signer is not None else None)
    ctx.hub.put_new(ckpt_key(ctx.me, number), sealed_head)
    written = Written(number, own_seq, sum(head.seq for head in heads.values()), size + len(sealed_head))
    index.set_meta(LAST, json.dumps(asdict(written)))
    return written


def _heads(ctx: SyncContext, own_seq: int) -> dict[str, Head]:
    index = ctx.index
    devices = {record.device_id: record for record in index.devices()}
    cursors = index.cursors()
    heads = {}
    for device, (seq, sealed_hash) in cursors.items():
        if seq > 0:
            record = devices.get(device)
            heads[device] = (
                Head(seq, sealed_hash, record.name, record.platform, record.last_seen or 0.0, record.acks)
                if record is not None
                else Head(seq, sealed_hash)
            )
    acks = {device: seq for device, (seq, _) in cursors.items()}
    own_hash = index.get_meta("hash", GENESIS) or GENESIS
    heads[ctx.me] = Head(own_seq, own_hash, ctx.device_name, sys.platform, time.time(), acks)
    return heads


class _NoContent(Exception):
    """A version whose bytes are neither in the index nor on the hub as a blob: no checkpoint this time."""


def _changes(ctx: SyncContext, rows: Iterable[FileRow]) -> Iterator[FileChange]:
    """Every version this laptop holds, with its content inline as an entry would carry it, or its blob."""
    for row in rows:
        version = row.version
        if version.deleted or (version.size > INLINE_MAX and version.blob is not None):
            yield FileChange(version)
        else:
            data = ctx.index.content(version.sha)
            if data is None or len(data) > INLINE_MAX:
                if version.blob is None:
                    raise _NoContent
                yield FileChange(version)
            else:
                yield FileChange(version, data)
