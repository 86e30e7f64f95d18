"""Which of a memtray hub's changes this process made: so a watcher is not woken by its own push.

The hub counts every change to a vault (each stored or deleted object adds one) and answers each stored object
with the count it reached. A laptop notes those counts here, per hub address and vault; the change feed (a
connection of its own) then asks whether every change between two counts was one of them. Anything else in
between, a count this process never saw (a delete, another laptop's object) or a gap, is someone else's change.
"""

from __future__ import annotations

import threading

KEPT = 4096
"""Counts kept per vault: far more than a watcher's feed ever lags behind this laptop's syncs."""

_lock = threading.Lock()
_made: dict[tuple[str, str, str], set[int]] = {}


def note(hub: str, vault_id: str, device_id: str, counter: int) -> None:
    """This laptop stored an object, which brought the vault's change count to ``counter``."""
    with _lock:
        made = _made.setdefault((hub, vault_id, device_id), set())
        made.add(counter)
        if len(made) > KEPT:
            made.difference_update(sorted(made)[: len(made) - KEPT])


def only_own(hub: str, vault_id: str, device_id: str, after: int, upto: int) -> bool:
    """Whether every change after count ``after`` up to ``upto`` was an object this laptop stored."""
    if upto <= after or upto - after > KEPT:
        return False
    with _lock:
        made = _made.get((hub, vault_id, device_id), set())
        return all(counter in made for counter in range(after + 1, upto + 1))
