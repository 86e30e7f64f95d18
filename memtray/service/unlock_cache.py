"""This laptop's unlock key: the vault key its pinned key file wraps, kept in the keychain as
"<vault id>:unlock-key", so a run unlocks without the passphrase and its Argon2 derivation (about 0.25 s and
50 MB on every command). The keychain already holds the passphrase, which opens the same key: keeping the key
there as well gives nothing more away.

The kept key is used only while it is of the pinned key file's epoch and authenticates that key file (its MAC is
made with the key's MAC subkey), so the pin still decides which keys this laptop trusts:
- a passphrase changed on another laptop keeps the vault key: the kept key stays good, as a laptop holding the
  key needs no passphrase to read what it could read already;
- a laptop removed elsewhere starts a new epoch: this laptop gets the new key by its grant (membership.py), or, once
  the new key file is pinned, the kept key no longer matches and the passphrase is asked, then kept again;
- a key that does not authenticate the pin is forgotten, never trusted.
"""

from __future__ import annotations

import base64
import binascii
import contextlib

from memtray.errors import HostileKeyFileError, KeychainError
from memtray.keychain import SecretStore
from memtray.vault.keys import KeyFile, verify_keyfile

UNLOCK_KEY = "unlock-key"


def read(store: SecretStore, vault_id: str, pin: KeyFile) -> bytes | None:
    """The kept vault key of ``pin``'s epoch, if there is one and it authenticates ``pin``."""
    text = store.peek(_item(vault_id))  # a locked keychain is not unlocked for it: the passphrase does as well
    if not text:
        return None
    epoch_text, _, key_text = text.partition(":")
    try:
        epoch, vault_key = int(epoch_text), base64.b64decode(key_text, validate=True)
    except (ValueError, binascii.Error):
        forget(store, vault_id)
        return None
    if epoch != pin.epoch:
        return None  # a key file of a newer epoch was pinned: the passphrase (or a grant) opens it
    try:
        verify_keyfile(pin, vault_key)
    except (HostileKeyFileError, ValueError):
        forget(store, vault_id)
        return None
    return vault_key


def keep(store: SecretStore, vault_id: str, epoch: int, vault_key: bytes) -> None:
    """Keep ``vault_key`` of ``epoch``, unless it is kept already. A keychain that is locked (the person would be
    asked to unlock it) or refuses is left as it is: the passphrase keeps working."""
    text = f"{epoch}:{base64.b64encode(vault_key).decode('ascii')}"
    with contextlib.suppress(KeychainError):
        if store.is_open() and store.peek(_item(vault_id)) != text:
            store.set(_item(vault_id), text)


def forget(store: SecretStore, vault_id: str) -> None:
    with contextlib.suppress(KeychainError):
        if store.is_open() and store.peek(_item(vault_id)) is not None:
            store.delete(_item(vault_id))


def _item(vault_id: str) -> str:
    return f"{vault_id}:{UNLOCK_KEY}"
