"""The sealed form of every object on the hub, and the canonical encoding that binds it to its place.

Layout: ``MAGIC ‖ format (1 byte) ‖ key generation (u32 BE) ‖ nonce (12) ‖ AES-256-GCM ciphertext``.
The header is part of the AEAD additional data, followed by the caller's ``aad`` (see ``object_aad``),
so an object moved to another slot, vault or generation fails its tag.

The plaintext is framed as ``u32 length ‖ data`` and zero-padded: to a multiple of 256 bytes up to
64 KiB, and above that to a Padmé bucket (the padded size keeps only the top bits of the length,
which costs at most about 12 % and in practice a few percent).
"""

from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from memtray.errors import IntegrityError

MAGIC = b"MTv1"
FORMAT = 1
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + 1 + 4
SMALL_BUCKET = 256
SMALL_LIMIT = 64 * 1024
MAX_GENERATION = 2**32 - 1
MAX_FRAMED = 2**31 - 1

TAMPERED = (
    "An item in your storage failed its integrity check: it was changed, moved or damaged. memtray did not use it."
)
_LENGTH = struct.Struct(">I")
_U64 = struct.Struct(">Q")


def padded_size(framed_length: int) -> int:
    """Bucketed size for a framed plaintext of ``framed_length`` bytes."""
    if framed_length <= SMALL_LIMIT:
        return max(SMALL_BUCKET, -(-framed_length // SMALL_BUCKET) * SMALL_BUCKET)
    exponent = framed_length.bit_length() - 1
    kept_bits = exponent.bit_length()
    mask = (1 << (exponent - kept_bits)) - 1
    return (framed_length + mask) & ~mask


def _header(key_generation: int) -> bytes:
    return MAGIC + bytes([FORMAT]) + _LENGTH.pack(key_generation)


def seal(key: bytes, plaintext: bytes, aad: bytes, *, key_generation: int = 1) -> bytes:
    """Encrypt ``plaintext`` under ``key``, bound to ``aad`` and ``key_generation``."""
    if not 0 <= key_generation <= MAX_GENERATION:
        raise ValueError("key_generation must fit in 32 bits")
    size = padded_size(_LENGTH.size + len(plaintext))
    if size > MAX_FRAMED:
        raise ValueError("plaintext is too large to seal")
    framed = _LENGTH.pack(len(plaintext)) + plaintext + bytes(size - _LENGTH.size - len(plaintext))
    header = _header(key_generation)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(key).encrypt(nonce, framed, header + aad)


def key_generation_of(envelope: bytes) -> int:
    """The key generation named in the header, read without decrypting."""
    if len(envelope) < HEADER_BYTES + NONCE_BYTES + TAG_BYTES or envelope[: len(MAGIC)] != MAGIC:
        raise IntegrityError(TAMPERED)
    if envelope[len(MAGIC)] != FORMAT:
        raise IntegrityError(TAMPERED)
    generation: int = _LENGTH.unpack_from(envelope, len(MAGIC) + 1)[0]
    return generation


def open_sealed(key: bytes, envelope: bytes, aad: bytes) -> bytes:
    """Decrypt an envelope made by ``seal`` with the same ``key`` and ``aad``; IntegrityError on any mismatch."""
    key_generation_of(envelope)
    header = envelope[:HEADER_BYTES]
    nonce = envelope[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
    try:
        framed = AESGCM(key).decrypt(nonce, envelope[HEADER_BYTES + NONCE_BYTES :], header + aad)
    except InvalidTag as exc:
        raise IntegrityError(TAMPERED) from exc
    if len(framed) < _LENGTH.size:
        raise IntegrityError(TAMPERED)
    end = _LENGTH.size + _LENGTH.unpack_from(framed)[0]
    if end > len(framed) or len(framed) != padded_size(end) or framed[end:] != bytes(len(framed) - end):
        raise IntegrityError(TAMPERED)
    return framed[_LENGTH.size : end]


def canonical(*fields: str | int | bytes) -> bytes:
    """An unambiguous byte encoding of ``fields``: each is a type tag, then a length-prefixed value.

    Strings are UTF-8, integers unsigned 64-bit big-endian, bytes as they are.
    """
    out = bytearray(_LENGTH.pack(len(fields)))
    for field in fields:
        if isinstance(field, bool):
            raise TypeError("canonical fields may not be bool")
        if isinstance(field, str):
            tag, value = b"s", field.encode("utf-8")
        elif isinstance(field, int):
            if not 0 <= field < 2**64:
                raise ValueError("canonical integers must fit in an unsigned 64-bit field")
            tag, value = b"i", _U64.pack(field)
        else:
            tag, value = b"b", bytes(field)
        out += tag + _LENGTH.pack(len(value)) + value
    return bytes(out)


def object_aad(vault_id: str, kind: str, *parts: str | int) -> bytes:
    """Additional data binding an object to its vault, kind and slot, e.g. ``(vault_id, "log", device_id, seq)``."""
    return canonical("memtray/v1/object", vault_id, kind, *parts)
