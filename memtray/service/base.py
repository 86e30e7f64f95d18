"""What every part of the service shares: this laptop's home, config, index, keychain entries, passphrase,
unlocked vault keys, and its connection to the hub.

Every hub the service talks to is opened by ``open_hub_for`` here, from a ``Config``: the address, the
certificate pin that belongs to it, the insecure-http choice and the secret. ``ServiceBase.hub()`` is this
laptop's own connection, opened on first use and kept; the parts of the service reach the hub only through it,
so a test that swaps ``hub()`` swaps it for all of them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

from memtray.errors import KeychainError, NotSetUpError, PassphraseError, UsageError
from memtray.hubs import hub_kind, needs_secret, open_hub
from memtray.hubs.base import Hub
from memtray.keychain import Keychain, SecretStore
from memtray.paths import Home
from memtray.service import keyfile, unlock_cache
from memtray.service.config import Config, load_config, save_config
from memtray.service.membership import Members
from memtray.service.sealed_store import SealedStore, store_file
from memtray.sync import quiet
from memtray.sync.index import Index
from memtray.vault import keys as vault_keys
from memtray.vault.epochs import EpochKeys
from memtray.vault.keys import VaultKeys

# Keychain entries, each under "<vault id>:<name>".
PASSPHRASE = "passphrase"
HUB_SECRET = "hub-secret"
# Device names live only inside ciphertext; the hub enrolls every laptop under this label.
HUB_DEVICE_LABEL = "laptop"
AskPassphrase = Callable[[str], str | None]


def open_hub_for(config: Config, secret: str | None) -> Hub:
    """The hub ``config`` points at, as the laptop ``config`` describes (no vault or device id yet: empty)."""
    return open_hub(
        config.hub_url,
        vault_id=config.vault_id or None,
        device_id=config.device_id or None,
        secret=secret,
        allow_insecure_http=config.allow_insecure_http,
        tls_fingerprint=config.tls_fingerprint,
    )


def pin_for(url: str, *fingerprints: str | None) -> str | None:
    """The one certificate pin for the hub at ``url`` among the fingerprints given (an option, a setup code)."""
    if not any(fingerprints):
        return None
    from memtray.hubs.pinning import normalise_fingerprint  # loads requests: only for a fingerprint given

    pins = {normalise_fingerprint(fingerprint) for fingerprint in fingerprints if fingerprint}
    if len(pins) > 1:
        raise UsageError(
            "The certificate fingerprint you gave is not the one in the setup code, so nothing was changed. "
            "Check both with whoever runs the memtray server."
        )
    if pins and hub_kind(url) != "memtray":
        raise UsageError("A certificate fingerprint only applies to a memtray server at an https:// address.")
    return pins.pop() if pins else None


def secret_from_environment() -> str | None:
    """``MEMTRAY_HUB_SECRET``, the hub credential given for automation; it is never stored."""
    return os.environ.get("MEMTRAY_HUB_SECRET") or None


class ServiceBase:
    def __init__(self, home: Home, *, ask_passphrase: AskPassphrase | None = None) -> None:
        self.home = home
        self.ask_passphrase = ask_passphrase
        self._config = load_config(home.config_file)
        self.keychain: SecretStore = Keychain(home.keychain_scope)
        if self._config is not None and store_file(home.data_dir).exists():
            self.keychain = self._sealed_store(self._config.vault_id)
        self._index: Index | None = None
        self._hub: Hub | None = None
        self._keys: EpochKeys | None = None
        self._run_passphrase: str | None = None
        self._kept_key: tuple[int, bytes] | None = None
        self.members = Members(self)

    def is_set_up(self) -> bool:
        return self._config is not None

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        self.drop_hub()

    @property
    def config(self) -> Config:
        if self._config is None:
            raise NotSetUpError("memtray is not set up on this laptop yet.")
        return self._config

    @property
    def config_if_set_up(self) -> Config | None:
        return self._config

    @property
    def index(self) -> Index:
        if self._index is None:
            self.home.ensure()
            self._index = Index(self.home.index_file)
        return self._index

    def save_config(self) -> None:
        save_config(self.home.config_file, self.config)

    def changed_for_sync(self) -> None:
        """Something the next sync acts on changed outside a sync, in the index: the next ``memtray sync`` command
        must sync in full (see memtray/sync/quiet.py; a change to the config or the folders shows by itself)."""
        quiet.forget(self.home)

    def hub(self) -> Hub:
        if self._hub is None:
            self._hub = open_hub_for(self.config, self.secret())
        return self._hub

    def drop_hub(self) -> None:
        """Close this laptop's hub connection; the next ``hub()`` opens a new one (after the config changed)."""
        if self._hub is not None:
            self._hub.close()
            self._hub = None

    def secret(self) -> str | None:
        """The hub credential: from the environment, else the keychain when the hub's kind has one."""
        from_env = secret_from_environment()
        if from_env:
            return from_env
        if not needs_secret(hub_kind(self.config.hub_url)):
            return None
        return self.keychain.get(f"{self.config.vault_id}:{HUB_SECRET}")

    def remember(self, name: str, value: str, required: bool) -> None:
        """Keep ``value`` in the keychain under this vault; a missing keychain only matters when ``required``."""
        try:
            self.keychain.set(f"{self.config.vault_id}:{name}", value)
        except KeychainError:
            if required:
                raise

    def remember_hub_secret(self, secret: str) -> None:
        self.remember(HUB_SECRET, secret, required=not secret_from_environment())

    def passphrase(self, reason: str) -> str:
        """The passphrase from the environment, the keychain, this run's memory or the person."""
        for candidate in (os.environ.get("MEMTRAY_PASSPHRASE"), self._run_passphrase):
            if candidate:
                return candidate
        try:
            stored = self.keychain.get(f"{self.config.vault_id}:{PASSPHRASE}")
        except KeychainError:
            stored = None
        if stored:
            return stored
        asked = self.ask_passphrase(reason) if self.ask_passphrase else None
        if not asked:
            raise PassphraseError(
                "memtray needs your passphrase to unlock your synced memory, and none was given.",
                title="Passphrase needed",
            )
        self._run_passphrase = asked
        return asked

    def passphrase_changed(self, passphrase: str) -> None:
        """Keep the new passphrase in the keychain, and in this run's memory if the old one was kept there."""
        self.remember(PASSPHRASE, passphrase, required=False)
        self._run_passphrase = passphrase if self._run_passphrase else None

    def offer_passphrase(self, passphrase: str) -> None:
        """The person typed ``passphrase`` for what they asked: use it for this run (the environment's still wins)."""
        self._run_passphrase = passphrase

    def forget_run_passphrase(self) -> None:
        """The passphrase kept for this run was wrong: ask again next time."""
        self._run_passphrase = None

    def forget_stored_passphrase(self) -> None:
        """The keychain's passphrase is stale (a laptop was removed and a new one chosen elsewhere)."""
        self._run_passphrase = None
        with contextlib.suppress(KeychainError):
            self.keychain.delete(f"{self.config.vault_id}:{PASSPHRASE}")
        unlock_cache.forget(self.keychain, self.config.vault_id)
        self._kept_key = None

    # Where secrets are kept, and this laptop's unlock key (see unlock_cache.py and sealed_store.py).

    def use_sealed_store(self) -> None:
        """Keep this laptop's secrets in the sealed store in memtray's folder, not the keychain: for a computer
        without one, when the person asks for it. Called before ``init`` or ``join``, which key it."""
        self.keychain = self._sealed_store(None)

    def uses_sealed_store(self) -> bool:
        return isinstance(self.keychain, SealedStore)

    def _sealed_store(self, vault_id: str | None) -> SealedStore:
        return SealedStore(
            store_file(self.home.data_dir), lambda: vault_id or self.config.vault_id, self._unlock_pin, (PASSPHRASE,)
        )

    def _unlock_pin(self) -> tuple[int, bytes]:
        """The pinned key file's epoch and vault key, unlocked with the passphrase (one Argon2 derivation)."""
        passphrase = self.passphrase("unlock")
        pin = keyfile.load_pin(self.home.keyfile_pin)
        try:
            return pin.epoch, vault_keys.unlock(pin, passphrase, self.config.vault_id)
        except PassphraseError:
            self.forget_run_passphrase()
            raise

    def kept_unlock_key(self) -> tuple[int, bytes] | None:
        """The pinned key file's epoch and vault key without the passphrase's derivation, if this laptop kept it
        (the sealed store, once opened, holds it for the run)."""
        if isinstance(self.keychain, SealedStore):
            return self.keychain.open() or self._unlock_pin()
        try:
            pin = keyfile.load_pin(self.home.keyfile_pin)
        except NotSetUpError:
            return None
        vault_key = unlock_cache.read(self.keychain, self.config.vault_id, pin)
        if vault_key is None:
            return None
        self._kept_key = (pin.epoch, vault_key)
        return self._kept_key

    def keep_unlock_key(self) -> None:
        """Keep the pinned key file's vault key, once this run unlocked it (after a setup, or a new pin)."""
        try:
            pin = keyfile.load_pin(self.home.keyfile_pin)
        except NotSetUpError:
            return  # a join's first sync, before anything is pinned
        vault_key = self.members.known_key(pin.epoch)
        if isinstance(self.keychain, SealedStore):
            self.keychain.key_with(pin.epoch, vault_key or vault_keys.unlock(pin, self.passphrase("unlock")))
        elif vault_key is not None and self._kept_key != (pin.epoch, vault_key):
            self._kept_key = (pin.epoch, vault_key)
            unlock_cache.keep(self.keychain, self.config.vault_id, pin.epoch, vault_key)

    def will_pin(self, epoch: int, vault_key: bytes) -> None:
        """A key file of ``epoch`` is about to be pinned: the sealed store opens with its key first."""
        if isinstance(self.keychain, SealedStore):
            self.keychain.key_with(epoch, vault_key)

    def epoch_keys(self) -> EpochKeys:
        """The vault's keys of every epoch this laptop may read, unlocked once per run (see membership.py)."""
        if self._keys is None:
            self._keys = self.members.unlock()
        return self._keys

    def forget_keys(self) -> None:
        """Unlock again at the next ``epoch_keys``: another laptop started a new epoch."""
        self._keys = None

    def vault_keys(self) -> VaultKeys:
        """The keys of the current epoch, which everything new is sealed under."""
        return self.epoch_keys().sealing()[1]

    def take_up(
        self,
        config: Config,
        hub: Hub,
        passphrase: str,
        *,
        index: Index | None = None,
    ) -> None:
        """Work as the laptop ``config`` describes before it is saved: a setup in progress."""
        self._config, self._hub, self._run_passphrase = config, hub, passphrase
        if index is not None:
            self._index = index

    def unlocked_with(self, epoch: int, vault_key: bytes) -> None:
        """A setup unlocked the key file of ``epoch`` with the passphrase: the keys of every epoch follow."""
        self._keys = self.members.unlocked_with(epoch, vault_key)

    def give_up(self) -> None:
        """Undo ``take_up`` after a setup failed: back to a laptop that is not set up."""
        self.close()
        self._config, self._keys, self._run_passphrase = None, None, None

    def close_index_for_move(self) -> None:
        """Close the index with its write-ahead log folded in, so that its one file can be moved."""
        if self._index is not None:
            self._index.close_as_single_file()
            self._index = None
