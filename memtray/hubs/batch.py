"""Fetching many hub objects without paying one slow round trip for each.

``fetch_many`` yields ``(key, bytes)`` in the order of the keys asked for. A hub with a batch read (the memtray
hub: one request answers many objects, see ``BatchRead``) is asked for a batch at a time; any other hub is read with
at most ``PARALLEL_READS`` plain ``get`` calls in flight at once. Either way at most one batch, or
``PARALLEL_READS`` objects, is held beyond what the caller keeps, so memory stays bounded however many keys are asked
for. An absent object raises ``ObjectMissingError`` when its turn comes, as ``hub.get`` would; any other failure is
raised as it is. Objects after the one that failed may already have been read: a caller treats the stream as ended.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol, runtime_checkable

from memtray.errors import HubError, ObjectMissingError
from memtray.hubs.base import Hub

PARALLEL_READS = 8


@runtime_checkable
class BatchRead(Protocol):
    """Optional: a hub that answers many objects in one request."""

    def get_many(self, keys: list[str]) -> Iterator[tuple[str, bytes | None]]:
        """Some of ``keys``, from the first and in order, each with its bytes or None if the hub has no such
        object; at least one. The caller asks again for the ones not answered."""
        ...

    def batch_size(self) -> int:
        """How many keys one ``get_many`` call takes at most; 0 when this hub has no batch read after all."""
        ...


def fetch_many(hub: Hub, keys: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """Every key's object, in order; see the module's notes."""
    wanted = list(keys)
    if not wanted:
        return iter(())
    if isinstance(hub, BatchRead) and hub.batch_size() > 0:
        return _batched(hub, wanted)
    if len(wanted) == 1:
        return _one(hub, wanted[0])
    return _parallel(hub, wanted)


def _one(hub: Hub, key: str) -> Iterator[tuple[str, bytes]]:
    """Read when asked for, like the other ways: a missing object is told where the caller reads it."""
    yield key, hub.get(key)


def fetch_all(hub: Hub, keys: Iterable[str]) -> dict[str, bytes]:
    """Every key's object by key (hold them all only when they are known to be small or few)."""
    return dict(fetch_many(hub, keys))


def _batched(hub: BatchRead, wanted: list[str]) -> Iterator[tuple[str, bytes]]:
    position = 0
    while position < len(wanted):
        size = hub.batch_size()
        if size <= 0:
            yield from _parallel(hub, wanted[position:])  # type: ignore[arg-type]
            return
        asked = wanted[position : position + size]
        answered = 0
        for key, data in hub.get_many(asked):
            if answered >= len(asked) or key != asked[answered]:
                raise HubError(f"Your storage sent {key} when memtray asked for other items; it may be misbehaving.")
            if data is None:
                raise ObjectMissingError(f"Your storage is missing {key}.")
            answered += 1
            yield key, data
        if answered == 0:
            raise ObjectMissingError(f"Your storage did not send {asked[0]} when memtray asked for it.")
        position += answered


def _parallel(hub: Hub, wanted: list[str]) -> Iterator[tuple[str, bytes]]:
    pending = iter(wanted)
    in_flight: deque[tuple[str, Future[bytes]]] = deque()
    with ThreadPoolExecutor(max_workers=min(PARALLEL_READS, len(wanted)), thread_name_prefix="memtray-fetch") as pool:
        try:
            for key in pending:
                in_flight.append((key, pool.submit(hub.get, key)))
                if len(in_flight) >= PARALLEL_READS:
                    break
            while in_flight:
                key, future = in_flight.popleft()
                data = future.result()
                following = next(pending, None)
                if following is not None:
                    in_flight.append((following, pool.submit(hub.get, following)))
                yield key, data
        finally:
            for _, future in in_flight:
                future.cancel()
