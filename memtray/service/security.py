"""Changing the passphrase and the recovery key: each writes a new generation of the vault's key file."""

from __future__ import annotations

from memtray.errors import PassphraseError
from memtray.service import keyfile
from memtray.service.base import ServiceBase
from memtray.service.lock import HomeLock
from memtray.vault import keys as vault_keys
from memtray.vault.keys import KeyFile


class Security:
    def __init__(self, service: ServiceBase) -> None:
        self._service = service

    def change_passphrase(self, old: str, new: str) -> None:
        current, vault_key = self._unlock(old)
        self._adopt(vault_keys.rewrap(current, vault_key, new), current, new)

    def recover(self, recovery_key: str, new_passphrase: str) -> None:
        service = self._service
        pin = keyfile.load_pin(service.home.keyfile_pin)
        vault_key = vault_keys.unlock_with_recovery(pin, recovery_key, service.config.vault_id)
        current = keyfile.newest_trusted(service.hub(), pin, vault_key)
        self._adopt(vault_keys.rewrap(current, vault_key, new_passphrase), current, new_passphrase)

    def new_recovery_key(self, passphrase: str) -> str:
        current, vault_key = self._unlock(passphrase)
        replaced, recovery_key = vault_keys.replace_recovery(current, vault_key)
        self._adopt(replaced, current, None)
        return recovery_key

    def _unlock(self, passphrase: str) -> tuple[KeyFile, bytes]:
        """The newest key file this laptop trusts, and the vault key ``passphrase`` unlocks."""
        service = self._service
        service.offer_passphrase(passphrase)
        with HomeLock(service.home.lock_file):
            service.members.refresh(service.epoch_keys())  # first: it pins the key file a removal elsewhere made
        pin = keyfile.load_pin(service.home.keyfile_pin)
        try:
            vault_key = vault_keys.unlock(pin, passphrase, service.config.vault_id)
        except PassphraseError:
            service.forget_run_passphrase()
            raise
        return keyfile.newest_trusted(service.hub(), pin, vault_key), vault_key

    def _adopt(self, new: KeyFile, previous: KeyFile, passphrase: str | None) -> None:
        service = self._service
        keyfile.publish(service.hub(), new, previous)
        keyfile.save_pin(service.home.keyfile_pin, new)
        if passphrase is not None:
            service.passphrase_changed(passphrase)
