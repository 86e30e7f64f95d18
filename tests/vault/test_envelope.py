"""Envelopes: round trips, binding to their slot, tamper detection, size padding."""

from __future__ import annotations

import os
import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from memtray.errors import IntegrityError
from memtray.vault.envelope import MAGIC, canonical, key_generation_of, object_aad, open_sealed, padded_size, seal

KEY = bytes(range(32))
VAULT = "0123456789abcdef0123456789abcdef"
OTHER_VAULT = "fedcba9876543210fedcba9876543210"
OVERHEAD = len(MAGIC) + 1 + 4 + 12 + 16


def log_aad(vault: str = VAULT, device: str = "dev-a", seq: int = 7) -> bytes:
    return object_aad(vault, "log", device, seq)


@pytest.mark.parametrize("size", [0, 1, 251, 252, 253, 5000, 65532, 65533, 200_000])
def test_round_trip(size: int) -> None:
    plaintext = os.urandom(size)
    envelope = seal(KEY, plaintext, log_aad(), key_generation=3)
    assert envelope.startswith(MAGIC)
    assert key_generation_of(envelope) == 3
    assert open_sealed(KEY, envelope, log_aad()) == plaintext


def test_sealing_twice_gives_different_ciphertext() -> None:
    assert seal(KEY, b"same", log_aad()) != seal(KEY, b"same", log_aad())


@pytest.mark.parametrize(
    "wrong_aad",
    [
        log_aad(vault=OTHER_VAULT),
        log_aad(device="dev-b"),
        log_aad(seq=8),
        object_aad(VAULT, "ckpt", "dev-a", 7),
        object_aad(VAULT, "blob", "dev-a", 7),
        b"",
    ],
)
def test_object_cannot_be_moved_to_another_slot(wrong_aad: bytes) -> None:
    envelope = seal(KEY, b"memory", log_aad())
    with pytest.raises(IntegrityError) as caught:
        open_sealed(KEY, envelope, wrong_aad)
    assert str(caught.value) == (
        "An item in your storage failed its integrity check: it was changed, moved or damaged. memtray did not use it."
    )


def test_wrong_key_fails() -> None:
    with pytest.raises(IntegrityError):
        open_sealed(bytes(32), seal(KEY, b"memory", log_aad()), log_aad())


def test_every_bit_flip_fails() -> None:
    envelope = seal(KEY, b"x" * 300, log_aad())
    for index in range(len(envelope)):
        for bit in range(8):
            tampered = bytearray(envelope)
            tampered[index] ^= 1 << bit
            with pytest.raises(IntegrityError):
                open_sealed(KEY, bytes(tampered), log_aad())


def test_every_truncation_and_extension_fails() -> None:
    envelope = seal(KEY, b"memory", log_aad())
    for length in range(len(envelope)):
        with pytest.raises(IntegrityError):
            open_sealed(KEY, envelope[:length], log_aad())
    with pytest.raises(IntegrityError):
        open_sealed(KEY, envelope + b"\0", log_aad())


def test_changed_key_generation_fails_even_when_the_header_is_readable() -> None:
    envelope = seal(KEY, b"memory", log_aad(), key_generation=1)
    moved = envelope[:5] + struct.pack(">I", 2) + envelope[9:]
    assert key_generation_of(moved) == 2
    with pytest.raises(IntegrityError):
        open_sealed(KEY, moved, log_aad())


@pytest.mark.parametrize("envelope", [b"", b"MTv1", b"XXXX" + bytes(40), b"MTv1\x02" + bytes(40)])
def test_malformed_headers_are_refused(envelope: bytes) -> None:
    with pytest.raises(IntegrityError):
        key_generation_of(envelope)
    with pytest.raises(IntegrityError):
        open_sealed(KEY, envelope, log_aad())


@pytest.mark.parametrize(
    "framed",
    [
        b"",
        b"\0\0",
        struct.pack(">I", 300) + bytes(252),
        struct.pack(">I", 3) + b"abc" + b"\1" + bytes(248),
        struct.pack(">I", 3) + b"abc" + bytes(250),
        struct.pack(">I", 3) + b"abc" + bytes(505),
    ],
)
def test_bad_framing_under_a_valid_tag_is_refused(framed: bytes) -> None:
    header = MAGIC + b"\x01" + struct.pack(">I", 1)
    nonce = os.urandom(12)
    envelope = header + nonce + AESGCM(KEY).encrypt(nonce, framed, header + log_aad())
    with pytest.raises(IntegrityError):
        open_sealed(KEY, envelope, log_aad())


def test_padding_hides_small_sizes() -> None:
    small = seal(KEY, bytes(10), log_aad())
    medium = seal(KEY, bytes(200), log_aad())
    assert len(small) == len(medium) == OVERHEAD + 256
    assert len(seal(KEY, bytes(253), log_aad())) == OVERHEAD + 512


def test_large_plaintext_is_padded_within_bound() -> None:
    plaintext = os.urandom(1_000_003)
    envelope = seal(KEY, plaintext, log_aad())
    padding = len(envelope) - OVERHEAD - len(plaintext)
    assert 0 < padding <= 0.12 * len(plaintext)
    assert open_sealed(KEY, envelope, log_aad()) == plaintext


def test_padded_sizes_bucket_and_bound() -> None:
    assert padded_size(1) == 256
    assert padded_size(64 * 1024) == 64 * 1024
    for length in [*range(64 * 1024 - 3, 64 * 1024 + 5000, 97), 10**6, 10**7 + 1, 2**30 + 12345]:
        size = padded_size(length)
        assert length <= size <= length * 1.12
        assert padded_size(size) == size
    distinct = {padded_size(n) for n in range(100_000, 200_000)}
    assert len(distinct) < 100


def test_seal_rejects_out_of_range_generation() -> None:
    with pytest.raises(ValueError):
        seal(KEY, b"", b"", key_generation=2**32)


def test_object_aad_is_unambiguous() -> None:
    samples = [
        object_aad(VAULT, "log", "ab", "c"),
        object_aad(VAULT, "log", "a", "bc"),
        object_aad(VAULT, "log", "abc"),
        object_aad(VAULT, "log", "1"),
        object_aad(VAULT, "log", 1),
        object_aad(VAULT, "logx"),
        object_aad(VAULT, "log", "x", 1),
        object_aad(VAULT, "log", "x", 2**64 - 1),
    ]
    assert len(set(samples)) == len(samples)
    assert object_aad(VAULT, "log", "dev", 5) == object_aad(VAULT, "log", "dev", 5)


@pytest.mark.parametrize("field", [-1, 2**64, True])
def test_canonical_refuses_values_it_cannot_encode_exactly(field: int) -> None:
    with pytest.raises((ValueError, TypeError)):
        canonical(field)
