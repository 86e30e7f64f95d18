"""Starting from checkpoints: how a laptop with nothing applied, or one whose next entries were compacted away,
catches up without reading every log from the start (step 3 of engine.py, before the logs are read).

- Only checkpoints of current members are read (every laptop's, when the vault has no roster yet); a head must be
  signed by its author's key in the roster, else the sync stops naming it (someone wrote it in that laptop's name).
- The newest checkpoint of each laptop is a candidate, or the one before it when the newest is gone; never one that
  covers less of its author's log than this laptop already applied (a hub cannot roll a laptop back with an old one).
  The candidate covering most is taken, then another only while a log still has a gap it moves past (usually one is
  enough: each laptop removes only entries every member has applied, so every member's newest checkpoint covers them).
- A checkpoint whose chain heads disagree with entries still on the hub (another hash, or an entry the hub does not
  have) is refused, naming the checkpoint.
- Its versions are settled exactly as an entry's are (its state is versions like any others: a version this laptop
  already has a newer one of changes nothing); each log's cursor moves to the furthest head, never back. The logs are
  then read after those heads, and the chain check carries on from their hashes (pull.py). A checkpoint's parts,
  and the entries its chain heads name, are fetched in batches (hubs/batch.py), not one request each.
- An entry gone from the front of a laptop's log is accepted only when a verified checkpoint of that laptop covers
  it (``Coverage``); otherwise it is still a hub that lost data.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable

from memtray.errors import IntegrityError, MembershipError, ObjectMissingError, RollbackError
from memtray.hubs.base import Hub
from memtray.hubs.batch import fetch_many
from memtray.hubs.keys import log_key
from memtray.membership.laptop_key import verify_signature
from memtray.membership.view import Membership
from memtray.model import SyncResult
from memtray.sync import admission
from memtray.sync.checkpoint import CKPT_PREFIX, CheckpointHead, Head, ckpt_key, open_head, open_part, parse_ckpt_key
from memtray.sync.cycle import Cycle
from memtray.sync.entry import entry_hash
from memtray.sync.pathsafety import MAX_PATH_CHARS
from memtray.sync.settle import settle
from memtray.vault.epochs import EpochKeys

NOT_USED = "memtray did not use it. Nothing on this laptop was changed."


def checkpoints_on_hub(hub: Hub) -> dict[str, list[int]]:
    """Per laptop, the numbers of its checkpoints whose head is on the hub, ascending."""
    found: dict[str, list[int]] = defaultdict(list)
    for key in hub.list(CKPT_PREFIX):
        parsed = parse_ckpt_key(key)
        if parsed and parsed[2] == 0:
            found[parsed[0]].append(parsed[1])
    return {device: sorted(numbers) for device, numbers in found.items()}


def readers(membership: Membership, authors: set[str]) -> set[str]:
    """The authors whose checkpoints may be read: current members, or everyone while the vault has no roster."""
    if not membership.members:
        return set(authors)
    return {device for device in authors if membership.is_current_member(device)}


def verified_head(hub: Hub, keys: EpochKeys, membership: Membership, device: str, number: int) -> CheckpointHead:
    """Checkpoint ``number`` of ``device``, opened and checked against its author's key in the roster."""
    key = ckpt_key(device, number)
    opened = open_head(keys, hub.get(key), device, number)
    member = membership.members.get(device)
    if membership.members:
        if member is None or opened.signature is None:
            raise MembershipError(
                f"The stored item {key} is not signed by the laptop whose checkpoint it claims to be: someone else "
                f"wrote it in that laptop's name. {NOT_USED}"
            )
        if not verify_signature(member.sign_public, opened.message, opened.signature):
            raise MembershipError(
                f"The stored item {key} is signed by a laptop other than the one whose checkpoint it is: someone "
                f"else wrote it in that laptop's name. {NOT_USED}"
            )
    return opened.head


class Coverage:
    """How far each laptop's own newest verified checkpoint covers its log, read once per sync when needed."""

    def __init__(self, hub: Hub, keys: Callable[[], EpochKeys], membership: Membership) -> None:
        self.hub, self.keys, self.membership = hub, keys, membership
        self.listing: dict[str, list[int]] | None = None
        self.own: dict[str, Head] = {}
        self.looked_up: set[str] = set()

    def note(self, head: CheckpointHead) -> None:
        own = head.heads.get(head.device_id)
        if own is not None and own.seq > self.seq(head.device_id):
            self.own[head.device_id] = own

    def seq(self, device: str) -> int:
        own = self.own.get(device)
        return own.seq if own else 0

    def covers(self, device: str, seq: int) -> bool:
        """True when a verified checkpoint of ``device`` covers entry ``seq`` of its log."""
        if self.seq(device) < seq:
            self.newest(device)
        return self.seq(device) >= seq

    def newest(self, device: str) -> Head | None:
        """Where the newest verified checkpoint of ``device`` stands in its own log (None: it has none)."""
        if device not in self.looked_up:
            self.looked_up.add(device)
            if self.listing is None:
                self.listing = checkpoints_on_hub(self.hub)
            numbers = self.listing.get(device, [])
            if numbers and device in readers(self.membership, {device}):
                with contextlib.suppress(ObjectMissingError):
                    self.note(verified_head(self.hub, self.keys(), self.membership, device, numbers[-1]))
        return self.own.get(device)


def catch_up_needed(logs: dict[str, list[int]], cursors: dict[str, tuple[int, str]], me: str) -> bool:
    """A laptop that applied nothing yet, or one whose next entries from some laptop are no longer on the hub."""
    if not any(device != me for device in logs):
        return False
    if not cursors:
        return True
    return any(device != me and seqs and seqs[0] > cursors.get(device, (0, ""))[0] + 1 for device, seqs in logs.items())


def take_checkpoints(
    cycle: Cycle,
    keys_of: Callable[[], EpochKeys],
    membership: Membership,
    logs: dict[str, list[int]],
    coverage: Coverage,
    result: SyncResult,
    skip: set[str],
) -> None:
    """Settle the newest usable checkpoint of every other member into ``cycle`` and move its cursors to their
    heads, when this laptop needs them (``catch_up_needed``); changes nothing when there is none to use. Laptops in
    ``skip`` (identities set aside, see repair.py) are left alone."""
    hub, me = cycle.ctx.hub, cycle.ctx.me
    if not catch_up_needed(logs, cycle.cursors, me):
        return
    listing = checkpoints_on_hub(hub)
    coverage.listing = listing
    if not listing:
        return
    keys = keys_of()
    usable: list[CheckpointHead] = []
    for author in sorted(readers(membership, set(listing)) - {me} - skip):
        head = _usable(cycle, keys, membership, logs, author, listing[author], skip)
        if head is not None:
            coverage.note(head)
            usable.append(head)
    # The one that covers most first; another only while it moves on a log that still has a gap before its entries.
    taken = False
    for head in sorted(usable, key=lambda head: (-sum(at.seq for at in head.heads.values()), head.device_id)):
        if taken and not _fills_a_gap(cycle, head, logs, skip):
            continue
        _apply(cycle, keys, head, result, skip)
        taken = True


def _fills_a_gap(cycle: Cycle, head: CheckpointHead, logs: dict[str, list[int]], skip: set[str]) -> bool:
    """True when ``head`` moves a cursor on past it on a log whose next entries are no longer on the hub."""
    for device, at in head.heads.items():
        if device == cycle.ctx.me or device in skip:
            continue
        seqs, applied = logs.get(device, []), cycle.cursors.get(device, (0, ""))[0]
        if seqs and seqs[0] > applied + 1 and at.seq > applied:
            return True
    return False


def _usable(
    cycle: Cycle,
    keys: EpochKeys,
    membership: Membership,
    logs: dict[str, list[int]],
    author: str,
    numbers: list[int],
    skip: set[str],
) -> CheckpointHead | None:
    """The newest of ``author``'s checkpoints (or the one before, if the newest is gone) that does not roll this
    laptop back, checked against the logs on the hub; None when there is none."""
    applied = cycle.cursors.get(author, (0, ""))[0]
    for number in reversed(numbers[-2:]):
        try:
            head = verified_head(cycle.ctx.hub, keys, membership, author, number)
        except ObjectMissingError:
            continue
        if head.own_seq < applied:
            return None
        _check_heads(cycle, head, logs, skip)
        return head
    return None


def _check_heads(cycle: Cycle, head: CheckpointHead, logs: dict[str, list[int]], skip: set[str]) -> None:
    """Refuse a checkpoint whose chain heads disagree with what the hub holds of each log."""
    key = ckpt_key(head.device_id, head.number)
    heads = {device: at for device, at in head.heads.items() if device != cycle.ctx.me and device not in skip}
    on_hub = [
        log_key(device, at.seq)
        for device, at in heads.items()
        if at.seq in logs.get(device, []) and cycle.cursors.get(device, (0, ""))[0] != at.seq
    ]
    hashes = {entry: entry_hash(sealed) for entry, sealed in fetch_many(cycle.ctx.hub, on_hub)}
    for device, at in heads.items():
        seqs = logs.get(device, [])
        entry = log_key(device, at.seq)
        known = cycle.cursors.get(device)
        if known is not None and known[0] == at.seq:
            agrees = known[1] == at.hash
        elif entry in hashes:
            agrees = hashes[entry] == at.hash
        else:
            agrees = bool(seqs) and at.seq < seqs[0]
        if not agrees:
            raise IntegrityError(
                f"The stored item {key} does not fit the history in your storage at {entry}: the checkpoint or "
                f"that history was changed or rolled back. {NOT_USED}"
            )


def _apply(cycle: Cycle, keys: EpochKeys, head: CheckpointHead, result: SyncResult, skip: set[str]) -> None:
    hub = cycle.ctx.hub
    name = head.heads[head.device_id].name if head.device_id in head.heads else "another laptop"
    known = cycle.ctx.index.device_names()
    for device, at in head.heads.items():
        if device == cycle.ctx.me or device in skip or at.seq <= cycle.cursors.get(device, (0, ""))[0]:
            continue
        cycle.cursors[device] = (at.seq, at.hash)
        if device not in known and device not in cycle.devices:
            result.new_devices.append(at.name)
        cycle.devices[device] = (at.name, at.platform, at.seq, at.seen, at.acks)
    for folder in head.folders:
        current = cycle.folder_defs.get(folder.folder_id)
        if admission.from_the_future(folder, time.time()):
            result.refused.append(admission.future_folder(folder, name))
        elif current is None or folder.stamp > current.stamp:
            cycle.folder_defs[folder.folder_id] = folder
            cycle.defs_changed.add(folder.folder_id)
    numbers = range(1, len(head.parts) + 1)
    parts = fetch_many(hub, (ckpt_key(head.device_id, head.number, number) for number in numbers))
    for number in numbers:
        part_key = ckpt_key(head.device_id, head.number, number)
        try:
            sealed = next(parts)[1]
        except ObjectMissingError as exc:
            raise RollbackError(
                f"Your storage is missing {part_key}, part of a checkpoint of '{name}'. Your storage lost or altered "
                f"data, so {NOT_USED}"
            ) from exc
        for change in open_part(keys, head, number, sealed):
            version = change.version
            if len(version.path) > MAX_PATH_CHARS or (
                change.data is not None and hashlib.sha256(change.data).hexdigest() != version.sha
            ):
                raise IntegrityError(f"A file in the stored item {part_key} does not match its fingerprint. {NOT_USED}")
            if change.data is not None:
                cycle.contents[version.sha] = change.data
            origin = cycle.devices.get(version.origin)
            settle(cycle, version, result, origin[0] if origin else cycle.device_name(version.origin))
