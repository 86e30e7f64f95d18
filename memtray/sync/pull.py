"""Fetching other laptops' new log entries, and refusing a hub that lost or rewrote history.

Checks, all made before anything is applied:
- every laptop's entries follow on from what was applied, with no gap (contiguity),
- each entry names the hash of the one before it (the chain),
- the last entry this laptop applied from each laptop is still on the hub, and so is this
  laptop's own last entry (otherwise the hub rolled back or withheld data),
- no entry acknowledges a sequence number the hub does not have.
Missing data is never taken as a deletion.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from memtray.errors import IntegrityError, ObjectMissingError, RollbackError
from memtray.hubs.base import Hub, log_key
from memtray.sync.entry import GENESIS, LogEntry, entry_hash, open_entry
from memtray.vault.keys import VaultKeys

LOG_KEY = re.compile(r"^log/([0-9a-f]{32})/([0-9a-f]{16})$")


@dataclass
class Fetched:
    entry: LogEntry
    sealed_hash: str


def hub_logs(hub: Hub) -> dict[str, list[int]]:
    """Sequence numbers on the hub, per device, ascending."""
    logs: dict[str, list[int]] = defaultdict(list)
    for key in hub.list("log/"):
        match = LOG_KEY.match(key)
        if match:
            logs[match.group(1)].append(int(match.group(2), 16))
    for seqs in logs.values():
        seqs.sort()
    return dict(logs)


def lost_data(name: str) -> RollbackError:
    return RollbackError(
        f"The hub no longer has data from '{name}' that this laptop already received. The hub lost or altered "
        "data, so memtray stopped syncing with it to protect your files. Nothing on this laptop was changed."
    )


def check_own_log(logs: dict[str, list[int]], me: str, my_seq: int) -> list[int]:
    """Own entries on the hub past ``my_seq`` (left by a sync that stopped before saving its index)."""
    mine = logs.get(me, [])
    if my_seq > 0 and my_seq not in mine:
        raise lost_data("this laptop")
    return [seq for seq in mine if seq > my_seq]


def fetch_chain(
    hub: Hub, keys: VaultKeys, device: str, seqs: list[int], after: int, prev: str, name: str
) -> list[Fetched]:
    """Entries ``after+1 …`` of ``device``, opened and verified against the chain."""
    fetched: list[Fetched] = []
    expected = after + 1
    for seq in (s for s in seqs if s > after):
        if seq != expected:
            raise RollbackError(
                f"The hub is missing part of the history of '{name}'. memtray stopped syncing with it to protect "
                "your files. Nothing on this laptop was changed."
            )
        try:
            sealed = hub.get(log_key(device, seq))
        except ObjectMissingError as exc:
            raise lost_data(name) from exc
        entry = open_entry(keys, sealed, device, seq)
        if entry.prev != prev:
            raise IntegrityError(
                f"The history of '{name}' on the hub does not fit together: an entry was replaced or reordered. "
                "memtray did not use it. Nothing on this laptop was changed."
            )
        prev = entry_hash(sealed)
        fetched.append(Fetched(entry, prev))
        expected += 1
    return fetched


def check_known_devices(
    logs: dict[str, list[int]], cursors: dict[str, tuple[int, str]], names: dict[str, str], me: str
) -> None:
    for device, (seq, _) in cursors.items():
        if device != me and seq > 0 and seq not in logs.get(device, []):
            raise lost_data(names.get(device, "another laptop"))


def check_acks(batches: list[list[Fetched]], logs: dict[str, list[int]], names: dict[str, str]) -> None:
    for batch in batches:
        for item in batch:
            for device, acked in item.entry.acks.items():
                highest = logs.get(device, [0])[-1] if logs.get(device) else 0
                if acked > highest:
                    raise lost_data(names.get(device, "another laptop"))


def initial_prev(cursors: dict[str, tuple[int, str]], device: str) -> tuple[int, str]:
    return cursors.get(device, (0, GENESIS))
