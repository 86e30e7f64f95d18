"""``fetch_many`` on every hub kind (each a real server or folder): every object, in order, an absent one named
at its turn; on hubs without a batch read, at most ``PARALLEL_READS`` reads in flight and held ahead."""

from __future__ import annotations

import threading
import time

import pytest

from memtray.errors import ObjectMissingError
from memtray.hubs.base import Hub
from memtray.hubs.batch import PARALLEL_READS, BatchRead, fetch_all, fetch_many
from memtray.hubs.folder import FolderHub
from tests.hubs.contract import TwoLaptops
from tests.hubs.test_contract_all import endpoint, laptops  # noqa: F401 (fixtures)

COUNT = 70


def test_every_object_comes_back_in_order(hubs: TwoLaptops) -> None:
    keys = [f"blob/{number:03d}-{'x' * (number % 7)}" for number in range(COUNT)]
    for number, key in enumerate(keys):
        hubs.a.put_new(key, f"object {number}".encode() * (number + 1))
    fetched = list(fetch_many(hubs.b, reversed(keys)))
    assert [key for key, _ in fetched] == keys[::-1]
    assert dict(fetched) == {key: hubs.b.get(key) for key in keys}
    assert fetch_all(hubs.b, []) == {}


def test_an_absent_object_is_named_at_its_turn(hubs: TwoLaptops) -> None:
    keys = [f"blob/present-{number:02d}" for number in range(12)]
    for key in keys:
        hubs.a.put_new(key, key.encode())
    asked = [*keys[:5], "blob/absent", *keys[5:]]
    stream = fetch_many(hubs.b, asked)
    assert [next(stream)[0] for _ in range(5)] == keys[:5]
    with pytest.raises(ObjectMissingError):
        next(stream)


class CountingHub:
    """A real folder hub whose reads are slowed down and counted, to see how many run at once."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.url = hub.url
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.started = 0

    def get(self, key: str) -> bytes:
        with self.lock:
            self.running += 1
            self.started += 1
            self.most = max(self.most, self.running)
        time.sleep(0.01)
        try:
            return self.hub.get(key)
        finally:
            with self.lock:
                self.running -= 1

    def put_new(self, key: str, data: bytes) -> None:
        self.hub.put_new(key, data)

    def list(self, prefix: str, after: str | None = None) -> list[str]:
        return self.hub.list(prefix, after)

    def delete(self, key: str) -> None:
        self.hub.delete(key)

    def close(self) -> None:
        self.hub.close()


def test_reads_in_flight_and_held_ahead_are_bounded(tmp_path) -> None:
    hub = CountingHub(FolderHub(str(tmp_path)))
    assert not isinstance(hub, BatchRead)
    keys = [f"blob/{number:03d}" for number in range(5 * PARALLEL_READS)]
    for key in keys:
        hub.put_new(key, key.encode())
    stream = fetch_many(hub, keys)
    assert next(stream) == (keys[0], keys[0].encode())
    time.sleep(0.2)
    assert hub.started <= 1 + PARALLEL_READS
    rest = list(stream)
    assert [key for key, _ in rest] == keys[1:]
    assert 1 < hub.most <= PARALLEL_READS
