"""The roster: the vault's member laptops, as a hash-chained list of signed entries on the hub.

``verify_roster`` checks the whole chain, in order, and refuses it (MembershipError naming the hub object) unless:

- the entries are contiguous from 1, each ``prev`` is the hash of the sealed entry before it, there are at most
  ``MAX_ENTRIES`` of at most 16 KiB each, and it holds the pinned entry unchanged (no rewrite) and reaches it (no
  rollback);
- entry 1 is the founder adding itself in epoch 1;
- ``add``: made in the current epoch and proved under its key; by a current member, or by the laptop itself (a
  self-add: anyone who knows the current passphrase may add their laptop, and every member announces it); the
  laptop is not a current member (a removed one may come back, which needs the new passphrase);
- ``remove``: by a current member, of another current member, starting the next epoch and proved under that
  epoch's key. A laptop that holds no key for that epoch (``keys_for_epoch`` returns None: it is the removed one)
  stops there, after checking the signature, and gets the entry as ``Roster.stopped_at``;
- every entry is signed by its ``by`` laptop's key (a self-add by the key it adds).

The entry format is in roster_entry.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from memtray.errors import MembershipError
from memtray.hubs.keys import epoch_key, roster_key
from memtray.membership.epochs import EpochRecord
from memtray.membership.laptop_key import LaptopPublic, LaptopSigner, verify_signature
from memtray.membership.roster_entry import (
    ADD,
    GENESIS_HASH,
    REMOVE,
    RosterEntry,
    make_roster_entry,
    open_entry,
    refusal,
    sealed_hash,
)
from memtray.membership.view import MemberRecord, Membership
from memtray.vault.keys import FIRST_EPOCH, VaultKeys

MAX_ENTRIES = 4096
_PIN_TEXT = re.compile(r"([0-9]{1,19}):([0-9a-f]{64})")
TOO_LONG = "The list of laptops in your storage is longer than memtray accepts, so memtray did not use it."

KeysForEpoch = Callable[[int], VaultKeys | None]


@dataclass(frozen=True)
class RosterPin:
    """The newest roster entry a laptop verified: its seq and the SHA-256 hex of its sealed bytes."""

    seq: int
    sealed_hash: str

    def to_text(self) -> str:
        """How the service stores it (index meta ``roster_pin``)."""
        return f"{self.seq}:{self.sealed_hash}"

    @classmethod
    def from_text(cls, text: str) -> RosterPin:
        match = _PIN_TEXT.fullmatch(text)
        if match is None or int(match.group(1)) < 1:
            raise ValueError("not a roster pin")
        return cls(int(match.group(1)), match.group(2))


@dataclass(frozen=True)
class Roster:
    members: Mapping[str, MemberRecord] = field(default_factory=dict)
    """Every laptop ever added; a removed one keeps its record with ``removed_after`` set."""
    epoch: int = FIRST_EPOCH
    """The current key epoch as the roster has it."""
    strict: bool = False
    """True once any laptop was removed."""
    pin: RosterPin | None = None
    """The newest verified entry; None for a vault with no roster yet."""
    entries: tuple[RosterEntry, ...] = ()
    """The verified entries in order: who was added and removed, by whom, at which seq."""
    stopped_at: RosterEntry | None = None
    """A removal this laptop could not follow (it holds no key for the epoch it starts): signed by a member,
    not proved. Nothing after it was read."""

    def to_membership(self) -> Membership:
        return Membership(members=dict(self.members), strict=self.strict)

    def is_current_member(self, device_id: str) -> bool:
        member = self.members.get(device_id)
        return member is not None and member.removed_after is None and not self.removes(device_id)

    def removes(self, device_id: str) -> bool:
        """True if the roster removes ``device_id``: "this laptop was removed" when it is this laptop's id."""
        member = self.members.get(device_id)
        removed_verified = member is not None and member.removed_after is not None
        return removed_verified or (self.stopped_at is not None and self.stopped_at.device == device_id)

    def current_members(self) -> dict[str, MemberRecord]:
        return {device: member for device, member in self.members.items() if member.removed_after is None}

    def next_position(self) -> tuple[int, str]:
        """The seq and ``prev`` of the next entry to append."""
        if self.stopped_at is not None:
            raise ValueError("cannot append to a roster this laptop could not follow")
        return (1, GENESIS_HASH) if self.pin is None else (self.pin.seq + 1, self.pin.sealed_hash)


def verify_roster(sealed_entries: Sequence[bytes], keys_for_epoch: KeysForEpoch, pin: RosterPin | None) -> Roster:
    """The roster the hub's ``roster/`` objects (in seq order, from 1) describe, after checking every rule.

    ``keys_for_epoch(n)`` gives the vault keys of epoch n, or None if this laptop holds none; epoch 1's are needed.
    """
    first_keys = keys_for_epoch(FIRST_EPOCH)
    if first_keys is None:
        raise ValueError("reading the roster needs the epoch 1 key")
    if len(sealed_entries) > MAX_ENTRIES:
        raise MembershipError(TOO_LONG)
    _check_pin(sealed_entries, pin)
    members: dict[str, MemberRecord] = {}
    current: dict[str, MemberRecord] = {}
    epoch, strict, prev = FIRST_EPOCH, False, GENESIS_HASH
    verified: list[RosterEntry] = []
    for index, sealed in enumerate(sealed_entries):
        entry = open_entry(first_keys, sealed, index + 1)
        if entry.prev != prev:
            raise refusal(entry.seq, "does not follow the entry before it: the list of laptops was rewritten")
        if entry.seq == 1 and not (entry.action == ADD and entry.by == entry.device and entry.epoch == FIRST_EPOCH):
            raise refusal(entry.seq, "does not start the list of laptops with the first laptop adding itself")
        if entry.action == ADD:
            _check_add(entry, current, epoch)
            signer_public = entry.public.sign if entry.by == entry.device else current[entry.by].sign_public
        else:
            _check_remove(entry, current, epoch)
            signer_public = current[entry.by].sign_public
        _check_signature(entry, signer_public)
        proof_keys = keys_for_epoch(entry.epoch)
        if proof_keys is None:
            if entry.action == REMOVE:
                return _roster(members, epoch, strict, verified, prev, stopped_at=entry)
            raise refusal(entry.seq, "names a key this laptop does not have")
        if not entry.proof_holds(proof_keys.proof_key):
            raise refusal(entry.seq, "was not made by a laptop that knows the passphrase of your synced memory")
        if entry.action == ADD:
            members[entry.device] = current[entry.device] = _added(entry, members.get(entry.device))
        else:
            members[entry.device] = replace(current.pop(entry.device), removed_after=entry.last_seq)
            epoch, strict = entry.epoch, True
        verified.append(entry)
        prev = sealed_hash(sealed)
    return _roster(members, epoch, strict, verified, prev, stopped_at=None)


def check_epoch_record(roster: Roster, record: EpochRecord) -> None:
    """Refuse ``record`` unless a verified remove entry started its epoch, made and signed by the same laptop."""
    entry = next((entry for entry in roster.entries if entry.seq == record.roster_seq), None)
    if entry is None or entry.action != REMOVE or entry.epoch != record.epoch or entry.by != record.by:
        raise MembershipError(
            f"The stored item {epoch_key(record.epoch)} does not match the list of laptops, "
            "so memtray did not use it. Nothing on this laptop was changed."
        )
    record.verify(roster.members[record.by].sign_public)


def founding_entry(signer: LaptopSigner, name: str, first_seq: int, *, keys: VaultKeys) -> bytes:
    """Roster entry 1: the first laptop adds itself (``keys``: the epoch 1 keys)."""
    return self_add_entry(signer, name, first_seq, roster=Roster(), roster_keys=keys, current_keys=keys)


def self_add_entry(
    signer: LaptopSigner, name: str, first_seq: int, *, roster: Roster, roster_keys: VaultKeys, current_keys: VaultKeys
) -> bytes:
    """The next entry: this laptop adds itself, proved under the current epoch's keys (``current_keys``), or
    entry 1 proved under ``roster_keys`` when the roster is empty. ``first_seq``: the first seq of its log it signs."""
    if roster.pin is None:
        seq, prev, proof_keys, epoch = 1, GENESIS_HASH, roster_keys, FIRST_EPOCH
    else:
        (seq, prev), proof_keys, epoch = roster.next_position(), current_keys, roster.epoch
    return make_roster_entry(
        signer,
        roster_keys=roster_keys,
        proof_keys=proof_keys,
        seq=seq,
        prev=prev,
        action=ADD,
        device=signer.device_id,
        name=name,
        public=signer.public(),
        epoch=epoch,
        first_seq=first_seq,
    )


def remove_entry(
    signer: LaptopSigner, device_id: str, last_seq: int, *, roster: Roster, roster_keys: VaultKeys, new_keys: VaultKeys
) -> bytes:
    """The next entry: this laptop removes ``device_id``, starting epoch ``roster.epoch + 1`` whose keys are
    ``new_keys``. ``last_seq``: the highest seq of its log this laptop applied."""
    removed = roster.current_members()[device_id]
    seq, prev = roster.next_position()
    return make_roster_entry(
        signer,
        roster_keys=roster_keys,
        proof_keys=new_keys,
        seq=seq,
        prev=prev,
        action=REMOVE,
        device=device_id,
        name=removed.name,
        public=_public_of(removed),
        epoch=roster.epoch + 1,
        last_seq=last_seq,
    )


def _check_pin(sealed_entries: Sequence[bytes], pin: RosterPin | None) -> None:
    if pin is None:
        return
    if len(sealed_entries) < pin.seq:
        raise MembershipError(
            f"The list of laptops in your storage ends before {roster_key(pin.seq)}, which this laptop saw before: "
            "your storage lost it or rolled it back, so memtray did not use it. Nothing on this laptop was changed."
        )
    if sealed_hash(sealed_entries[pin.seq - 1]) != pin.sealed_hash:
        raise refusal(pin.seq, "is not the one this laptop saw before: the list of laptops was rewritten")


def _check_add(entry: RosterEntry, current: Mapping[str, MemberRecord], epoch: int) -> None:
    if entry.epoch != epoch:
        raise refusal(entry.seq, f"adds a laptop under key number {entry.epoch}, not the current {epoch}")
    if entry.by != entry.device and entry.by not in current:
        raise refusal(entry.seq, "adds a laptop, but was made by a laptop that is not a member")
    if entry.device in current:
        raise refusal(entry.seq, "adds a laptop that is already a member")


def _check_remove(entry: RosterEntry, current: Mapping[str, MemberRecord], epoch: int) -> None:
    if entry.by not in current:
        raise refusal(entry.seq, "removes a laptop, but was made by a laptop that is not a member")
    if entry.device == entry.by:
        raise refusal(entry.seq, "has a laptop remove itself")
    removed = current.get(entry.device)
    if removed is None:
        raise refusal(entry.seq, "removes a laptop that is not a member")
    if entry.public != _public_of(removed) or entry.name != removed.name:
        raise refusal(entry.seq, "removes a laptop under keys that are not the member's")
    if entry.epoch != epoch + 1:
        raise refusal(entry.seq, f"starts key number {entry.epoch}, not the next one ({epoch + 1})")


def _check_signature(entry: RosterEntry, signer_public: bytes) -> None:
    if not verify_signature(signer_public, entry.signed_message(), entry.sig):
        raise refusal(entry.seq, "is not signed by the laptop it names")


def _added(entry: RosterEntry, earlier: MemberRecord | None) -> MemberRecord:
    first_signed = entry.first_seq
    if earlier is not None and earlier.removed_after is not None:
        first_signed = min(first_signed, earlier.removed_after + 1)
    return MemberRecord(
        device_id=entry.device,
        name=entry.name,
        sign_public=entry.public.sign,
        agree_public=entry.public.agree,
        first_signed_seq=first_signed,
    )


def _public_of(member: MemberRecord) -> LaptopPublic:
    return LaptopPublic(sign=member.sign_public, agree=member.agree_public)


def _roster(
    members: dict[str, MemberRecord],
    epoch: int,
    strict: bool,
    verified: list[RosterEntry],
    prev: str,
    *,
    stopped_at: RosterEntry | None,
) -> Roster:
    pin = RosterPin(len(verified), prev) if verified else None
    return Roster(members=members, epoch=epoch, strict=strict, pin=pin, entries=tuple(verified), stopped_at=stopped_at)
