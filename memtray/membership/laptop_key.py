"""Each laptop's own key pair: Ed25519 to sign what it writes, X25519 to receive new vault keys.

The private halves never leave the laptop (the service keeps them in the keychain, or in a 0600 file where
there is none). The public halves are in the roster, so every member can check a laptop's signatures and wrap
a new key for it. A person compares laptops by ``fingerprint``: the first 10 bytes of
SHA-256(``memtray/v1/laptop`` ‖ sign public ‖ agree public) in Base32, grouped in fours ("ABCD EFGH IJKL MNOP").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

SECRET_PREFIX = "mtlk1:"
PUBLIC_BYTES = 32
PRIVATE_BYTES = 32
SIGNATURE_BYTES = 64
FINGERPRINT_BYTES = 10
FINGERPRINT_GROUP = 4
_FINGERPRINT_LABEL = b"memtray/v1/laptop"


@dataclass(frozen=True)
class LaptopPublic:
    """A laptop's public keys, 32 raw bytes each: ``sign`` (Ed25519) and ``agree`` (X25519)."""

    sign: bytes
    agree: bytes

    def __post_init__(self) -> None:
        if not (
            isinstance(self.sign, bytes)
            and len(self.sign) == PUBLIC_BYTES
            and isinstance(self.agree, bytes)
            and len(self.agree) == PUBLIC_BYTES
        ):
            raise ValueError("a laptop's public keys are 32 bytes each")


class LaptopKey:
    """A laptop's private signing and key-agreement keys. Its repr and str never show them."""

    def __init__(self, signing: Ed25519PrivateKey, agreement: X25519PrivateKey) -> None:
        self._signing = signing
        self._agreement = agreement

    @classmethod
    def generate(cls) -> LaptopKey:
        return cls(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())

    @classmethod
    def from_secret_text(cls, text: str) -> LaptopKey:
        """The key stored by ``to_secret_text``; ValueError (naming no secret) for anything else."""
        if not isinstance(text, str) or not text.startswith(SECRET_PREFIX):
            raise ValueError("not a memtray laptop key")
        try:
            raw = base64.b64decode(text[len(SECRET_PREFIX) :].strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("not a memtray laptop key") from None
        if len(raw) != 2 * PRIVATE_BYTES:
            raise ValueError("not a memtray laptop key")
        return cls(
            Ed25519PrivateKey.from_private_bytes(raw[:PRIVATE_BYTES]),
            X25519PrivateKey.from_private_bytes(raw[PRIVATE_BYTES:]),
        )

    def to_secret_text(self) -> str:
        """``mtlk1:`` and the Base64 of the 64 raw private bytes (signing, then agreement): a secret."""
        raw = self._signing.private_bytes_raw() + self._agreement.private_bytes_raw()
        return SECRET_PREFIX + base64.b64encode(raw).decode("ascii")

    def public(self) -> LaptopPublic:
        return LaptopPublic(
            sign=self._signing.public_key().public_bytes_raw(),
            agree=self._agreement.public_key().public_bytes_raw(),
        )

    def sign(self, message: bytes) -> bytes:
        """A 64-byte Ed25519 signature over ``message``."""
        return self._signing.sign(message)

    def agree(self, peer_agree_public: bytes) -> bytes:
        """The X25519 shared secret with ``peer_agree_public``; ValueError if that is not a usable public key."""
        return self._agreement.exchange(X25519PublicKey.from_public_bytes(peer_agree_public))

    def __repr__(self) -> str:
        return f"LaptopKey(fingerprint={fingerprint(self.public())!r})"


def verify_signature(public_sign: bytes, message: bytes, signature: bytes) -> bool:
    """True if ``signature`` is an Ed25519 signature over ``message`` by ``public_sign``."""
    if len(public_sign) != PUBLIC_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_sign).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def fingerprint(public: LaptopPublic) -> str:
    """What a person compares between laptops, e.g. ``"ABCD EFGH IJKL MNOP"`` (80 bits, Base32)."""
    digest = hashlib.sha256(_FINGERPRINT_LABEL + public.sign + public.agree).digest()[:FINGERPRINT_BYTES]
    text = base64.b32encode(digest).decode("ascii")
    return " ".join(text[i : i + FINGERPRINT_GROUP] for i in range(0, len(text), FINGERPRINT_GROUP))


@dataclass(frozen=True, repr=False)
class LaptopSigner:
    """This laptop's ``view.Signer``: its device id and its key."""

    device_id: str
    key: LaptopKey

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(message)

    def public(self) -> LaptopPublic:
        return self.key.public()

    def __repr__(self) -> str:
        return f"LaptopSigner(device_id={self.device_id!r}, key={self.key!r})"
