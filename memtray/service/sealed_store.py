"""The sealed store: where a laptop without a keychain keeps its secrets (the hub's password or token, its own key),
when the person asked for it (``memtray init/join ... --no-keychain``). It is one file in memtray's folder, 0600,
never holding a secret in clear.

The items are sealed (AES-256-GCM) under a random store key, and the store key is sealed under a key derived
(HKDF) from the vault key that this laptop's pinned key file wraps, one copy per key epoch. Opening the store
therefore takes the passphrase and one Argon2 derivation over the pinned key file, as unlocking did before, and
that vault key then unlocks this run too. A passphrase changed on another laptop leaves the vault key as it was:
once the newer key file is pinned, the new passphrase opens the store. A new epoch (a laptop was removed) adds a
copy of the store key under the new epoch's key before its key file is pinned. The passphrase itself is never kept
here: the store could not be opened without it.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from memtray.errors import LocalFileError
from memtray.paths import write_private_atomic

FILE_NAME = "sealed-secrets.json"
FORMAT = 1
KEY_BYTES = 32
NONCE_BYTES = 12
DAMAGED = (
    "memtray's sealed store in its own folder is damaged or belongs to other keys, so memtray cannot read the "
    "password of your storage. Set this laptop up again."
)
UnlockPin = Callable[[], tuple[int, bytes]]
"""Unlock this laptop's pinned key file (with the passphrase): its epoch and the vault key it wraps."""


def store_file(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


class SealedStore:
    """Named secrets of one vault, sealed in one file. Items named ``*:<not kept>`` are never stored."""

    def __init__(
        self, path: Path, vault_id: Callable[[], str], unlock_pin: UnlockPin, not_kept: tuple[str, ...] = ()
    ) -> None:
        """``vault_id`` is asked when the store is first read or written: a setup learns it on the way."""
        self.path = path
        self._vault_id_of = vault_id
        self._unlock_pin = unlock_pin
        self._not_kept = tuple(f":{name}" for name in not_kept)
        self._store_key: bytes | None = None
        self._wraps: dict[int, bytes] = {}
        self._items: dict[str, str] = {}
        self.unlocked: tuple[int, bytes] | None = None
        """The epoch and vault key the store was opened or keyed with in this run."""

    @property
    def _vault_id(self) -> str:
        return self._vault_id_of()

    def available(self) -> bool:
        return True

    def backend_name(self) -> str:
        return "memtray sealed store"

    def get(self, name: str) -> str | None:
        if name.endswith(self._not_kept):
            return None
        self._open_if_there()
        return self._items.get(name)

    def peek(self, name: str) -> str | None:
        """The item if the store is open already (opening it asks the passphrase), else None."""
        return self.get(name) if self._store_key is not None else None

    def is_open(self) -> bool:
        return self._store_key is not None

    def set(self, name: str, value: str) -> None:
        if name.endswith(self._not_kept):
            return
        self._open_if_there()
        self._items[name] = value
        self._save()

    def delete(self, name: str) -> None:
        if name.endswith(self._not_kept):
            return
        self._open_if_there()
        if self._items.pop(name, None) is not None:
            self._save()

    def key_with(self, epoch: int, vault_key: bytes) -> None:
        """Seal the store (also) under ``epoch``'s vault key, and write what was set before it had a key."""
        if self._store_key is None:
            data = self._read()
            if data is not None and epoch in data[0]:
                self._open_with(data, epoch, vault_key)
            elif data is not None:
                self._open_if_there()
            else:
                self._store_key = os.urandom(KEY_BYTES)
        assert self._store_key is not None
        self.unlocked = (epoch, vault_key)
        if epoch not in self._wraps:
            self._wraps[epoch] = _seal(_wrapping_key(self._vault_id, vault_key), self._store_key, self._aad(epoch))
            self._save()

    def open(self) -> tuple[int, bytes] | None:
        """Open the store (asking the passphrase): the epoch and vault key it was opened with; None if not keyed."""
        self._open_if_there()
        return self.unlocked

    def _open_if_there(self) -> None:
        if self._store_key is not None:
            return
        data = self._read()
        if data is None:
            return  # nothing sealed yet: items wait in memory for ``key_with``
        epoch, vault_key = self._unlock_pin()
        if epoch not in data[0]:
            raise LocalFileError(DAMAGED)
        self._open_with(data, epoch, vault_key)
        self.unlocked = (epoch, vault_key)

    def _open_with(self, data: tuple[dict[int, bytes], bytes], epoch: int, vault_key: bytes) -> None:
        wraps, sealed = data
        try:
            store_key = _open(_wrapping_key(self._vault_id, vault_key), wraps[epoch], self._aad(epoch))
            items = json.loads(_open(store_key, sealed, self._aad(0)))
        except (InvalidTag, ValueError) as exc:
            raise LocalFileError(DAMAGED) from exc
        if not isinstance(items, dict) or not all(isinstance(v, str) for v in items.values()):
            raise LocalFileError(DAMAGED)
        self._store_key, self._wraps, self._items = store_key, dict(wraps), items

    def _read(self) -> tuple[dict[int, bytes], bytes] | None:
        try:
            raw = json.loads(self.path.read_bytes())
            if raw["format"] != FORMAT or raw["vault_id"] != self._vault_id:
                raise LocalFileError(DAMAGED)
            wraps = {int(epoch): base64.b64decode(text, validate=True) for epoch, text in raw["wraps"].items()}
            return wraps, base64.b64decode(raw["sealed"], validate=True)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise LocalFileError(DAMAGED) from exc

    def _save(self) -> None:
        if self._store_key is None or not self._wraps:
            return  # not keyed yet
        sealed = _seal(self._store_key, json.dumps(self._items).encode("utf-8"), self._aad(0))
        document = {
            "format": FORMAT,
            "vault_id": self._vault_id,
            "wraps": {str(epoch): base64.b64encode(wrap).decode("ascii") for epoch, wrap in self._wraps.items()},
            "sealed": base64.b64encode(sealed).decode("ascii"),
        }
        try:
            write_private_atomic(self.path, json.dumps(document).encode("utf-8"))
        except OSError as exc:
            raise LocalFileError(f"memtray could not save its sealed store: {exc.strerror or exc}.") from exc

    def _aad(self, epoch: int) -> bytes:
        """Binds each sealed part to this vault and its role: epoch N's copy of the store key, or the items (0)."""
        return f"memtray sealed store {FORMAT}|{self._vault_id}|{epoch}".encode("ascii")


def _wrapping_key(vault_id: str, vault_key: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=bytes.fromhex(vault_id), info=b"sealed store")
    return hkdf.derive(vault_key)


def _seal(key: bytes, plain: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plain, aad)


def _open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) <= NONCE_BYTES:
        raise ValueError("too short")
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
