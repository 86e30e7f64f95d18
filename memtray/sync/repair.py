"""Carrying on after the hub really lost data.

A hole in a laptop's history stops every laptop that reads it (pull.py): nothing can be applied
past it. A repair is how a person says "carry on without what was lost":

- This laptop takes a new identity and sends everything it has again under it, so nothing it
  holds depends on the damaged history. Its first entry *retires* the old identity.
- Logs of other laptops that this laptop cannot read are set aside here, and named as *damaged*
  in that entry. A laptop that sees its own identity named as damaged repairs itself the same
  way on its next sync: re-sending costs bandwidth, never data.
- Every laptop that sees an identity retired stops reading that old log, and no longer holds
  its damage against the hub.

Version vectors are left as they are, so a re-sent version that another laptop already has
changes nothing there. A log set aside here stays set aside until its laptop repairs itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from memtray.errors import HubError, IntegrityError, ObjectMissingError, ObjectTooLargeError
from memtray.hubs.base import Hub
from memtray.hubs.keys import log_key
from memtray.membership.view import Membership
from memtray.sync.checkpoint_join import Coverage
from memtray.sync.entry import GENESIS, entry_hash
from memtray.sync.index import Index
from memtray.sync.pull import check_own_log, fetch_chain, hub_logs, read_log
from memtray.vault.epochs import EpochKeys, UnknownEpochError

RETIRED = "retired"
ANNOUNCE = "announce"
REKEY_REQUESTED = "rekey_requested"
IDENTITY = "device_id"


def retired(index: Index) -> set[str]:
    """Identities this laptop no longer reads: retired by their laptop, or set aside here."""
    return set(json.loads(index.get_meta(RETIRED, "[]") or "[]"))


def retire(index: Index, devices: Iterable[str]) -> None:
    """Stop reading these identities' logs (call inside a transaction)."""
    gone = set(devices)
    if not gone - retired(index):
        return
    index.set_meta(RETIRED, json.dumps(sorted(retired(index) | gone)))
    for device in gone:
        index.forget_device(device)


def announcement(index: Index) -> tuple[list[str], list[str]]:
    """What this laptop's next entry must say: identities it retires, and logs it found damaged."""
    stored = json.loads(index.get_meta(ANNOUNCE, "{}") or "{}")
    return list(stored.get("retires", [])), list(stored.get("damaged", []))


def clear_announcement(index: Index) -> None:
    index.set_meta(ANNOUNCE, "{}")


def request_rekey(index: Index) -> None:
    index.set_meta(REKEY_REQUESTED, "1")


def rekey_requested(index: Index) -> bool:
    return index.get_meta(REKEY_REQUESTED, "") == "1"


def rekey(index: Index, old_id: str, new_id: str, damaged: Iterable[str]) -> None:
    """Switch this laptop's index to identity ``new_id``: everything re-sent, ``old_id`` and ``damaged`` retired."""
    set_aside = sorted(set(damaged) - {old_id, new_id})
    with index.transaction():
        retire(index, [old_id, *set_aside])
        index.republish_all()
        index.set_meta("seq", "0")
        index.set_meta("hash", GENESIS)
        index.set_meta(ANNOUNCE, json.dumps({"retires": [old_id], "damaged": set_aside}))
        index.set_meta(REKEY_REQUESTED, "")
        index.set_meta(IDENTITY, new_id)


def damaged_logs(hub: Hub, keys: EpochKeys, index: Index, me: str, membership: Membership | None = None) -> set[str]:
    """Identities whose history on the hub this laptop cannot read past (its own included). An entry sealed under
    an epoch this laptop does not hold is not damage: ``UnknownEpochError`` is raised, as a sync raises it. Entries
    the roster (``membership``; none: no roster) refuses are left unread, as a sync leaves them. Entries compaction
    removed are not damage where a verified checkpoint of their laptop covers them: as a sync does, the log is
    read on from that checkpoint (see checkpoint_join.py)."""
    roster = membership or Membership()
    skip = retired(index)
    logs = hub_logs(hub, skip=skip)
    cursors = {device: cursor for device, cursor in index.cursors().items() if device not in skip}
    damaged: set[str] = set()
    my_seq = int(index.get_meta("seq", "0") or 0)
    try:
        newer = check_own_log(logs, me, my_seq)
        fetch_chain(hub, keys, me, newer, my_seq, index.get_meta("hash", GENESIS) or GENESIS, "this laptop", roster)
    except UnknownEpochError:
        raise
    except IntegrityError:
        damaged.add(me)
    coverage = Coverage(hub, lambda: keys, roster)
    readable = []
    for device in sorted((set(logs) | set(cursors)) - {me}):
        seqs = logs.get(device, [])
        try:
            cursor = _start(hub, coverage, device, seqs, cursors.get(device, (0, GENESIS)))
            readable.append(read_log(hub, lambda: keys, device, seqs, cursor, device, roster, coverage.covers))
        except UnknownEpochError:
            raise
        except (IntegrityError, HubError) as exc:
            if isinstance(exc, HubError) and not _lost(exc):
                raise
            damaged.add(device)
    for batch in readable:
        for item in batch:
            for device, acked in item.entry.acks.items():
                if device not in skip and acked > (logs[device][-1] if logs.get(device) else 0):
                    damaged.add(device)
    return damaged


def _start(hub: Hub, coverage: Coverage, device: str, seqs: list[int], cursor: tuple[int, str]) -> tuple[int, str]:
    """Where to read ``device``'s log from: this laptop's cursor, or, when the entries after it are gone (a sync
    starts from checkpoints there: checkpoint_join.py), the newest verified checkpoint of ``device``, checked against
    the entry it names. Reading from there still finds any entry missing after it."""
    if not seqs or seqs[0] <= cursor[0] + 1:
        return cursor
    head = coverage.newest(device)
    if head is None:
        return cursor
    if head.seq in seqs and entry_hash(hub.get(log_key(device, head.seq))) != head.hash:
        raise IntegrityError(f"The stored item {log_key(device, head.seq)} does not fit the checkpoint of its laptop.")
    return head.seq, head.hash


def _lost(exc: HubError) -> bool:
    """A hub error that means the object is gone or unreadable for good, not that the hub is unreachable."""
    return isinstance(exc, ObjectMissingError | ObjectTooLargeError)
