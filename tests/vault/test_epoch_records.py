"""Epoch records: the new key reaches each remaining laptop, signed by the remover, chained to the key before."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass

import pytest

from memtray.errors import MembershipError
from memtray.hubs.keys import EPOCH_PREFIX, epoch_key, is_listed_key, parse_epoch_key
from memtray.membership.epochs import MAX_RECORD_BYTES, EpochRecord, make_epoch, unwind_keys
from memtray.membership.laptop_key import LaptopKey, LaptopSigner

VAULT = "00112233445566778899aabbccddeeff"


@dataclass(frozen=True)
class Laptops:
    remover: LaptopSigner
    staying: LaptopSigner
    removed: LaptopSigner


@dataclass(frozen=True)
class Chain:
    keys: dict[int, bytes]
    records: dict[int, bytes]


def laptop(letter: str) -> LaptopSigner:
    return LaptopSigner(letter * 32, LaptopKey.generate())


@pytest.fixture(scope="module")
def laptops() -> Laptops:
    return Laptops(remover=laptop("a"), staying=laptop("b"), removed=laptop("c"))


def grants_for(laptops: Laptops) -> dict[str, bytes]:
    return {signer.device_id: signer.public().agree for signer in (laptops.remover, laptops.staying)}


@pytest.fixture(scope="module")
def chain(laptops: Laptops) -> Chain:
    keys = {epoch: os.urandom(32) for epoch in (1, 2, 3)}
    records = {
        epoch: make_epoch(VAULT, epoch, laptops.remover, 2 * epoch, grants_for(laptops), keys[epoch], keys[epoch - 1])
        for epoch in (2, 3)
    }
    return Chain(keys, records)


def edited(data: bytes, **changes: object) -> bytes:
    document = json.loads(data)
    document.update(changes)
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def test_record_is_plain_sorted_compact_json(chain: Chain, laptops: Laptops) -> None:
    data = chain.records[2]
    document = json.loads(data)
    assert set(document) == {"v", "vault", "epoch", "by", "roster_seq", "grants", "previous", "sig"}
    assert (document["v"], document["vault"], document["epoch"], document["by"]) == (1, VAULT, 2, "a" * 32)
    assert json.dumps(document, sort_keys=True, separators=(",", ":")).encode() == data
    record = EpochRecord.from_bytes(data, expected_epoch=2)
    assert record.to_bytes() == data
    assert (record.epoch, record.by, record.roster_seq) == (2, laptops.remover.device_id, 4)
    for key in chain.keys.values():
        assert base64.b64encode(key) not in data
        assert key not in data


def test_each_remaining_laptop_opens_its_grant_and_the_removed_one_has_none(chain: Chain, laptops: Laptops) -> None:
    record = EpochRecord.from_bytes(chain.records[2])
    assert record.open_grant(laptops.remover.device_id, laptops.remover.key) == chain.keys[2]
    assert record.open_grant(laptops.staying.device_id, laptops.staying.key) == chain.keys[2]
    assert record.open_grant(laptops.removed.device_id, laptops.removed.key) is None
    assert record.open_grant(laptops.staying.device_id, laptops.removed.key) is None


def test_signature_verifies_under_the_remover_only(chain: Chain, laptops: Laptops) -> None:
    record = EpochRecord.from_bytes(chain.records[2])
    record.verify(laptops.remover.public().sign)
    with pytest.raises(MembershipError) as caught:
        record.verify(laptops.staying.public().sign)
    assert epoch_key(2) in caught.value.message
    assert "not signed by the laptop it names" in caught.value.message


@pytest.mark.parametrize("field", ["roster_seq", "by", "grants", "previous", "vault"])
def test_signature_covers_every_field(chain: Chain, laptops: Laptops, field: str) -> None:
    other = json.loads(
        make_epoch(
            "ffeeddccbbaa99887766554433221100",
            2,
            laptops.staying,
            9,
            {"d" * 32: laptops.removed.public().agree},
            os.urandom(32),
            os.urandom(32),
        )
    )
    tampered = EpochRecord.from_bytes(edited(chain.records[2], **{field: other[field]}))
    with pytest.raises(MembershipError):
        tampered.verify(laptops.remover.public().sign)


def test_a_tampered_grant_opens_to_nothing_and_breaks_the_signature(chain: Chain, laptops: Laptops) -> None:
    document = json.loads(chain.records[2])
    staying = laptops.staying.device_id
    wrapped = bytearray(base64.b64decode(document["grants"][staying]))
    wrapped[-1] ^= 1
    document["grants"][staying] = base64.b64encode(bytes(wrapped)).decode()
    tampered = EpochRecord.from_bytes(edited(chain.records[2], grants=document["grants"]))
    assert tampered.open_grant(staying, laptops.staying.key) is None
    with pytest.raises(MembershipError):
        tampered.verify(laptops.remover.public().sign)


def test_a_grant_moved_to_another_laptop_or_epoch_does_not_open(chain: Chain, laptops: Laptops) -> None:
    grants = json.loads(chain.records[2])["grants"]
    staying, removed = laptops.staying.device_id, laptops.removed.device_id
    moved = EpochRecord.from_bytes(edited(chain.records[2], grants={removed: grants[staying]}))
    assert moved.open_grant(removed, laptops.staying.key) is None
    later = EpochRecord.from_bytes(edited(chain.records[2], epoch=3))
    assert later.open_grant(staying, laptops.staying.key) is None


def test_previous_key_chain_walks_down_to_epoch_one(chain: Chain) -> None:
    records = {epoch: EpochRecord.from_bytes(data, expected_epoch=epoch) for epoch, data in chain.records.items()}
    assert records[3].previous_key(chain.keys[3]) == chain.keys[2]
    assert records[2].previous_key(chain.keys[2]) == chain.keys[1]
    assert unwind_keys(records, 3, chain.keys[3]) == chain.keys
    assert unwind_keys(records, 1, chain.keys[1]) == {1: chain.keys[1]}


def test_previous_key_opens_only_with_this_epochs_key_in_this_place(chain: Chain) -> None:
    record = EpochRecord.from_bytes(chain.records[3])
    with pytest.raises(MembershipError) as caught:
        record.previous_key(chain.keys[2])
    assert epoch_key(3) in caught.value.message
    renumbered = EpochRecord.from_bytes(edited(chain.records[3], epoch=4))
    with pytest.raises(MembershipError):
        renumbered.previous_key(chain.keys[3])
    spliced = EpochRecord.from_bytes(edited(chain.records[3], previous=json.loads(chain.records[2])["previous"]))
    with pytest.raises(MembershipError):
        spliced.previous_key(chain.keys[3])


def test_a_missing_record_on_the_way_down_is_named(chain: Chain) -> None:
    records = {3: EpochRecord.from_bytes(chain.records[3])}
    with pytest.raises(MembershipError) as caught:
        unwind_keys(records, 3, chain.keys[3])
    assert epoch_key(2) in caught.value.message


def test_a_record_stored_under_another_epochs_key_is_refused(chain: Chain) -> None:
    with pytest.raises(MembershipError) as caught:
        EpochRecord.from_bytes(chain.records[2], expected_epoch=3)
    assert epoch_key(3) in caught.value.message


@pytest.mark.parametrize(
    "changes",
    [
        {"v": 2},
        {"epoch": 1},
        {"epoch": True},
        {"epoch": 2**32},
        {"epoch": "2"},
        {"roster_seq": 1},
        {"roster_seq": 2.5},
        {"by": "A" * 32},
        {"by": "a" * 31},
        {"vault": VAULT.upper()},
        {"grants": []},
        {"grants": {"x" * 32: base64.b64encode(bytes(92)).decode()}},
        {"grants": {"b" * 32: base64.b64encode(bytes(91)).decode()}},
        {"grants": {"b" * 32: "!!!!"}},
        {"previous": base64.b64encode(bytes(59)).decode()},
        {"previous": None},
        {"sig": base64.b64encode(bytes(63)).decode()},
        {"extra": 1},
    ],
)
def test_malformed_records_are_refused(chain: Chain, changes: dict[str, object]) -> None:
    with pytest.raises(MembershipError) as caught:
        EpochRecord.from_bytes(edited(chain.records[2], **changes), expected_epoch=2)
    assert "damaged or was tampered with" in caught.value.message


@pytest.mark.parametrize("field", ["sig", "grants", "previous"])
def test_a_missing_field_is_refused(chain: Chain, field: str) -> None:
    document = json.loads(chain.records[2])
    del document[field]
    with pytest.raises(MembershipError):
        EpochRecord.from_bytes(json.dumps(document, sort_keys=True, separators=(",", ":")).encode())


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff", b"[]", b"null", b"{" * 5000, b" " * (MAX_RECORD_BYTES + 1), b'{"v":1,"v":1}'],
)
def test_garbage_is_refused(data: bytes) -> None:
    with pytest.raises(MembershipError):
        EpochRecord.from_bytes(data)


def test_non_canonical_json_is_refused(chain: Chain) -> None:
    spaced = json.dumps(json.loads(chain.records[2]), sort_keys=True).encode()
    with pytest.raises(MembershipError):
        EpochRecord.from_bytes(spaced)


def test_record_for_many_laptops_fits_its_bound(laptops: Laptops) -> None:
    members = {f"{index:032x}": LaptopKey.generate().public().agree for index in range(1024)}
    data = make_epoch(VAULT, 2, laptops.remover, 3, members, os.urandom(32), os.urandom(32))
    assert len(data) <= MAX_RECORD_BYTES
    assert len(EpochRecord.from_bytes(data).grants) == 1024
    with pytest.raises(ValueError):
        make_epoch(VAULT, 2, laptops.remover, 3, {**members, "f" * 32: bytes(32)}, os.urandom(32), os.urandom(32))


def test_make_epoch_refuses_bad_arguments(laptops: Laptops) -> None:
    members = {laptops.staying.device_id: laptops.staying.public().agree}
    for epoch, seq, new_key in ((1, 3, os.urandom(32)), (2, 1, os.urandom(32)), (2, 3, os.urandom(16))):
        with pytest.raises(ValueError):
            make_epoch(VAULT, epoch, laptops.remover, seq, members, new_key, os.urandom(32))
    with pytest.raises(ValueError):
        make_epoch(VAULT, 2, laptops.remover, 3, {}, os.urandom(32), os.urandom(32))


def test_hub_keys_of_epoch_records() -> None:
    assert epoch_key(2) == EPOCH_PREFIX + "00000002"
    assert parse_epoch_key(epoch_key(0xABCDEF12)) == 0xABCDEF12
    assert is_listed_key(epoch_key(2))
    for other in (
        "epoch/00000002\n",
        "epoch/2",
        "epoch/0000000g",
        "epoch/00000002/x",
        "log/" + "a" * 32 + "/" + "0" * 16,
    ):
        assert parse_epoch_key(other) is None


def test_an_oversized_record_is_refused_before_it_is_parsed(chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parsing(*args: object, **kwargs: object) -> object:
        raise AssertionError("an oversized record was parsed")

    monkeypatch.setattr(json, "loads", no_parsing)
    with pytest.raises(MembershipError) as caught:
        EpochRecord.from_bytes(chain.records[2] + b" " * MAX_RECORD_BYTES, expected_epoch=2)
    assert epoch_key(2) in caught.value.message
