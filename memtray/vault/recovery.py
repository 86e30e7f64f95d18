"""The recovery key: 256 random bits shown once as dash-separated groups of Base32 with a checksum.

The text form is Base32 (RFC 4648 alphabet, no padding) of ``raw ‖ sha256(raw)[:3]``: 35 bytes,
56 characters, 14 groups of 4. Parsing forgives case, spaces, dashes and the look-alikes 0/O, 1/I, 8/B.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from memtray.errors import PassphraseError

RAW_BYTES = 32
CHECKSUM_BYTES = 3
GROUP_SIZE = 4
ENCODED_LENGTH = (RAW_BYTES + CHECKSUM_BYTES) * 8 // 5
GROUP_COUNT = ENCODED_LENGTH // GROUP_SIZE

INVALID = (
    "That recovery key is not valid. Check it for typos; "
    f"it has {GROUP_COUNT} groups of {GROUP_SIZE} letters and digits."
)
_LOOK_ALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _checksum(raw: bytes) -> bytes:
    return hashlib.sha256(raw).digest()[:CHECKSUM_BYTES]


def new_recovery_key() -> bytes:
    return os.urandom(RAW_BYTES)


def format_recovery_key(raw: bytes) -> str:
    """The text a person writes down, e.g. ``ABCD-EFGH-…`` (14 groups of 4)."""
    if len(raw) != RAW_BYTES:
        raise ValueError("a recovery key is 32 bytes")
    text = base64.b32encode(raw + _checksum(raw)).decode("ascii")
    return "-".join(text[i : i + GROUP_SIZE] for i in range(0, len(text), GROUP_SIZE))


def parse_recovery_key(text: str) -> bytes:
    """The 32 raw bytes of a typed recovery key; PassphraseError if its length or checksum is wrong."""
    cleaned = "".join(ch for ch in text if not ch.isspace() and ch != "-").upper().translate(_LOOK_ALIKES)
    if len(cleaned) != ENCODED_LENGTH or not _ALPHABET.issuperset(cleaned):
        raise PassphraseError(INVALID)
    decoded = base64.b32decode(cleaned)
    raw, checksum = decoded[:RAW_BYTES], decoded[RAW_BYTES:]
    if not hmac.compare_digest(checksum, _checksum(raw)):
        raise PassphraseError(INVALID)
    return raw
