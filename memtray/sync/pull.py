"""Fetching other laptops' new log entries, and refusing a hub that lost or rewrote history.

Checks, all made before anything is applied:
- every laptop's entries follow on from what was applied, with no gap (contiguity),
- each entry names the hash of the one before it (the chain),
- the last entry this laptop applied from each laptop is still on the hub, and so is this
  laptop's own last entry (otherwise the hub rolled back or withheld data); an entry compaction removed is
  accepted only when a verified checkpoint of its laptop covers it (see checkpoint_join.py),
- no entry acknowledges a sequence number the hub does not have,
- each entry was written by the laptop whose log it is in, and the roster lets it be applied (admission.py).
Entries are opened with the keys of the epoch their envelope names; an epoch this laptop does not hold raises
``UnknownEpochError`` as it is, for the service to fetch that epoch's keys and try once more.
Missing data is never taken as a deletion. Every refusal names the hub object at fault, and says
how to carry on if the hub really lost it (see repair.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from memtray.errors import IntegrityError, ObjectMissingError, RollbackError
from memtray.hubs.base import Hub
from memtray.hubs.batch import fetch_many
from memtray.hubs.keys import LOG_PREFIX, log_key, parse_log_key
from memtray.membership.view import Membership
from memtray.sync.admission import admitted, check_author
from memtray.sync.entry import LogEntry, entry_hash, open_signed_entry
from memtray.vault.epochs import EpochKeys, UnknownEpochError

NOTHING_CHANGED = "memtray stopped syncing with it to protect your files. Nothing on this laptop was changed."
REPAIR_HINT = (
    "If your storage really lost it, choose Repair in Settings → Storage (or run 'memtray repair') to carry on "
    "without it."
)


@dataclass
class Fetched:
    entry: LogEntry
    sealed_hash: str


def hub_logs(hub: Hub, *, skip: Iterable[str] = ()) -> dict[str, list[int]]:
    """Sequence numbers on the hub, per device, ascending; devices in ``skip`` left out."""
    skipped = set(skip)
    logs: dict[str, list[int]] = defaultdict(list)
    for key in hub.list(LOG_PREFIX):
        parsed = parse_log_key(key)
        if parsed and parsed[0] not in skipped:
            logs[parsed[0]].append(parsed[1])
    for seqs in logs.values():
        seqs.sort()
    return dict(logs)


def lost_data(name: str, key: str) -> RollbackError:
    return RollbackError(
        f"Your storage no longer has {key}, data from '{name}' that this laptop already received. Your storage "
        f"lost or altered data, so {NOTHING_CHANGED} {REPAIR_HINT}"
    )


def check_own_log(logs: dict[str, list[int]], me: str, my_seq: int) -> list[int]:
    """Own entries on the hub past ``my_seq`` (left by a sync that stopped before saving its index)."""
    mine = logs.get(me, [])
    if my_seq > 0 and my_seq not in mine:
        raise RollbackError(
            f"Your storage no longer has {log_key(me, my_seq)}, which this laptop sent earlier. Your storage lost or "
            f"altered data, so {NOTHING_CHANGED} {REPAIR_HINT}"
        )
    return [seq for seq in mine if seq > my_seq]


def fetch_chain(
    hub: Hub,
    keys: EpochKeys,
    device: str,
    seqs: list[int],
    after: int,
    prev: str,
    name: str,
    membership: Membership,
) -> list[Fetched]:
    """Entries ``after+1 …`` of ``device`` up to the first one the roster refuses, opened and verified against
    the chain and their author."""
    seqs, _ = admitted(membership, device, seqs)
    fetched: list[Fetched] = []
    expected = after + 1
    stream = fetch_many(hub, (log_key(device, s) for s in seqs if s > after))
    for seq in (s for s in seqs if s > after):
        key = log_key(device, expected)
        if seq != expected:
            raise RollbackError(
                f"Your storage is missing {key}, part of the history of '{name}'. {NOTHING_CHANGED} {REPAIR_HINT}"
            )
        try:
            sealed = next(stream)[1]
        except ObjectMissingError as exc:
            raise lost_data(name, key) from exc
        try:
            opened = open_signed_entry(keys, sealed, device, seq)
        except UnknownEpochError:
            raise
        except IntegrityError as exc:
            raise _naming(exc, key) from exc
        check_author(membership, opened, key)
        entry = opened.entry
        if entry.prev != prev:
            raise IntegrityError(
                f"The history of '{name}' in your storage does not fit together at {key}: an entry was replaced or "
                f"reordered. memtray did not use it. Nothing on this laptop was changed. {REPAIR_HINT}"
            )
        prev = entry_hash(sealed)
        fetched.append(Fetched(entry, prev))
        expected += 1
    return fetched


def _naming(exc: IntegrityError, key: str) -> IntegrityError:
    """``exc`` with the hub object named, if its message does not name it already."""
    if key in exc.message:
        return exc
    return type(exc)(f"{exc.message} (stored item {key}) {REPAIR_HINT}", title=exc.title)


def read_log(
    hub: Hub,
    keys: Callable[[], EpochKeys],
    device: str,
    seqs: list[int],
    cursor: tuple[int, str],
    name: str,
    membership: Membership,
    covered: Callable[[str, int], bool] = lambda _device, _seq: False,
) -> list[Fetched]:
    """What ``device`` wrote since ``cursor`` that the roster lets this laptop apply; refused if the entry the
    cursor names is gone, unless ``covered`` says a verified checkpoint of ``device`` covers it (compaction removed
    it: see compaction.py). ``keys`` is called only when there is something to open (deriving them may ask for the
    passphrase)."""
    seq, prev = cursor
    if seq > 0 and seq not in seqs and not covered(device, seq):
        raise lost_data(name, log_key(device, seq))
    wanted, _ = admitted(membership, device, seqs)
    if not wanted or wanted[-1] <= seq:
        return []
    return fetch_chain(hub, keys(), device, wanted, seq, prev, name, membership)


def check_acks(
    batches: list[list[Fetched]], logs: dict[str, list[int]], names: dict[str, str], *, skip: Iterable[str] = ()
) -> None:
    skipped = set(skip)
    for batch in batches:
        for item in batch:
            for device, acked in item.entry.acks.items():
                if device in skipped:
                    continue
                highest = logs[device][-1] if logs.get(device) else 0
                if acked > highest:
                    raise lost_data(names.get(device, "another laptop"), log_key(device, acked))
