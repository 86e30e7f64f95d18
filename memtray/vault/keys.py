"""The vault key, its subkeys, and the key file that stores it wrapped on the hub.

The key file is public. It wraps the vault key twice with AES-256-GCM: once under the
passphrase (through Argon2id) and once under the recovery key. An HMAC under a subkey of the
vault key covers every other field, so a laptop that holds the vault key can tell a genuine
new key file (passphrase change, new recovery key) from one the hub forged or rolled back
to a different vault. Parsing is bounded and happens before any key derivation.

The key file holds the key of the vault's current epoch (memtray/vault/epochs.py). While that is epoch 1 it is
format 1 with no ``epoch`` field, byte for byte what earlier releases write and read. After a laptop is removed
(``rotate``) it is format 2 with ``"epoch": n``; earlier releases refuse it as "made by a newer version".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass, replace

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from memtray.errors import HostileKeyFileError, PassphraseError
from memtray.vault.envelope import canonical
from memtray.vault.kdf import KdfParams, calibrate, derive_key, is_plain_int
from memtray.vault.recovery import format_recovery_key, new_recovery_key, parse_recovery_key

SUBKEY_LABELS: dict[str, bytes] = {
    "log": b"memtray/v1/log",
    "blob": b"memtray/v1/blob",
    "mac": b"memtray/v1/keyfile-mac",
    "roster": b"memtray/v1/roster",
    "proof": b"memtray/v1/roster-proof",
}
KEYFILE_FORMAT = 1
EPOCH_KEYFILE_FORMAT = 2
FIRST_EPOCH = 1
MAX_EPOCH = 2**32 - 1
KEY_BYTES = 32
NONCE_BYTES = 12
WRAPPED_BYTES = NONCE_BYTES + KEY_BYTES + 16
MAC_BYTES = 32
MAX_GENERATION = 2**63 - 1
MAX_KEYFILE_BYTES = 16 * 1024

DAMAGED = "The key file in your storage is damaged or was tampered with, so memtray refused it."
NEWER_FORMAT = (
    "The key file of your synced memory was made by a newer version of memtray. Update memtray on this laptop "
    "and try again."
)
OTHER_VAULT = (
    "The key file in your storage belongs to a different synced memory, so memtray refused it. Your storage may "
    "have been tampered with."
)
WRONG_PASSPHRASE = (
    "The passphrase is wrong, or the key file in your storage was changed. Check the passphrase and try again; "
    "if it is surely right, your storage may have been tampered with."
)
WRONG_RECOVERY_KEY = (
    "The recovery key is not the one of this synced memory, or its key file was changed. Check the recovery key "
    "and try again."
)
EMPTY_PASSPHRASE = "The passphrase cannot be empty. Choose one you will remember."

_VAULT_ID = re.compile(r"[0-9a-f]{32}")
_JSON_FIELDS = frozenset({"format", "vault_id", "generation", "kdf", "wrapped_key", "recovery_wrapped_key", "mac"})
_EPOCH_JSON_FIELDS = _JSON_FIELDS | {"epoch"}


def is_vault_id(value: object) -> bool:
    return isinstance(value, str) and _VAULT_ID.fullmatch(value) is not None


def new_vault_id() -> str:
    return os.urandom(16).hex()


@dataclass(frozen=True, repr=False)
class VaultKeys:
    vault_id: str
    log_key: bytes
    blob_key: bytes
    mac_key: bytes
    roster_key: bytes
    """Seals the roster; only epoch 1's is used, so every laptop that was ever a member can read it."""
    proof_key: bytes
    """Proves a roster entry was made by a laptop holding this epoch's key."""

    @classmethod
    def derive(cls, vault_id: str, vault_key: bytes) -> VaultKeys:
        """Subkeys of ``vault_key`` by HKDF-SHA256, salted with the vault id."""
        if not is_vault_id(vault_id):
            raise ValueError("vault_id must be 32 lowercase hex characters")
        if len(vault_key) != KEY_BYTES:
            raise ValueError("a vault key is 32 bytes")

        def subkey(label: bytes) -> bytes:
            hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=bytes.fromhex(vault_id), info=label)
            return hkdf.derive(vault_key)

        return cls(
            vault_id=vault_id,
            log_key=subkey(SUBKEY_LABELS["log"]),
            blob_key=subkey(SUBKEY_LABELS["blob"]),
            mac_key=subkey(SUBKEY_LABELS["mac"]),
            roster_key=subkey(SUBKEY_LABELS["roster"]),
            proof_key=subkey(SUBKEY_LABELS["proof"]),
        )

    def __repr__(self) -> str:
        return f"VaultKeys(vault_id={self.vault_id!r})"


@dataclass(frozen=True)
class KeyFile:
    format: int
    vault_id: str
    generation: int
    kdf: KdfParams
    wrapped_key: bytes
    recovery_wrapped_key: bytes
    mac: bytes
    epoch: int = FIRST_EPOCH
    """The key epoch whose key this file wraps: 1 in format 1, 2 or more in format 2."""

    def __post_init__(self) -> None:
        _check_format(self.format)
        if not (
            is_plain_int(self.epoch)
            and FIRST_EPOCH <= self.epoch <= MAX_EPOCH
            and (self.epoch == FIRST_EPOCH) == (self.format == KEYFILE_FORMAT)
        ):
            raise HostileKeyFileError(DAMAGED)
        if not (
            is_vault_id(self.vault_id)
            and is_plain_int(self.generation)
            and 1 <= self.generation <= MAX_GENERATION
            and isinstance(self.kdf, KdfParams)
            and isinstance(self.wrapped_key, bytes)
            and len(self.wrapped_key) == WRAPPED_BYTES
            and isinstance(self.recovery_wrapped_key, bytes)
            and len(self.recovery_wrapped_key) == WRAPPED_BYTES
            and isinstance(self.mac, bytes)
            and len(self.mac) == MAC_BYTES
        ):
            raise HostileKeyFileError(DAMAGED)

    def to_bytes(self) -> bytes:
        """JSON with sorted keys and base64 binary fields, as stored on the hub."""
        document = {
            "format": self.format,
            "vault_id": self.vault_id,
            "generation": self.generation,
            "kdf": self.kdf.to_json(),
            "wrapped_key": _b64(self.wrapped_key),
            "recovery_wrapped_key": _b64(self.recovery_wrapped_key),
            "mac": _b64(self.mac),
        }
        if self.format == EPOCH_KEYFILE_FORMAT:
            document["epoch"] = self.epoch
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyFile:
        """Parse a key file from the hub; HostileKeyFileError for anything malformed or unsafe. Derives nothing."""
        if len(data) > MAX_KEYFILE_BYTES:
            raise HostileKeyFileError(DAMAGED)
        try:
            document = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise HostileKeyFileError(DAMAGED) from exc
        if not isinstance(document, dict) or "format" not in document:
            raise HostileKeyFileError(DAMAGED)
        _check_format(document["format"])
        if set(document) != (_JSON_FIELDS if document["format"] == KEYFILE_FORMAT else _EPOCH_JSON_FIELDS):
            raise HostileKeyFileError(DAMAGED)
        return cls(
            format=document["format"],
            vault_id=document["vault_id"],
            generation=document["generation"],
            kdf=KdfParams.from_json(document["kdf"]),
            wrapped_key=_unb64(document["wrapped_key"]),
            recovery_wrapped_key=_unb64(document["recovery_wrapped_key"]),
            mac=_unb64(document["mac"]),
            epoch=document.get("epoch", FIRST_EPOCH),
        )


@dataclass(frozen=True, repr=False)
class NewVault:
    vault_key: bytes
    keyfile: KeyFile
    recovery_key: str

    def __repr__(self) -> str:
        return f"NewVault(vault_id={self.keyfile.vault_id!r}, generation={self.keyfile.generation})"


def create_vault(passphrase: str, vault_id: str | None = None) -> NewVault:
    """A fresh vault key, its key file (generation 1) and a recovery key to show once."""
    _require_passphrase(passphrase)
    if vault_id is None:
        vault_id = new_vault_id()
    elif not is_vault_id(vault_id):
        raise ValueError("vault_id must be 32 lowercase hex characters")
    vault_key = os.urandom(KEY_BYTES)
    recovery_raw = new_recovery_key()
    kdf, wrapped_key = _wrapped_under_passphrase(passphrase, vault_key, vault_id, FIRST_EPOCH)
    keyfile = _signed(
        vault_key,
        vault_id=vault_id,
        generation=1,
        epoch=FIRST_EPOCH,
        kdf=kdf,
        wrapped_key=wrapped_key,
        recovery_wrapped_key=_wrap(recovery_raw, vault_key, _recovery_aad(vault_id, FIRST_EPOCH)),
    )
    return NewVault(vault_key=vault_key, keyfile=keyfile, recovery_key=format_recovery_key(recovery_raw))


def unlock(keyfile: KeyFile, passphrase: str, expected_vault_id: str | None = None) -> bytes:
    """The key of the key file's epoch, if ``passphrase`` opens ``keyfile`` and the key file is genuine."""
    _check_vault_id(keyfile, expected_vault_id)
    passphrase_key = derive_key(passphrase, keyfile.kdf)
    aad = _passphrase_aad(keyfile.vault_id, keyfile.kdf, keyfile.epoch)
    vault_key = _unwrap(passphrase_key, keyfile.wrapped_key, aad)
    if vault_key is None:
        raise PassphraseError(WRONG_PASSPHRASE)
    verify_keyfile(keyfile, vault_key)
    return vault_key


def unlock_with_recovery(keyfile: KeyFile, recovery_key: str, expected_vault_id: str | None = None) -> bytes:
    """The key of the key file's epoch, if the typed ``recovery_key`` opens ``keyfile`` and the key file is genuine."""
    _check_vault_id(keyfile, expected_vault_id)
    recovery_raw = parse_recovery_key(recovery_key)
    vault_key = _unwrap(recovery_raw, keyfile.recovery_wrapped_key, _recovery_aad(keyfile.vault_id, keyfile.epoch))
    if vault_key is None:
        raise PassphraseError(WRONG_RECOVERY_KEY)
    verify_keyfile(keyfile, vault_key)
    return vault_key


def rewrap(keyfile: KeyFile, vault_key: bytes, new_passphrase: str) -> KeyFile:
    """The next key file generation with the vault key under ``new_passphrase`` (fresh salt); the recovery key stays."""
    _require_passphrase(new_passphrase)
    verify_keyfile(keyfile, vault_key)
    kdf, wrapped_key = _wrapped_under_passphrase(new_passphrase, vault_key, keyfile.vault_id, keyfile.epoch)
    return _signed(
        vault_key,
        vault_id=keyfile.vault_id,
        generation=keyfile.generation + 1,
        epoch=keyfile.epoch,
        kdf=kdf,
        wrapped_key=wrapped_key,
        recovery_wrapped_key=keyfile.recovery_wrapped_key,
    )


def replace_recovery(keyfile: KeyFile, vault_key: bytes) -> tuple[KeyFile, str]:
    """The next key file generation with a new recovery key (returned formatted); the old one stops working."""
    verify_keyfile(keyfile, vault_key)
    recovery_raw = new_recovery_key()
    updated = _signed(
        vault_key,
        vault_id=keyfile.vault_id,
        generation=keyfile.generation + 1,
        epoch=keyfile.epoch,
        kdf=keyfile.kdf,
        wrapped_key=keyfile.wrapped_key,
        recovery_wrapped_key=_wrap(recovery_raw, vault_key, _recovery_aad(keyfile.vault_id, keyfile.epoch)),
    )
    return updated, format_recovery_key(recovery_raw)


def rotate(keyfile: KeyFile, new_vault_key: bytes, epoch: int, new_passphrase: str) -> tuple[KeyFile, str]:
    """The next key file generation for key epoch ``epoch`` (format 2): ``new_vault_key`` under ``new_passphrase``
    (fresh salt) and under a new recovery key, returned formatted to show once. Neither the old passphrase nor the
    old recovery key opens it: a removed laptop may have known both."""
    _require_passphrase(new_passphrase)
    if not (is_plain_int(epoch) and max(keyfile.epoch, FIRST_EPOCH + 1) <= epoch <= MAX_EPOCH):
        raise ValueError("a rotated key file is for a later epoch than the one it replaces")
    if len(new_vault_key) != KEY_BYTES:
        raise ValueError("a vault key is 32 bytes")
    recovery_raw = new_recovery_key()
    kdf, wrapped_key = _wrapped_under_passphrase(new_passphrase, new_vault_key, keyfile.vault_id, epoch)
    updated = _signed(
        new_vault_key,
        vault_id=keyfile.vault_id,
        generation=keyfile.generation + 1,
        epoch=epoch,
        kdf=kdf,
        wrapped_key=wrapped_key,
        recovery_wrapped_key=_wrap(recovery_raw, new_vault_key, _recovery_aad(keyfile.vault_id, epoch)),
    )
    return updated, format_recovery_key(recovery_raw)


def verify_keyfile(keyfile: KeyFile, vault_key: bytes) -> None:
    """Refuse ``keyfile`` unless its MAC holds under ``vault_key`` for its own vault id."""
    expected = _mac(VaultKeys.derive(keyfile.vault_id, vault_key).mac_key, keyfile)
    if not hmac.compare_digest(expected, keyfile.mac):
        raise HostileKeyFileError(DAMAGED)


def _signed(
    vault_key: bytes,
    *,
    vault_id: str,
    generation: int,
    epoch: int,
    kdf: KdfParams,
    wrapped_key: bytes,
    recovery_wrapped_key: bytes,
) -> KeyFile:
    unsigned = KeyFile(
        format=_format_for(epoch),
        vault_id=vault_id,
        generation=generation,
        kdf=kdf,
        wrapped_key=wrapped_key,
        recovery_wrapped_key=recovery_wrapped_key,
        mac=bytes(MAC_BYTES),
        epoch=epoch,
    )
    return replace(unsigned, mac=_mac(VaultKeys.derive(vault_id, vault_key).mac_key, unsigned))


def _mac(mac_key: bytes, keyfile: KeyFile) -> bytes:
    """HMAC over every field except ``mac`` itself (format 1 has no epoch field, and its MAC stays as it was)."""
    fields: list[str | int | bytes] = [
        "keyfile",
        keyfile.format,
        keyfile.vault_id,
        keyfile.generation,
        _kdf_text(keyfile.kdf),
        keyfile.wrapped_key,
        keyfile.recovery_wrapped_key,
    ]
    if keyfile.format == EPOCH_KEYFILE_FORMAT:
        fields.append(keyfile.epoch)
    message = canonical(*fields)
    return hmac.new(mac_key, message, hashlib.sha256).digest()


def _format_for(epoch: int) -> int:
    return KEYFILE_FORMAT if epoch == FIRST_EPOCH else EPOCH_KEYFILE_FORMAT


def _check_format(value: object) -> None:
    if not is_plain_int(value) or value not in (KEYFILE_FORMAT, EPOCH_KEYFILE_FORMAT):
        raise HostileKeyFileError(NEWER_FORMAT if is_plain_int(value) and value > EPOCH_KEYFILE_FORMAT else DAMAGED)


def _check_vault_id(keyfile: KeyFile, expected_vault_id: str | None) -> None:
    if expected_vault_id is not None and keyfile.vault_id != expected_vault_id:
        raise HostileKeyFileError(OTHER_VAULT)


def _require_passphrase(passphrase: str) -> None:
    if not passphrase:
        raise PassphraseError(EMPTY_PASSPHRASE, title="Choose a passphrase")


def _kdf_text(kdf: KdfParams) -> str:
    return json.dumps(kdf.to_json(), sort_keys=True, separators=(",", ":"))


def _passphrase_aad(vault_id: str, kdf: KdfParams, epoch: int) -> bytes:
    if epoch == FIRST_EPOCH:
        return canonical("passphrase", KEYFILE_FORMAT, vault_id, _kdf_text(kdf))
    return canonical("passphrase", EPOCH_KEYFILE_FORMAT, vault_id, _kdf_text(kdf), epoch)


def _recovery_aad(vault_id: str, epoch: int) -> bytes:
    if epoch == FIRST_EPOCH:
        return canonical("recovery", KEYFILE_FORMAT, vault_id)
    return canonical("recovery", EPOCH_KEYFILE_FORMAT, vault_id, epoch)


def _wrapped_under_passphrase(passphrase: str, vault_key: bytes, vault_id: str, epoch: int) -> tuple[KdfParams, bytes]:
    """Fresh Argon2id settings and ``vault_key`` wrapped under the key they derive from ``passphrase``."""
    kdf = calibrate()
    return kdf, _wrap(derive_key(passphrase, kdf), vault_key, _passphrase_aad(vault_id, kdf, epoch))


def _wrap(wrapping_key: bytes, vault_key: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(wrapping_key).encrypt(nonce, vault_key, aad)


def _unwrap(wrapping_key: bytes, wrapped: bytes, aad: bytes) -> bytes | None:
    try:
        return AESGCM(wrapping_key).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
    except InvalidTag:
        return None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str) or len(text) > MAX_KEYFILE_BYTES:
        raise HostileKeyFileError(DAMAGED)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HostileKeyFileError(DAMAGED) from exc


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise ValueError("duplicate key")
    return document
