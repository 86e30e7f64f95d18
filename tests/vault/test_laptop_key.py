"""Each laptop's own key pair: its stored text, signatures, fingerprint, and that it never shows its secret."""

from __future__ import annotations

import base64
import hashlib

import pytest

from memtray.membership.laptop_key import (
    SECRET_PREFIX,
    LaptopKey,
    LaptopPublic,
    LaptopSigner,
    fingerprint,
    verify_signature,
)
from memtray.membership.view import Signer

DEVICE = "0123456789abcdef0123456789abcdef"


def test_secret_text_round_trip_keeps_both_keys() -> None:
    key = LaptopKey.generate()
    text = key.to_secret_text()
    assert text.startswith(SECRET_PREFIX)
    assert len(base64.b64decode(text[len(SECRET_PREFIX) :])) == 64
    again = LaptopKey.from_secret_text(text)
    assert again.public() == key.public()
    assert again.to_secret_text() == text
    assert verify_signature(key.public().sign, b"message", again.sign(b"message"))


def test_new_keys_differ_and_public_halves_are_raw_32_bytes() -> None:
    first, second = LaptopKey.generate(), LaptopKey.generate()
    assert first.public() != second.public()
    public = first.public()
    assert len(public.sign) == 32
    assert len(public.agree) == 32
    assert public.sign != public.agree


@pytest.mark.parametrize(
    "text",
    [
        "",
        "mtlk1:",
        "mtlk1:!!!!",
        "mtlk2:" + base64.b64encode(bytes(64)).decode(),
        "mtlk1:" + base64.b64encode(bytes(63)).decode(),
        "mtlk1:" + base64.b64encode(bytes(65)).decode(),
        base64.b64encode(bytes(64)).decode(),
    ],
)
def test_garbage_secret_text_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        LaptopKey.from_secret_text(text)
    secret_part = text.removeprefix(SECRET_PREFIX)
    assert not secret_part or secret_part not in str(caught.value)


def test_signatures_verify_only_for_their_key_and_message() -> None:
    key, other = LaptopKey.generate(), LaptopKey.generate()
    signature = key.sign(b"roster entry")
    assert len(signature) == 64
    assert verify_signature(key.public().sign, b"roster entry", signature)
    assert not verify_signature(other.public().sign, b"roster entry", signature)
    assert not verify_signature(key.public().sign, b"roster entrY", signature)
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    assert not verify_signature(key.public().sign, b"roster entry", flipped)
    assert not verify_signature(key.public().sign, b"roster entry", signature[:63])
    assert not verify_signature(key.public().sign[:31], b"roster entry", signature)
    assert not verify_signature(bytes(32), b"roster entry", signature)


def test_fingerprint_is_stable_grouped_base32_of_both_public_keys() -> None:
    public = LaptopPublic(sign=bytes(range(32)), agree=bytes(range(32, 64)))
    digest = hashlib.sha256(b"memtray/v1/laptop" + public.sign + public.agree).digest()[:10]
    expected = base64.b32encode(digest).decode()
    shown = fingerprint(public)
    assert shown == " ".join(expected[i : i + 4] for i in range(0, 16, 4))
    assert len(shown) == 19
    assert fingerprint(LaptopPublic(sign=public.sign, agree=bytes(32))) != shown
    assert fingerprint(LaptopPublic(sign=bytes(32), agree=public.agree)) != shown


def test_public_keys_must_be_32_bytes() -> None:
    with pytest.raises(ValueError):
        LaptopPublic(sign=bytes(31), agree=bytes(32))
    with pytest.raises(ValueError):
        LaptopPublic(sign=bytes(32), agree=bytes(33))


def test_signer_is_the_engines_signer() -> None:
    key = LaptopKey.generate()
    signer: Signer = LaptopSigner(DEVICE, key)
    assert signer.device_id == DEVICE
    assert verify_signature(key.public().sign, b"entry", signer.sign(b"entry"))


def test_repr_and_str_never_show_the_private_keys() -> None:
    key = LaptopKey.generate()
    raw = base64.b64decode(key.to_secret_text()[len(SECRET_PREFIX) :])
    shown = repr(key) + str(key) + repr(LaptopSigner(DEVICE, key)) + str(LaptopSigner(DEVICE, key))
    assert fingerprint(key.public()) in shown
    for secret in (raw, raw[:32], raw[32:]):
        for spelling in (secret.hex(), base64.b64encode(secret).decode(), repr(secret)[2:-1]):
            assert spelling not in shown
    assert key.to_secret_text() not in shown
