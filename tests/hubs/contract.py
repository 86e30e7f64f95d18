"""The Hub contract every adapter honours (memtray/hubs/base.py), checked the same way for each kind.

A contract check gets one hub as two laptops see it (``TwoLaptops``): each laptop's adapter is opened
the way the app opens it and writes only its own device's keys, which is all a memtray hub lets a
laptop write. ``raw`` reaches the stored objects behind the server's back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from memtray.errors import HubError, ObjectExistsError, ObjectMissingError, UsageError
from memtray.hubs.base import Hub
from memtray.hubs.keys import is_valid_key, log_key
from tests.servers import RawStore

DEVICE_A = "a" * 32
DEVICE_B = "b" * 32
KEYS_OUTSIDE_THE_PROTOCOL = ("../etc/passwd", "log/a/../../x", "other/x", "log/" + "a" * 200, "/log/x/1", "")
SETTLE_SECONDS = 15.0
POLL_SECONDS = 0.05


def log(device: str, seq: int) -> str:
    return log_key(device, seq)


@dataclass
class TwoLaptops:
    """One hub as laptop A (device ``DEVICE_A``) and laptop B (device ``DEVICE_B``) reach it."""

    a: Hub
    b: Hub
    raw: RawStore


def check_create_only(hubs: TwoLaptops) -> None:
    """A key is written once: a second write, by the same laptop or another, fails and changes nothing."""
    hubs.a.put_new(log(DEVICE_A, 1), b"first")
    with pytest.raises(ObjectExistsError):
        hubs.a.put_new(log(DEVICE_A, 1), b"second")
    hubs.a.put_new("blob/shared", b"from A")
    with pytest.raises(ObjectExistsError):
        hubs.b.put_new("blob/shared", b"from B")
    assert hubs.b.get(log(DEVICE_A, 1)) == b"first"
    assert hubs.b.get("blob/shared") == b"from A"
    assert hubs.raw.read(log(DEVICE_A, 1)) == b"first"
    assert hubs.raw.read("blob/shared") == b"from A"


def check_listing(hubs: TwoLaptops) -> None:
    """Sorted by name, filtered by prefix, resumed strictly after a key; stray and hidden objects left out."""
    for seq in (3, 1, 2, 17):
        hubs.b.put_new(log(DEVICE_B, seq), b"b")
    for seq in (2, 1):
        hubs.a.put_new(log(DEVICE_A, seq), b"a")
    hubs.a.put_new("vault/keyfile/0000000000000001", b"k")
    hubs.b.put_new("blob/zz", b"z")
    hidden = f"log/{DEVICE_B}/.tmp-half-written"
    hubs.raw.write("stray.txt", b"not a key")
    hubs.raw.write(hidden, b"half")
    try:
        b_logs = [log(DEVICE_B, seq) for seq in (1, 2, 3, 17)]
        every_log = [log(DEVICE_A, 1), log(DEVICE_A, 2), *b_logs]
        assert hubs.a.list(f"log/{DEVICE_B}/") == b_logs
        assert hubs.a.list(f"log/{DEVICE_B}/", after=log(DEVICE_B, 2)) == [log(DEVICE_B, 3), log(DEVICE_B, 17)]
        assert hubs.a.list(f"log/{DEVICE_B}/", after=log(DEVICE_B, 17)) == []
        assert hubs.a.list("log/", after=log(DEVICE_A, 2)) == b_logs
        assert hubs.b.list("log/a") == [log(DEVICE_A, 1), log(DEVICE_A, 2)]
        assert hubs.b.list("") == ["blob/zz", *every_log, "vault/keyfile/0000000000000001"]
        assert hubs.a.list("", after="log/") == [*every_log, "vault/keyfile/0000000000000001"]
        assert hubs.a.list("ckpt/") == []
    finally:
        hubs.raw.delete(hidden)


def check_get_and_delete(hubs: TwoLaptops) -> None:
    """Bytes come back unchanged to every laptop; a deleted key is missing; deleting it again is no error."""
    payload = bytes(range(256)) * 40
    key = f"ckpt/{DEVICE_A}/0000000000000001"
    hubs.a.put_new(key, payload)
    assert hubs.a.get(key) == payload
    assert hubs.b.get(key) == payload
    hubs.a.delete(key)
    for laptop in (hubs.a, hubs.b):
        with pytest.raises(ObjectMissingError, match="missing"):
            laptop.get(key)
    hubs.a.delete(key)
    assert hubs.raw.keys("ckpt/") == []


def check_missing_key(hubs: TwoLaptops) -> None:
    """A key nobody wrote is missing, and deleting it is no error."""
    with pytest.raises(ObjectMissingError, match="missing"):
        hubs.a.get(log(DEVICE_B, 7))
    hubs.a.delete(f"ckpt/{DEVICE_A}/0000000000000009")
    assert hubs.raw.keys("") == []


def check_keys_outside_the_protocol_are_refused(hubs: TwoLaptops) -> None:
    """A key of a shape the sync protocol never writes is refused before anything reaches the hub."""
    for key in KEYS_OUTSIDE_THE_PROTOCOL:
        with pytest.raises(UsageError):
            hubs.a.put_new(key, b"x")
        with pytest.raises(UsageError):
            hubs.a.get(key)
    assert hubs.raw.keys("") == []


CONTRACT = (
    check_create_only,
    check_listing,
    check_get_and_delete,
    check_missing_key,
    check_keys_outside_the_protocol_are_refused,
)
EACH_CHECK = pytest.mark.parametrize("check", CONTRACT, ids=lambda check: check.__name__.removeprefix("check_"))


def laptops_until_done(a: Hub, b: Hub, raw: RawStore) -> Iterator[TwoLaptops]:
    """For a module's ``laptops`` fixture: the two laptops' adapters, closed when the module is done."""
    yield TwoLaptops(a=a, b=b, raw=raw)
    a.close()
    b.close()


def empty_the_hub(hub: Hub, raw: RawStore) -> None:
    """Delete every object behind the server's back, then wait (bounded) until the server agrees.

    A caching server answers for an object deleted behind its back until its cache expires:
    ``rclone serve webdav`` keeps answering 200 for it, and refusing to create it again, for about
    half a second under load, and a folder listing it serves from that stale cache can fail halfway
    (a 207 with "Internal Server Error" after the XML, when an entry it still names is gone). A test
    that reuses a key right after this cleanup would then be told the key exists, so the cleanup
    itself waits until the hub lists nothing and every deleted key reads as missing.
    """
    deleted = raw.keys("")
    for key in deleted:
        raw.delete(key)
    unconfirmed = [key for key in deleted if is_valid_key(key)]
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        unconfirmed = [key for key in unconfirmed if not _reads_as_missing(hub, key)]
        listed = _listing_or_its_failure(hub)
        if not unconfirmed and not listed:
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{hub!r} still shows objects deleted {SETTLE_SECONDS:.0f} s ago: {(unconfirmed or listed)[:5]}"
            )
        time.sleep(POLL_SECONDS)


def _listing_or_its_failure(hub: Hub) -> list[str]:
    try:
        return hub.list("")
    except HubError as exc:
        return [f"(listing failed: {exc})"]


def _reads_as_missing(hub: Hub, key: str) -> bool:
    try:
        hub.get(key)
    except ObjectMissingError:
        return True
    except HubError:
        return False
    return False
