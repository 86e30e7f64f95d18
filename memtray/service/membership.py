"""This laptop's membership of the vault: its own key, the roster of member laptops on the hub, and the vault
keys of every epoch (see memtray/membership/).

- ``unlock``: a laptop with a grant in one of the hub's epoch records opens the newest such grant with its own
  key and walks each record's ``previous`` key down to epoch 1: no passphrase, no Argon2, so a laptop whose
  stored passphrase went stale at a removal keeps syncing with no typing. Any other laptop unlocks its pinned
  key file with the passphrase, as before. Either way the hub's newest key file is pinned next, once it
  authenticates under the newest key.
- ``refresh`` (before each sync): the roster entries this laptop has not seen are fetched (it keeps the ones it
  verified, so a later rewrite of those shows as an entry that does not chain onto its copy), the whole chain is
  verified against the pin kept in the index (no rewrite, no rollback), and the epoch records against it; a
  record no removal in the roster started (its remover stopped half-way) is not an epoch yet. A
  laptop that is not a member yet adds itself (the first one founds the roster), so an existing vault upgrades
  at its laptops' next syncs with nothing asked. What the roster added and removed since the last sync becomes
  ``SyncResult.joined``/``left``.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from memtray.errors import (
    MembershipError,
    ObjectExistsError,
    ObjectMissingError,
    PassphraseError,
    RemovedFromVaultError,
)
from memtray.hubs.base import Hub
from memtray.hubs.batch import fetch_many
from memtray.hubs.keys import (
    EPOCH_PREFIX,
    LOG_PREFIX,
    ROSTER_PREFIX,
    parse_epoch_key,
    parse_log_key,
    parse_roster_key,
    roster_key,
)
from memtray.membership.epochs import EpochRecord, unwind_keys
from memtray.membership.laptop_key import LaptopKey, LaptopPublic, LaptopSigner, fingerprint
from memtray.membership.roster import Roster, RosterPin, check_epoch_record, self_add_entry, verify_roster
from memtray.membership.roster_entry import ADD, REMOVE
from memtray.membership.view import Membership
from memtray.service import keyfile
from memtray.service.laptop_keys import load_laptop_key, store_laptop_key
from memtray.vault import keys as vault_keys
from memtray.vault.epochs import FIRST_EPOCH, EpochKeys
from memtray.vault.keys import VaultKeys

if TYPE_CHECKING:
    from memtray.service.base import ServiceBase

# Index meta keys.
ROSTER_PIN = "roster_pin"
"""The newest roster entry this laptop verified (``RosterPin.to_text``)."""
ROSTER_ENTRIES = "roster_entries"
"""The verified sealed entries, as a JSON list of Base64, so a sync fetches only the new ones."""
ROSTER_TOLD = "roster_told"
"""The newest roster entry already told to the person (joined/left); absent before the first roster read."""
ROSTER_MEMBERS = "roster_members"
"""What ``devices`` shows without the keys: {"strict": bool, "members": {device: [name, fingerprint, removed]}}."""

REMOVED_ME = (
    "This laptop was removed from your synced memory on another of your laptops, so it no longer syncs. "
    "The files already on it stay as they are."
)
NEW_PASSPHRASE_NEEDED = (
    "A laptop was removed from your synced memory on another of your laptops, and a new passphrase was chosen "
    "there. Type the new passphrase on this laptop to carry on."
)
NO_ROSTER = (
    "Your storage holds new keys but no list of your laptops, so memtray did not use them. Your storage may have "
    "been tampered with. Nothing on this laptop was changed."
)
OTHER_VAULT_RECORD = (
    "The storage's object {key} belongs to another synced memory, so memtray did not use it. "
    "Nothing on this laptop was changed."
)


@dataclass
class RosterNews:
    """What the engine needs of the roster for one sync, and what to tell the person."""

    membership: Membership = field(default_factory=Membership)
    joined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    newest: int = 0


class Members:
    """This laptop's side of the roster. One per service; it keeps the raw epoch keys of the last unlock."""

    def __init__(self, service: ServiceBase) -> None:
        self._service = service
        self._raw: dict[int, bytes] = {}
        self._records: dict[int, EpochRecord] = {}
        self._unverified: tuple[int, bytes, str | None] | None = None
        """The epoch and key of the last unlock, with the passphrase that opened it if any: the hub's newer key file
        is pinned (and that passphrase kept) only once ``refresh`` verified the roster at that epoch, since anyone
        can wrap a key for this laptop's public key or make a key file an old passphrase opens."""
        self.roster: Roster | None = None
        """The roster as the last ``refresh`` verified it."""
        self._laptop_key: tuple[str, LaptopKey] | None = None

    # This laptop's key.

    def laptop_key(self) -> LaptopKey | None:
        """This laptop's key, read once per vault and kept for the service's life: a long-running tray app signs
        every sync with it, and a keychain read per sync costs tens of milliseconds and grows the Secret Service."""
        service = self._service
        vault_id = service.config.vault_id
        if self._laptop_key is not None and self._laptop_key[0] == vault_id:
            return self._laptop_key[1]
        key = load_laptop_key(service.keychain, vault_id, service.home.laptop_key_file)
        if key is not None:
            self._laptop_key = (vault_id, key)
        return key

    def signer(self) -> LaptopSigner | None:
        key = self.laptop_key()
        return LaptopSigner(self._service.config.device_id, key) if key is not None else None

    def own_signer(self) -> LaptopSigner:
        """This laptop's signer, its key made and stored on first use."""
        service = self._service
        key = self.laptop_key()
        if key is None:
            key = LaptopKey.generate()
            store_laptop_key(service.keychain, service.config.vault_id, service.home.laptop_key_file, key)
            self._laptop_key = (service.config.vault_id, key)
        return LaptopSigner(service.config.device_id, key)

    def raw_key(self, epoch: int) -> bytes:
        """The vault key of ``epoch`` as the last unlock found it (a removal wraps it under the next one)."""
        return self._raw[epoch]

    def known_key(self, epoch: int) -> bytes | None:
        """The vault key of ``epoch`` if this run unlocked it."""
        return self._raw.get(epoch)

    # Unlocking.

    def unlock(self) -> EpochKeys:
        self._records = self._read_records()
        for epoch, vault_key in self._granted():
            try:
                keys = self._unwind(epoch, vault_key)
            except MembershipError:
                continue  # a record whose chain does not open: an older grant may still lead to epoch 1
            self._unverified = (epoch, vault_key, None)
            return keys
        kept = self._service.kept_unlock_key()  # the pinned key file's key, kept by this laptop: no Argon2
        if kept is not None:
            self._unverified = (*kept, None)
            return self._unwind(*kept)
        epoch, vault_key, opened_with = self._from_passphrase()
        keys = self._unwind(epoch, vault_key)
        self._unverified = (epoch, vault_key, opened_with)
        return keys

    def unlocked_with(self, epoch: int, vault_key: bytes) -> EpochKeys:
        """The keys of every epoch from ``epoch``'s key, which a joining laptop unlocked with the passphrase."""
        self._records = self._read_records()
        return self._unwind(epoch, vault_key)

    def _unwind(self, epoch: int, vault_key: bytes) -> EpochKeys:
        vault_id = self._service.config.vault_id
        self._raw = unwind_keys(self._records, epoch, vault_key)
        by_epoch = {number: VaultKeys.derive(vault_id, key) for number, key in self._raw.items()}
        return EpochKeys(vault_id, epoch, by_epoch)

    def _read_records(self) -> dict[int, EpochRecord]:
        hub, vault_id = self._service.hub(), self._service.config.vault_id
        records = {}
        listed = {key: epoch for key in hub.list(EPOCH_PREFIX) if (epoch := parse_epoch_key(key)) is not None}
        for key, data in _present(hub, list(listed)):
            epoch = listed[key]
            record = EpochRecord.from_bytes(data, expected_epoch=epoch)
            if record.vault_id != vault_id:
                raise MembershipError(OTHER_VAULT_RECORD.format(key=key))
            records[epoch] = record
        return records

    def _granted(self) -> Iterator[tuple[int, bytes]]:
        """The epoch keys granted to this laptop, newest first. Trusted only once ``refresh`` checked their
        records against the roster, which happens before anything is sealed under them."""
        key = self.laptop_key() if self._records else None
        if key is None:
            return
        me = self._service.config.device_id
        for epoch in sorted(self._records, reverse=True):
            opened = self._records[epoch].open_grant(me, key)
            if opened is not None:
                yield epoch, opened

    def _from_passphrase(self) -> tuple[int, bytes, str | None]:
        """The epoch and key the passphrase opens: the hub's key file when it is of a newer epoch than the pin
        (the new passphrase of a removal this laptop got no grant in), returned with that passphrase, since the
        roster check in ``refresh`` must accept the epoch before anything is sealed under it or it is pinned;
        else the pinned key file, with None."""
        service = self._service
        passphrase = service.passphrase("unlock")  # first: a recovery while asking for it pins a new key file
        pin = keyfile.load_pin(service.home.keyfile_pin)
        on_hub = keyfile.latest_on_hub(service.hub()) if self._records else None
        try:
            if on_hub is not None and on_hub.epoch > pin.epoch:
                with contextlib.suppress(PassphraseError):
                    return on_hub.epoch, vault_keys.unlock(on_hub, passphrase, service.config.vault_id), passphrase
            return pin.epoch, vault_keys.unlock(pin, passphrase, service.config.vault_id), None
        except PassphraseError:
            service.forget_run_passphrase()
            raise

    def _pin_newest_keyfile(self, epoch: int, vault_key: bytes) -> None:
        """Pin the hub's newer key file when it holds the newest epoch's key. One of a newer epoch than the old pin
        was made with a new passphrase at a removal, so the passphrase kept here is stale and forgotten."""
        service = self._service
        pinned = keyfile.load_pin(service.home.keyfile_pin)
        on_hub = keyfile.latest_on_hub(service.hub())
        if on_hub is None or on_hub.generation <= pinned.generation or on_hub.epoch != epoch:
            return
        vault_keys.verify_keyfile(on_hub, vault_key)
        service.will_pin(on_hub.epoch, vault_key)
        keyfile.save_pin(service.home.keyfile_pin, on_hub)
        if on_hub.epoch > pinned.epoch:
            service.forget_stored_passphrase()

    # The roster, before each sync.

    def refresh(self, keys: EpochKeys) -> tuple[EpochKeys, RosterNews]:
        """Verify the roster and the epoch records, add this laptop if it is not a member, and say what changed.
        Returns the keys to sync with: newer ones when another laptop started an epoch since the last unlock."""
        service = self._service
        newest_record = max((parse_epoch_key(key) or 0 for key in service.hub().list(EPOCH_PREFIX)), default=0)
        if newest_record > max(self._records, default=FIRST_EPOCH):
            service.forget_keys()
            keys = service.epoch_keys()
        known = {device.device_id for device in service.index.devices()}
        roster = self._verified_roster(keys)
        if roster is None and (self._records or keys.current != FIRST_EPOCH):
            raise MembershipError(NO_ROSTER)
        if roster is not None and keys.current > roster.epoch:
            # a record no removal in the roster started (its remover stopped half-way): not an epoch yet
            service.unlocked_with(roster.epoch, self._raw[roster.epoch])
            keys = service.epoch_keys()
        if self._unverified is not None and (roster.epoch if roster else FIRST_EPOCH) == self._unverified[0]:
            epoch, vault_key, passphrase = self._unverified
            self._pin_newest_keyfile(epoch, vault_key)
            if passphrase is not None:
                service.passphrase_changed(passphrase)
            self._unverified = None
            service.keep_unlock_key()
        me = service.config.device_id
        if (roster is None or not roster.is_current_member(me)) and (roster is None or roster.epoch == keys.current):
            roster = self._add_me(keys, roster)
        return keys, self._news(roster, known)

    def _verified_roster(self, keys: EpochKeys) -> Roster | None:
        service = self._service
        index, hub = service.index, service.hub()
        pin_text = index.get_meta(ROSTER_PIN)
        pin = RosterPin.from_text(pin_text) if pin_text else None
        sealed = _load_entries(index.get_meta(ROSTER_ENTRIES))
        on_hub = sorted(seq for seq in map(parse_roster_key, hub.list(ROSTER_PREFIX)) if seq is not None)
        if pin is not None and pin.seq not in on_hub:
            sealed = sealed[: len(on_hub)]  # the hub lost entries this laptop saw: verify_roster says so
        wanted: list[int] = []
        for seq in on_hub:
            if seq == len(sealed) + len(wanted) + 1:
                wanted.append(seq)
        with contextlib.suppress(ObjectMissingError):
            for _, data in fetch_many(hub, map(roster_key, wanted)):
                sealed.append(data)  # the entries before one the hub lost since it listed them
        if not sealed and pin is None:
            return None
        roster = verify_roster(sealed, keys.by_epoch.get, pin)  # refuses a roster shorter than the pin, too
        if roster.stopped_at is not None:
            me = service.config.device_id
            if roster.removes(me):
                raise RemovedFromVaultError(REMOVED_ME)
            service.forget_stored_passphrase()
            service.forget_keys()
            raise PassphraseError(NEW_PASSPHRASE_NEEDED, title="Type your new passphrase")
        for record in self._records.values():
            if record.epoch <= roster.epoch:
                check_epoch_record(roster, record)
        self._keep(roster, sealed)
        return roster

    def _keep(self, roster: Roster, sealed: list[bytes]) -> None:
        index = self._service.index
        assert roster.pin is not None
        self.roster = roster
        if index.get_meta(ROSTER_PIN) == roster.pin.to_text():
            return  # the same roster as the last sync kept: nothing to write
        index.set_meta(ROSTER_PIN, roster.pin.to_text())
        index.set_meta(ROSTER_ENTRIES, json.dumps([base64.b64encode(item).decode("ascii") for item in sealed]))
        members = {
            device: [
                record.name,
                fingerprint(LaptopPublic(record.sign_public, record.agree_public)),
                record.removed_after is not None,
            ]
            for device, record in roster.members.items()
        }
        index.set_meta(ROSTER_MEMBERS, json.dumps({"strict": roster.strict, "members": members}))

    def _add_me(self, keys: EpochKeys, roster: Roster | None) -> Roster | None:
        """Append this laptop's self-add (the founding entry on a vault with no roster). Another laptop writing
        the same entry number at the same moment wins; this laptop adds itself at its next sync."""
        service = self._service
        entry = self_add_entry(
            self.own_signer(),
            service.config.device_name,
            self._next_log_seq(roster),
            roster=roster or Roster(),
            roster_keys=keys.opening(FIRST_EPOCH),
            current_keys=keys.opening(keys.current),
        )
        seq = roster.pin.seq + 1 if roster is not None and roster.pin is not None else 1
        try:
            service.hub().put_new(roster_key(seq), entry)
        except ObjectExistsError:
            return roster
        return self._verified_roster(keys)

    def _next_log_seq(self, roster: Roster | None) -> int:
        """The first sequence number this laptop signs: the first its log has not used, on the hub or in the index.
        Once a laptop was removed, only the index counts: entries in this laptop's log that it did not write (a
        removed laptop still holds the first epoch's key) must not become entries taken unsigned."""
        service = self._service
        written = int(service.index.get_meta("seq", "0") or 0)
        if roster is not None and roster.strict:
            return written + 1
        me = service.config.device_id
        on_hub = [parsed[1] for key in service.hub().list(f"{LOG_PREFIX}{me}/") if (parsed := parse_log_key(key))]
        return max([written, *on_hub]) + 1

    def _news(self, roster: Roster | None, known: set[str]) -> RosterNews:
        """Adds by other laptops and removals since the person was last told. A laptop that was already syncing
        before it added itself (an upgrade), or that is a member under another identity already (a repair), is not
        news; every other add is."""
        if roster is None or roster.pin is None:
            return RosterNews()
        me = self._service.config.device_id
        told = self._service.index.get_meta(ROSTER_TOLD)
        news = RosterNews(roster.to_membership(), newest=roster.pin.seq)
        if told is None:
            return news
        for entry in roster.entries:
            if entry.seq <= int(told) or me in (entry.device, entry.by):
                continue
            if entry.action == ADD and entry.device not in known:
                if not _same_laptop_again(roster, entry.device, entry.public.sign):
                    news.joined.append(entry.name)
            elif entry.action == REMOVE:
                news.left.append(entry.name)
        return news

    def told(self, news: RosterNews) -> None:
        """The person was told ``news`` (the sync that carried it succeeded)."""
        if news.newest:
            self._service.index.set_meta(ROSTER_TOLD, str(news.newest))


def roster_summary(raw: str | None) -> tuple[bool, dict[str, tuple[str, str, bool]]]:
    """``ROSTER_MEMBERS`` as (strict, {device: (name, fingerprint, removed)}); (False, {}) with no roster yet."""
    if not raw:
        return False, {}
    data = json.loads(raw)
    return bool(data["strict"]), {device: (v[0], v[1], bool(v[2])) for device, v in data["members"].items()}


def _same_laptop_again(roster: Roster, device_id: str, sign_public: bytes) -> bool:
    """True when another member has the same key: the laptop took a new identity in a repair (repair.py)."""
    return any(other != device_id and member.sign_public == sign_public for other, member in roster.members.items())


def _present(hub: Hub, keys: list[str]) -> Iterator[tuple[str, bytes]]:
    """``fetch_many`` of ``keys``, leaving out the ones the hub no longer has."""
    position = 0
    while position < len(keys):
        try:
            for found in fetch_many(hub, keys[position:]):
                position += 1
                yield found
        except ObjectMissingError:
            position += 1


def _load_entries(raw: str | None) -> list[bytes]:
    return [base64.b64decode(item) for item in json.loads(raw)] if raw else []
