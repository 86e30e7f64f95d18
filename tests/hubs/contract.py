"""The Hub contract every adapter honours (memtray/hubs/base.py), checked the same way for each."""

from __future__ import annotations

import pytest

from memtray.errors import ObjectMissingError
from memtray.hubs.base import Hub, log_key
from tests.servers import RawStore

DEVICE_A = "a" * 32
DEVICE_B = "b" * 32


def log(device: str, seq: int) -> str:
    return log_key(device, seq)


def check_listing(hub: Hub, raw: RawStore) -> None:
    """Sorted by name, filtered by prefix, resumed strictly after a key; stray objects left out."""
    for seq in (3, 1, 2, 17):
        hub.put_new(log(DEVICE_B, seq), b"b")
    for seq in (2, 1):
        hub.put_new(log(DEVICE_A, seq), b"a")
    hub.put_new("vault/keyfile/0000000000000001", b"k")
    hub.put_new("blob/zz", b"z")
    raw.write("stray.txt", b"not a key")

    b_logs = [log(DEVICE_B, seq) for seq in (1, 2, 3, 17)]
    every_log = [log(DEVICE_A, 1), log(DEVICE_A, 2), *b_logs]
    assert hub.list(f"log/{DEVICE_B}/") == b_logs
    assert hub.list(f"log/{DEVICE_B}/", after=log(DEVICE_B, 2)) == [log(DEVICE_B, 3), log(DEVICE_B, 17)]
    assert hub.list(f"log/{DEVICE_B}/", after=log(DEVICE_B, 17)) == []
    assert hub.list("log/", after=log(DEVICE_A, 2)) == b_logs
    assert hub.list("log/a") == [log(DEVICE_A, 1), log(DEVICE_A, 2)]
    assert hub.list("") == ["blob/zz", *every_log, "vault/keyfile/0000000000000001"]
    assert hub.list("", after="log/") == [*every_log, "vault/keyfile/0000000000000001"]
    assert hub.list("ckpt/") == []


def check_get_and_delete(hub: Hub, raw: RawStore) -> None:
    """Bytes come back unchanged; a deleted key is missing; deleting it again is no error."""
    payload = bytes(range(256)) * 40
    key = f"ckpt/{DEVICE_A}/0000000000000001"
    hub.put_new(key, payload)
    assert hub.get(key) == payload
    hub.delete(key)
    with pytest.raises(ObjectMissingError, match="missing"):
        hub.get(key)
    hub.delete(key)
    assert raw.keys("ckpt/") == []
