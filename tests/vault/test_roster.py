"""The roster: every rule of verify_roster refuses what breaks it, with a sentence naming the stored item.

Each test builds real sealed entries with the real keys (make_roster_entry), then breaks exactly one rule; the
message is asserted so that a test fails if its rule's own check is gone (another check refusing for another
reason does not count).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from memtray.errors import MembershipError
from memtray.hubs.keys import ROSTER_PREFIX, is_listed_key, parse_roster_key, roster_key
from memtray.membership.epochs import EpochRecord, make_epoch
from memtray.membership.laptop_key import LaptopKey, LaptopPublic, LaptopSigner
from memtray.membership.roster import (
    MAX_ENTRIES,
    Roster,
    RosterPin,
    check_epoch_record,
    founding_entry,
    remove_entry,
    self_add_entry,
    verify_roster,
)
from memtray.membership.roster_entry import (
    ADD,
    GENESIS_HASH,
    MAX_SEALED_BYTES,
    REMOVE,
    make_roster_entry,
    sealed_hash,
)
from memtray.membership.view import EntryRule
from memtray.vault.envelope import object_aad, open_sealed, seal
from memtray.vault.keys import VaultKeys

VAULT = "00112233445566778899aabbccddeeff"
NOT_USED = "so memtray did not use your storage's list of laptops. Nothing on this laptop was changed."


def signer(letter: str) -> LaptopSigner:
    return LaptopSigner(letter * 32, LaptopKey.generate())


@dataclass
class World:
    """Epoch keys 1..3, laptops A (founder), B, C, D, and X who is never added."""

    keys: dict[int, VaultKeys] = field(
        default_factory=lambda: {epoch: VaultKeys.derive(VAULT, os.urandom(32)) for epoch in (1, 2, 3)}
    )
    a: LaptopSigner = field(default_factory=lambda: signer("a"))
    b: LaptopSigner = field(default_factory=lambda: signer("b"))
    c: LaptopSigner = field(default_factory=lambda: signer("c"))
    d: LaptopSigner = field(default_factory=lambda: signer("d"))
    x: LaptopSigner = field(default_factory=lambda: signer("e"))
    sealed: list[bytes] = field(default_factory=list)

    def keys_for(self, *epochs: int) -> Callable[[int], VaultKeys | None]:
        held = {epoch: self.keys[epoch] for epoch in epochs or tuple(self.keys)}
        return held.get

    def position(self) -> tuple[int, str]:
        return len(self.sealed) + 1, sealed_hash(self.sealed[-1]) if self.sealed else GENESIS_HASH

    def entry(
        self,
        by: LaptopSigner,
        subject: LaptopSigner,
        *,
        action: str = ADD,
        epoch: int = 1,
        proof_epoch: int | None = None,
        **overrides: object,
    ) -> bytes:
        """The next entry (not appended), proved under ``proof_epoch`` (default: ``epoch``)."""
        seq, prev = self.position()
        fields: dict[str, object] = {
            "seq": seq,
            "prev": prev,
            "action": action,
            "device": subject.device_id,
            "name": f"laptop {subject.device_id[0].upper()}",
            "public": subject.public(),
            "epoch": epoch,
            "first_seq": 1 if action == ADD else 0,
            "last_seq": 7 if action == REMOVE else 0,
            **overrides,
        }
        return make_roster_entry(
            by,
            roster_keys=self.keys[1],
            proof_keys=self.keys[proof_epoch or epoch],
            time=1_800_000_000.5,
            **fields,  # type: ignore[arg-type]
        )

    def append(self, sealed: bytes) -> World:
        self.sealed.append(sealed)
        return self

    def verify(self, *epochs: int, pin: RosterPin | None = None) -> Roster:
        return verify_roster(self.sealed, self.keys_for(*epochs), pin)

    def refused(self, *epochs: int, pin: RosterPin | None = None) -> str:
        with pytest.raises(MembershipError) as caught:
            self.verify(*epochs, pin=pin)
        return caught.value.message


@pytest.fixture
def world() -> World:
    """A founded roster: A founds it, B adds itself, A adds C (all in epoch 1)."""
    world = World()
    world.append(world.entry(world.a, world.a))
    world.append(world.entry(world.b, world.b, first_seq=3))
    return world.append(world.entry(world.a, world.c))


@pytest.fixture
def removed(world: World) -> World:
    """... then A removes B (epoch 2; B's entries up to 7 stay applied)."""
    return world.append(world.entry(world.a, world.b, action=REMOVE, epoch=2))


def resealed(
    world: World, sealed: bytes, *, at: int, stored_at: int | None = None, changes: dict[str, object] | None = None
) -> bytes:
    """``sealed`` (stored at ``stored_at``) with its plaintext fields changed, sealed again for position ``at``."""
    roster = world.keys[1]
    plaintext = open_sealed(roster.roster_key, sealed, object_aad(VAULT, "roster", stored_at or at))
    document = {**json.loads(plaintext), **(changes or {})}
    data = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return seal(roster.roster_key, data, object_aad(VAULT, "roster", at), key_generation=1)


# A good chain, and what the engine gets from it.


def test_a_good_roster_gives_members_epoch_and_pin(world: World) -> None:
    roster = world.verify(1)
    assert set(roster.members) == {world.a.device_id, world.b.device_id, world.c.device_id}
    assert roster.members[world.b.device_id].first_signed_seq == 3
    assert roster.members[world.b.device_id].sign_public == world.b.public().sign
    assert roster.members[world.b.device_id].agree_public == world.b.public().agree
    assert (roster.epoch, roster.strict, roster.stopped_at) == (1, False, None)
    assert roster.pin == RosterPin(3, sealed_hash(world.sealed[2]))
    assert [(entry.seq, entry.action, entry.device, entry.by) for entry in roster.entries] == [
        (1, ADD, world.a.device_id, world.a.device_id),
        (2, ADD, world.b.device_id, world.b.device_id),
        (3, ADD, world.c.device_id, world.a.device_id),
    ]
    membership = roster.to_membership()
    assert membership.rule(world.b.device_id, 2) == EntryRule.UNSIGNED_OK
    assert membership.rule(world.b.device_id, 3) == EntryRule.SIGNED
    assert membership.rule(world.x.device_id, 1) == EntryRule.UNSIGNED_OK


def test_a_removal_starts_the_next_epoch_and_makes_the_roster_strict(removed: World) -> None:
    roster = removed.verify()
    assert (roster.epoch, roster.strict) == (2, True)
    assert roster.members[removed.b.device_id].removed_after == 7
    assert not roster.is_current_member(removed.b.device_id)
    assert roster.removes(removed.b.device_id)
    assert set(roster.current_members()) == {removed.a.device_id, removed.c.device_id}
    membership = roster.to_membership()
    assert membership.rule(removed.b.device_id, 7) == EntryRule.SIGNED
    assert membership.rule(removed.b.device_id, 8) == EntryRule.REFUSED
    assert membership.rule(removed.x.device_id, 1) == EntryRule.REFUSED


def test_no_roster_is_an_empty_one() -> None:
    world = World()
    roster = world.verify(1)
    assert roster == Roster()
    assert roster.next_position() == (1, GENESIS_HASH)


def test_the_builders_make_entries_the_rules_accept() -> None:
    world = World()
    world.append(founding_entry(world.a, "laptop A", 5, keys=world.keys[1]))
    roster = world.verify(1)
    assert roster.members[world.a.device_id].first_signed_seq == 5
    world.append(
        self_add_entry(world.b, "laptop B", 1, roster=roster, roster_keys=world.keys[1], current_keys=world.keys[1])
    )
    roster = world.verify(1)
    world.append(
        remove_entry(world.a, world.b.device_id, 4, roster=roster, roster_keys=world.keys[1], new_keys=world.keys[2])
    )
    roster = world.verify(1, 2)
    assert (roster.epoch, roster.members[world.b.device_id].removed_after) == (2, 4)
    world.append(
        self_add_entry(world.c, "laptop C", 1, roster=roster, roster_keys=world.keys[1], current_keys=world.keys[2])
    )
    assert world.c.device_id in world.verify(1, 2).current_members()


def test_a_removed_laptop_stops_at_its_removal(removed: World) -> None:
    removed.append(removed.entry(removed.a, removed.d, epoch=2))
    roster = removed.verify(1)
    assert roster.stopped_at is not None
    assert (roster.stopped_at.seq, roster.stopped_at.device) == (4, removed.b.device_id)
    assert roster.removes(removed.b.device_id)
    assert not roster.removes(removed.c.device_id)
    assert removed.d.device_id not in roster.members
    assert roster.pin == RosterPin(3, sealed_hash(removed.sealed[2]))
    assert roster.epoch == 1
    with pytest.raises(ValueError):
        roster.next_position()


def test_a_removal_this_laptop_cannot_follow_must_still_be_signed_by_a_member(world: World) -> None:
    forged = LaptopSigner(world.a.device_id, world.x.key)
    world.append(world.entry(forged, world.b, action=REMOVE, epoch=2))
    assert "is not signed by the laptop it names" in world.refused(1)


def test_a_removed_laptop_added_again_must_sign_from_its_removal_on(removed: World) -> None:
    removed.append(removed.entry(removed.b, removed.b, epoch=2, first_seq=12))
    roster = removed.verify()
    member = roster.members[removed.b.device_id]
    assert (member.removed_after, member.first_signed_seq) == (None, 8)
    assert roster.is_current_member(removed.b.device_id)
    assert not roster.removes(removed.b.device_id)


# Contiguity, chain, version and sizes.


def test_a_missing_entry_is_refused(world: World) -> None:
    del world.sealed[1]
    message = world.refused(1)
    assert roster_key(2) in message
    assert "is damaged, or was changed or moved in your storage" in message


def test_an_entry_whose_seq_is_not_its_place_is_refused(world: World) -> None:
    seq, prev = world.position()
    third_as_fourth = world.entry(world.a, world.d, seq=seq + 1, prev=prev)
    world.append(resealed(world, third_as_fourth, at=seq, stored_at=seq + 1))
    message = world.refused(1)
    assert f"{roster_key(4)} is out of order" in message


def test_an_entry_that_does_not_follow_its_predecessor_is_refused(world: World) -> None:
    world.append(world.entry(world.a, world.d, prev=sealed_hash(world.sealed[0])))
    message = world.refused(1)
    assert f"{roster_key(4)} does not follow the entry before it" in message
    assert message.endswith(NOT_USED)


def test_an_entry_of_another_version_is_refused(world: World) -> None:
    world.sealed[2] = resealed(world, world.sealed[2], at=3, changes={"v": 2})
    assert f"{roster_key(3)} is damaged," in world.refused(1)


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "n" * 201},
        {"name": ""},
        {"time": -1.0},
        {"time": 1e12},
        {"first_seq": 0},
        {"last_seq": 3},
        {"epoch": 0},
        {"action": "promote"},
        {"device": "B" * 32},
        {"by": "a" * 31},
        {"prev": "0" * 63},
        {"seq": True},
        {"sign": "!!"},
        {"proof": ""},
        {"extra": 1},
    ],
)
def test_malformed_entries_are_refused_as_damaged(world: World, changes: dict[str, object]) -> None:
    world.sealed[2] = resealed(world, world.sealed[2], at=3, changes=changes)
    assert f"{roster_key(3)} is damaged," in world.refused(1)


def test_an_entry_larger_than_the_bound_is_refused_before_it_is_opened(world: World) -> None:
    plaintext = open_sealed(world.keys[1].roster_key, world.sealed[2], object_aad(VAULT, "roster", 3))
    padded = plaintext[:-1] + b" " * MAX_SEALED_BYTES + b"}"
    world.sealed[2] = seal(world.keys[1].roster_key, padded, object_aad(VAULT, "roster", 3), key_generation=1)
    assert f"{roster_key(3)} is larger than memtray accepts" in world.refused(1)


def test_a_roster_longer_than_the_bound_is_refused(world: World) -> None:
    world.sealed.extend([world.sealed[-1]] * (MAX_ENTRIES + 1 - len(world.sealed)))
    assert "list of laptops in your storage is longer than memtray accepts" in world.refused(1)


def test_an_entry_of_another_vault_is_refused() -> None:
    other = World()
    other.keys[1] = VaultKeys.derive("ffeeddccbbaa99887766554433221100", os.urandom(32))
    world = World()
    world.keys[1] = VaultKeys.derive(VAULT, os.urandom(32))
    other.append(other.entry(other.a, other.a))
    world.sealed = list(other.sealed)
    assert f"{roster_key(1)} is damaged, or was changed or moved" in world.refused(1)


# The founder.


@pytest.mark.parametrize("founder", ["someone else's add", "a removal"])
def test_the_first_entry_must_be_the_founder_adding_itself(founder: str) -> None:
    world = World()
    if founder == "a removal":
        world.append(world.entry(world.a, world.b, action=REMOVE, epoch=2))
    else:
        world.append(world.entry(world.a, world.b))
    assert f"{roster_key(1)} does not start the list of laptops" in world.refused()


def test_the_founder_adds_itself_in_epoch_one() -> None:
    world = World()
    world.append(world.entry(world.a, world.a, epoch=2))
    assert f"{roster_key(1)} does not start the list of laptops" in world.refused()


# Adding.


def test_a_self_add_after_a_removal_needs_the_current_epochs_key(removed: World) -> None:
    removed.append(removed.entry(removed.d, removed.d, epoch=2, proof_epoch=1))
    message = removed.refused()
    assert f"{roster_key(5)} was not made by a laptop that knows the passphrase" in message


def test_an_add_under_an_old_epoch_is_refused(removed: World) -> None:
    removed.append(removed.entry(removed.d, removed.d, epoch=1))
    assert f"{roster_key(5)} adds a laptop under key number 1, not the current 2" in removed.refused()


def test_an_add_with_a_wrong_proof_is_refused(world: World) -> None:
    world.keys[3] = VaultKeys.derive(VAULT, os.urandom(32))
    world.append(world.entry(world.d, world.d, epoch=1, proof_epoch=3))
    assert f"{roster_key(4)} was not made by a laptop that knows the passphrase" in world.refused(1)


def test_an_add_by_a_laptop_that_is_not_a_member_is_refused(world: World) -> None:
    world.append(world.entry(world.x, world.d))
    assert f"{roster_key(4)} adds a laptop, but was made by a laptop that is not a member" in world.refused(1)


def test_an_add_by_a_removed_laptop_is_refused(removed: World) -> None:
    removed.append(removed.entry(removed.b, removed.d, epoch=2))
    assert "adds a laptop, but was made by a laptop that is not a member" in removed.refused()


def test_adding_a_current_member_again_is_refused(world: World) -> None:
    world.append(world.entry(world.c, world.b))
    assert f"{roster_key(4)} adds a laptop that is already a member" in world.refused(1)


def test_a_self_add_signed_by_another_key_is_refused(world: World) -> None:
    impostor = LaptopSigner(world.d.device_id, world.x.key)
    world.append(world.entry(impostor, world.d))
    assert f"{roster_key(4)} is not signed by the laptop it names" in world.refused(1)


def test_an_add_signed_by_someone_posing_as_a_member_is_refused(world: World) -> None:
    impostor = LaptopSigner(world.a.device_id, world.x.key)
    world.append(world.entry(impostor, world.d))
    assert f"{roster_key(4)} is not signed by the laptop it names" in world.refused(1)


def test_a_signature_over_other_fields_is_refused(world: World) -> None:
    world.sealed[2] = resealed(world, world.sealed[2], at=3, changes={"name": "laptop Z"})
    assert f"{roster_key(3)} is not signed by the laptop it names" in world.refused(1)


# Removing.


def test_a_removal_by_a_laptop_that_is_not_a_member_is_refused(world: World) -> None:
    world.append(world.entry(world.x, world.b, action=REMOVE, epoch=2))
    message = world.refused()
    assert f"{roster_key(4)} removes a laptop, but was made by a laptop that is not a member" in message


def test_a_removal_by_a_removed_laptop_is_refused(removed: World) -> None:
    removed.append(removed.entry(removed.b, removed.c, action=REMOVE, epoch=3))
    assert "removes a laptop, but was made by a laptop that is not a member" in removed.refused()


def test_a_laptop_removing_itself_is_refused(world: World) -> None:
    world.append(world.entry(world.b, world.b, action=REMOVE, epoch=2))
    assert f"{roster_key(4)} has a laptop remove itself" in world.refused()


def test_removing_a_laptop_that_is_not_a_member_is_refused(removed: World) -> None:
    removed.append(removed.entry(removed.a, removed.b, action=REMOVE, epoch=3))
    assert f"{roster_key(5)} removes a laptop that is not a member" in removed.refused()


def test_a_removal_naming_other_keys_than_the_members_is_refused(world: World) -> None:
    world.append(world.entry(world.a, world.b, action=REMOVE, epoch=2, public=world.x.public()))
    assert f"{roster_key(4)} removes a laptop under keys that are not the member's" in world.refused()


@pytest.mark.parametrize("epoch", [1, 3])
def test_a_removal_must_start_exactly_the_next_epoch(world: World, epoch: int) -> None:
    world.append(world.entry(world.a, world.b, action=REMOVE, epoch=epoch))
    assert f"{roster_key(4)} starts key number {epoch}, not the next one (2)" in world.refused()


def test_a_removal_proved_under_the_old_epoch_is_refused(world: World) -> None:
    world.append(world.entry(world.a, world.b, action=REMOVE, epoch=2, proof_epoch=1))
    assert f"{roster_key(4)} was not made by a laptop that knows the passphrase" in world.refused()


def test_a_removal_signed_by_someone_posing_as_a_member_is_refused(world: World) -> None:
    impostor = LaptopSigner(world.c.device_id, world.b.key)
    world.append(world.entry(impostor, world.b, action=REMOVE, epoch=2))
    assert f"{roster_key(4)} is not signed by the laptop it names" in world.refused()


# The pin.


def test_a_pinned_entry_rewritten_is_refused(world: World) -> None:
    pin = world.verify(1).pin
    assert pin is not None
    del world.sealed[2]
    world.append(world.entry(world.a, world.c, name="laptop C, renamed"))
    world.verify(1)
    message = world.refused(1, pin=pin)
    assert f"{roster_key(3)} is not the one this laptop saw before: the list of laptops was rewritten" in message


def test_a_roster_rolled_back_before_the_pin_is_refused(world: World) -> None:
    pin = world.verify(1).pin
    del world.sealed[2]
    world.verify(1)
    message = world.refused(1, pin=pin)
    assert f"ends before {roster_key(3)}, which this laptop saw before" in message


def test_a_roster_that_grew_past_the_pin_is_accepted(world: World) -> None:
    pin = world.verify(1).pin
    world.append(world.entry(world.c, world.d))
    assert world.verify(1, pin=pin).pin == RosterPin(4, sealed_hash(world.sealed[3]))


def test_pin_text_round_trip() -> None:
    pin = RosterPin(12, "ab" * 32)
    assert RosterPin.from_text(pin.to_text()) == pin
    for garbage in (
        "",
        "12",
        "x:" + "ab" * 32,
        "0:" + "ab" * 32,
        "3:" + "zz" * 32,
        "3:" + "ab" * 31,
        "3:0x" + "a" * 62,
    ):
        with pytest.raises(ValueError):
            RosterPin.from_text(garbage)


# Epoch records against the roster.


def test_an_epoch_record_must_match_its_remove_entry(removed: World) -> None:
    roster = removed.verify()
    members = {removed.a.device_id: removed.a.public().agree, removed.c.device_id: removed.c.public().agree}
    new_key, old_key = os.urandom(32), os.urandom(32)
    check_epoch_record(roster, EpochRecord.from_bytes(make_epoch(VAULT, 2, removed.a, 4, members, new_key, old_key)))
    for by, seq, epoch in ((removed.c, 4, 2), (removed.a, 3, 2), (removed.a, 4, 3)):
        record = EpochRecord.from_bytes(make_epoch(VAULT, epoch, by, seq, members, new_key, old_key))
        with pytest.raises(MembershipError) as caught:
            check_epoch_record(roster, record)
        assert "does not match the list of laptops" in caught.value.message
    forged = LaptopSigner(removed.a.device_id, removed.x.key)
    record = EpochRecord.from_bytes(make_epoch(VAULT, 2, forged, 4, members, new_key, old_key))
    with pytest.raises(MembershipError) as caught:
        check_epoch_record(roster, record)
    assert "not signed by the laptop it names" in caught.value.message


def test_hub_keys_of_roster_entries() -> None:
    assert roster_key(1) == ROSTER_PREFIX + "0000000000000001"
    assert parse_roster_key(roster_key(0xABC)) == 0xABC
    assert is_listed_key(roster_key(1))
    for other in (
        "roster/0000000000000001\n",
        "roster/1",
        "roster/000000000000000g",
        "roster/0000000000000001/x",
        "epoch/00000001",
    ):
        assert parse_roster_key(other) is None


def test_messages_never_show_keys(removed: World) -> None:
    removed.append(removed.entry(removed.x, removed.d, epoch=2))
    message = removed.refused()
    for keys in removed.keys.values():
        for secret in (keys.roster_key, keys.proof_key):
            assert secret.hex() not in message
    assert LaptopPublic(removed.x.public().sign, removed.x.public().agree).sign.hex() not in message
