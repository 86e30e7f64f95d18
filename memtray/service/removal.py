"""Removing a laptop for real: a new vault key epoch that the removed laptop never gets.

In order, after a sync (so the removal names the last entry of the removed laptop's log this laptop applied):
the epoch record (the new key granted to every remaining member, this laptop included, and the previous key
under the new one), the roster's ``remove`` entry, and the key file rotated to the new key under the new
passphrase and a new recovery key (the removed laptop knew the old passphrase and may have seen the old recovery
key). On a memtray hub the removed laptop's login is revoked too. The other laptops pick up the new key at their
next sync with no typing; the removed one is told it was removed.

A removal that stopped half-way is finished by trying again: an epoch record it left (one no roster entry
started) is used again, or replaced when the roster moved on meanwhile (a memtray hub keeps every epoch record,
so there only the first works), and a roster that already removed the laptop only needs the key file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from memtray.errors import HubError, MembershipError, ObjectExistsError, PassphraseError, UsageError
from memtray.hubs.base import Enrollment
from memtray.hubs.keys import epoch_key, roster_key
from memtray.membership.epochs import EpochRecord, make_epoch
from memtray.membership.laptop_key import LaptopSigner
from memtray.membership.roster import Roster, remove_entry
from memtray.model import RemovalResult, SyncResult
from memtray.service import keyfile
from memtray.service.base import ServiceBase
from memtray.service.devices import Devices
from memtray.service.lock import HomeLock
from memtray.vault import keys as vault_keys
from memtray.vault.epochs import FIRST_EPOCH, EpochKeys
from memtray.vault.keys import EMPTY_PASSPHRASE, KEY_BYTES, VaultKeys

log = logging.getLogger(__name__)

AT_THE_SAME_MOMENT = "Another laptop is removing a laptop at the same moment. Sync, then try again."
NO_KEY_YET = (
    "'{name}' has never run this version of memtray, so it is not in the list of your laptops and cannot be "
    "removed on its own. Only the laptops in that list get the new key when you remove one, so it is locked out "
    "then too."
)
REMOVING_ITSELF = "A laptop cannot remove itself. Do it from another of your laptops."
NOT_A_MEMBER = "This laptop is not in the list of your laptops yet. Sync once, then try again."


class Removal:
    def __init__(self, service: ServiceBase, devices: Devices, sync: Callable[[], SyncResult]) -> None:
        self._service = service
        self._devices = devices
        self._sync = sync

    def remove(self, name_or_id: str, new_passphrase: str) -> RemovalResult:
        if not new_passphrase:
            raise PassphraseError(EMPTY_PASSPHRASE, title="Choose a passphrase")
        target = self._devices.find(name_or_id)
        self._sync()
        service = self._service
        with HomeLock(service.home.lock_file):
            keys, _ = service.members.refresh(service.epoch_keys())
            roster = service.members.roster
            me = service.config.device_id
            if roster is None or not roster.is_current_member(me):
                raise MembershipError(NOT_A_MEMBER)
            removed = roster.current_members().get(target.device_id)
            if removed is not None:
                keys = self._remove_identities(keys, roster, removed.sign_public)
            elif not roster.removes(target.device_id) or self._keyfile_epoch() >= keys.current:
                raise UsageError(NO_KEY_YET.format(name=target.name))
            recovery_key = self._rotate_keyfile(keys.current, service.members.raw_key(keys.current), new_passphrase)
            self._revoke_login(target.device_id)
            service.forget_keys()
        return RemovalResult(target.name, recovery_key)

    def _remove_identities(self, keys: EpochKeys, roster: Roster, sign_public: bytes) -> EpochKeys:
        """Remove every member with the removed laptop's key: after a repair a laptop is a member under its old
        device id too (see memtray/sync/repair.py). One epoch each, none of them granted any; the keys after."""
        service = self._service
        members = roster.current_members()
        identities = {device for device, record in members.items() if record.sign_public == sign_public}
        if service.config.device_id in identities:
            raise UsageError(REMOVING_ITSELF)
        verified: Roster | None = roster
        for device_id in sorted(identities):
            assert verified is not None, "each refresh verified the roster it just extended"
            self._start_epoch(keys, verified, device_id, identities)
            service.forget_keys()
            keys, _ = service.members.refresh(service.epoch_keys())
            verified = service.members.roster
        return keys

    def _start_epoch(self, keys: EpochKeys, roster: Roster, device_id: str, excluded: set[str]) -> None:
        """Write the epoch record (no grant for ``excluded``) and the roster's entry removing ``device_id``."""
        service = self._service
        hub, vault_id = service.hub(), service.config.vault_id
        signer = service.members.own_signer()
        assert roster.pin is not None
        epoch, seq = keys.current + 1, roster.pin.seq + 1
        new_key = self._unfinished_key(epoch, seq, roster, signer)
        if new_key is None:
            new_key = os.urandom(KEY_BYTES)
            remaining = {
                member: record.agree_public
                for member, record in roster.current_members().items()
                if member not in excluded
            }
            record = make_epoch(vault_id, epoch, signer, seq, remaining, new_key, service.members.raw_key(keys.current))
            try:
                hub.put_new(epoch_key(epoch), record)
            except ObjectExistsError as exc:
                raise MembershipError(AT_THE_SAME_MOMENT) from exc
        new_keys = VaultKeys.derive(vault_id, new_key)
        last_applied = service.index.cursors().get(device_id, (0, ""))[0]
        entry = remove_entry(
            signer, device_id, last_applied, roster=roster, roster_keys=keys.opening(FIRST_EPOCH), new_keys=new_keys
        )
        try:
            hub.put_new(roster_key(seq), entry)
        except ObjectExistsError as exc:
            raise MembershipError(AT_THE_SAME_MOMENT) from exc

    def _unfinished_key(self, epoch: int, seq: int, roster: Roster, signer: LaptopSigner) -> bytes | None:
        """An epoch record for the next epoch is one no removal started yet. This laptop's own, left by a removal
        that stopped half-way at this same roster position, is used again (its key); its own for an older position,
        or one no member signed, is taken back; another member's means it is removing a laptop right now."""
        hub, me = self._service.hub(), signer.device_id
        if epoch_key(epoch) not in hub.list(epoch_key(epoch)):
            return None
        record = EpochRecord.from_bytes(hub.get(epoch_key(epoch)), expected_epoch=epoch)
        writer = roster.current_members().get(record.by)
        signed_by_member = writer is not None and _signed_by(record, writer.sign_public)
        if signed_by_member and record.by != me:
            raise MembershipError(AT_THE_SAME_MOMENT)
        key = record.open_grant(me, signer.key) if signed_by_member and record.roster_seq == seq else None
        if key is None:
            hub.delete(epoch_key(epoch))
        return key

    def _revoke_login(self, device_id: str) -> None:
        """On a memtray hub, also end the removed laptop's login. The removal itself is done by now, and the new
        recovery key must reach the person, so a hub that refuses (it lets a laptop revoke only laptops that joined
        after it) is only logged: the removed laptop can still reach the hub, but reads nothing new there."""
        hub = self._service.hub()
        if not isinstance(hub, Enrollment):
            return
        try:
            hub.revoke_device(device_id)
        except HubError as exc:
            log.warning("the hub kept the removed laptop's login: %s", type(exc).__name__)

    def _keyfile_epoch(self) -> int:
        return keyfile.load_pin(self._service.home.keyfile_pin).epoch

    def _rotate_keyfile(self, epoch: int, new_key: bytes, new_passphrase: str) -> str:
        """The key file for ``epoch`` under ``new_passphrase``, published and pinned; its new recovery key."""
        service = self._service
        hub = service.hub()
        pinned = keyfile.load_pin(service.home.keyfile_pin)
        current = keyfile.newest_trusted(hub, pinned, service.members.raw_key(pinned.epoch))
        rotated, recovery_key = vault_keys.rotate(current, new_key, epoch, new_passphrase)
        keyfile.publish(hub, rotated, current)
        keyfile.save_pin(service.home.keyfile_pin, rotated)
        service.passphrase_changed(new_passphrase)
        return recovery_key


def _signed_by(record: EpochRecord, sign_public: bytes) -> bool:
    try:
        record.verify(sign_public)
    except MembershipError:
        return False
    return True
