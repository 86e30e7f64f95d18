"""Sending this laptop's new versions to the hub as log entries, then marking them sent (step 7 of engine.py).

Content up to ``INLINE_MAX`` travels inside the entry; larger files go first as a blob of their own. An
entry is written create-only, so a second laptop syncing under the same identity is noticed, not
overwritten; entries are split at about ``ENTRY_TARGET`` bytes of content. The last entry also tells which
conflicts happened or were resolved here (see conflict_news.py): a resolution with no file to send is still sent.
The secret guard holds back versions that would bring a secret to the hub (see held.py): they stay pending."""

from __future__ import annotations

import hashlib
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping

from memtray.errors import IntegrityError, LocalFileError, ObjectExistsError
from memtray.hubs.keys import blob_key, log_key
from memtray.sync import conflict_news, repair
from memtray.sync.blob_gc import UploadedBlobs
from memtray.sync.contents import with_bytes_at_hand
from memtray.sync.cycle import ACTIVITY_PER_CYCLE, SyncContext
from memtray.sync.entry import GENESIS, INLINE_MAX, FileChange, LogEntry, entry_hash, seal_blob, seal_entry
from memtray.sync.held import hold_back, note_sent, sendable
from memtray.sync.records import FileRow, FileVersion
from memtray.sync.scan import read_file
from memtray.vault.epochs import FIRST_EPOCH, EpochKeys
from memtray.vault.keys import VaultKeys

ENTRY_TARGET = 4 * 1024 * 1024
NOTICE_SENT = "older_release_notice"


def publish(ctx: SyncContext, keys_of: Callable[[], EpochKeys], contents: dict[str, bytes]) -> int:
    """Send every pending version, sealed under the current epoch and signed by ``ctx.signer`` if there is one;
    ``contents`` holds bytes this cycle already has, by SHA-256. How many versions were sent.

    Entries are made one at a time from the pending rows, so at most about two entries' content is held at once
    however many files are sent."""
    index = ctx.index
    pending = deque(hold_back(ctx, index.pending_files(), contents))
    folders = index.pending_folder_defs()
    seq = int(index.get_meta("seq", "0") or 0)
    news = conflict_news.outgoing(index, ctx.me)
    # A renamed laptop sends an entry even with nothing else to send: its name travels in the entry's header.
    renamed = index.device_names().get(ctx.me, ctx.device_name) != ctx.device_name
    if not pending and not folders and not news and not renamed and seq > 0:
        return 0
    epoch, keys = keys_of().sealing()
    sent = 0
    shown: list[FileVersion] = []  # the first ones, for the activity

    def changes() -> Iterator[FileChange]:
        nonlocal sent
        for row, at_hand in with_bytes_at_hand(index, _drained(pending), contents):
            change = _change_for(ctx, row, keys, epoch, at_hand)
            if change is not None:
                sent += 1
                if len(shown) < ACTIVITY_PER_CYCLE:
                    shown.append(change.version)
                yield change
        # After the versions that replaced them, so every laptop already has a newer version when these arrive.
        for version in sendable(ctx, news.set_aside, contents):
            change = _change_for(ctx, FileRow(version, None), keys, epoch, contents)
            if change is not None:
                yield change

    prev = index.get_meta("hash", GENESIS) or GENESIS
    acks = {device: cursor[0] for device, cursor in index.cursors().items()}
    retires, damaged = repair.announcement(index)
    if epoch > FIRST_EPOCH and index.get_meta(NOTICE_SENT) != "sent":
        seq, prev = _send_notice(ctx, keys_of(), seq, prev)
    for batch_number, (batch, last) in enumerate(_batches(changes())):
        seq += 1
        entry = LogEntry(
            ctx.me,
            seq,
            prev,
            ctx.device_name,
            sys.platform,
            time.time(),
            acks,
            folders if batch_number == 0 else [],
            batch,
            retires if batch_number == 0 else [],
            damaged if batch_number == 0 else [],
            conflicts=news.keys(news.opened) if last else [],
            settled=news.keys(news.settled) if last else [],
        )
        sealed = seal_entry(keys, entry, epoch=epoch, signer=ctx.signer)
        _put_entry(ctx, seq, sealed)
        prev = entry_hash(sealed)
        with index.transaction():
            index.mark_sent(change.version for change in batch)
            UploadedBlobs(index).named(change.version.blob for change in batch)
            note_sent(index, (change.version for change in batch))
            if batch_number == 0:
                index.clear_pending_folder_defs()
                repair.clear_announcement(index)
            if last:
                conflict_news.told(index, news)
            index.set_meta("seq", str(seq))
            index.set_meta("hash", prev)
            index.note_entry_sent(seq, entry.time, len(sealed))
            index.put_device(ctx.me, ctx.device_name, sys.platform, seq, time.time(), acks)
    if not sent:
        return 0
    with index.transaction():
        for version in shown:
            kind = "sent-delete" if version.deleted else "sent"
            index.add_activity(kind, version.folder, version.path, "")
    return sent


def _put_entry(ctx: SyncContext, seq: int, sealed: bytes) -> None:
    try:
        ctx.hub.put_new(log_key(ctx.me, seq), sealed)
    except ObjectExistsError as exc:
        raise IntegrityError(
            "Another copy of this laptop's memtray data is syncing with the same identity (was the memtray "
            "folder copied to another computer?). memtray stopped to keep both safe."
        ) from exc


def _send_notice(ctx: SyncContext, keys: EpochKeys, seq: int, prev: str) -> tuple[int, str]:
    """Before this laptop's first entry under a later epoch: an empty entry under the first epoch that laptops on a
    release before membership refuse as "written by a newer memtray" (see entry.NOTICE_FORMAT). Returns the new
    sequence number and chain hash."""
    seq += 1
    entry = LogEntry(ctx.me, seq, prev, "", "", 0.0, notice=True)
    sealed = seal_entry(keys.opening(FIRST_EPOCH), entry, epoch=FIRST_EPOCH, signer=ctx.signer)
    _put_entry(ctx, seq, sealed)
    prev = entry_hash(sealed)
    with ctx.index.transaction():
        ctx.index.set_meta("seq", str(seq))
        ctx.index.set_meta("hash", prev)
        ctx.index.set_meta(NOTICE_SENT, "sent")
        ctx.index.note_entry_sent(seq, time.time(), len(sealed))
    return seq, prev


def _drained(pending: deque[FileRow]) -> Iterator[FileRow]:
    while pending:
        yield pending.popleft()


def _change_for(
    ctx: SyncContext, row: FileRow, keys: VaultKeys, epoch: int, contents: Mapping[str, bytes]
) -> FileChange | None:
    """The change that sends ``row``'s version; None if its folder (or its project) is no longer on this laptop
    or its file changed again since it was scanned."""
    version = row.version
    if version.deleted:
        return FileChange(version)
    data = contents.get(version.sha)
    if data is None:
        data = ctx.index.content(version.sha)
    if data is not None and version.size <= INLINE_MAX:
        return FileChange(version, data)
    if version.blob is not None:
        return FileChange(version)
    if data is None:
        root, disk_path = ctx.folder_roots.get(version.folder), ctx.disk_path(version.folder, version.path)
        if root is None or disk_path is None:
            return None
        try:
            data = read_file(root, disk_path)
        except OSError as exc:
            raise LocalFileError(f"memtray could not read {version.path} to send it ({exc.strerror}).") from exc
        if hashlib.sha256(data).hexdigest() != version.sha:
            return None
    blob_id = uuid.uuid4().hex
    UploadedBlobs(ctx.index).note(blob_id, ctx.me, int(ctx.index.get_meta("seq", "0") or 0))
    ctx.hub.put_new(blob_key(blob_id), seal_blob(keys, blob_id, data, epoch=epoch))
    version.blob = blob_id
    return FileChange(version)


def _batches(changes: Iterable[FileChange]) -> Iterator[tuple[list[FileChange], bool]]:
    """``changes`` in entries of about ``ENTRY_TARGET`` bytes of content, each with whether it is the last; at least
    one, empty when there is nothing to send. An entry is handed out as soon as the next change does not fit in it."""
    batch: list[FileChange] = []
    size = 0
    for change in changes:
        change_size = len(change.data or b"")
        if batch and size + change_size > ENTRY_TARGET:
            yield batch, False
            batch, size = [], 0
        batch.append(change)
        size += change_size
    yield batch, True
