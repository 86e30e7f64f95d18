"""A secret (a new vault key) wrapped for one laptop's X25519 public key, bound to where it belongs.

``wrap_for`` = ephemeral X25519 public (32) ‖ nonce (12) ‖ AES-256-GCM(k, secret, aad = context ‖ ephemeral
public), where k = HKDF-SHA256(shared secret, salt none, info ``memtray/v1/grant`` ‖ context). The context
(``grant_context``) names the vault, the epoch and the laptop, so a grant cannot be moved to another slot.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from memtray.membership.laptop_key import PUBLIC_BYTES, LaptopKey
from memtray.vault.envelope import canonical

NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
_INFO = b"memtray/v1/grant"


def grant_context(vault_id: str, epoch: int, device_id: str) -> bytes:
    """What a grant is bound to: this vault, this epoch, this laptop."""
    return canonical("grant", vault_id, epoch, device_id)


def grant_size(secret_size: int) -> int:
    return PUBLIC_BYTES + NONCE_BYTES + secret_size + TAG_BYTES


def wrap_for(agree_public: bytes, secret: bytes, context: bytes) -> bytes:
    """``secret`` readable only by the holder of the private half of ``agree_public``; ValueError if it is unusable."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(agree_public))
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_wrapping_key(shared, context)).encrypt(nonce, secret, context + ephemeral_public)
    return ephemeral_public + nonce + sealed


def unwrap_with(key: LaptopKey, wrapped: bytes, context: bytes) -> bytes | None:
    """The secret, if ``wrapped`` was made for ``key`` with this ``context``; None otherwise."""
    if len(wrapped) < PUBLIC_BYTES + NONCE_BYTES + TAG_BYTES:
        return None
    ephemeral_public = wrapped[:PUBLIC_BYTES]
    nonce = wrapped[PUBLIC_BYTES : PUBLIC_BYTES + NONCE_BYTES]
    try:
        shared = key.agree(ephemeral_public)
        return AESGCM(_wrapping_key(shared, context)).decrypt(
            nonce, wrapped[PUBLIC_BYTES + NONCE_BYTES :], context + ephemeral_public
        )
    except (InvalidTag, ValueError):
        return None


def _wrapping_key(shared: bytes, context: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=_INFO + context).derive(shared)
