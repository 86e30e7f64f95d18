"""Grants: a new vault key wrapped for one laptop's public key, readable by that laptop only, in that place only."""

from __future__ import annotations

import os

import pytest

from memtray.membership.grants import grant_context, grant_size, unwrap_with, wrap_for
from memtray.membership.laptop_key import LaptopKey

VAULT = "00112233445566778899aabbccddeeff"
DEVICE_A = "a" * 32
DEVICE_B = "b" * 32


@pytest.fixture(scope="module")
def laptop() -> LaptopKey:
    return LaptopKey.generate()


def test_round_trip_for_the_right_laptop(laptop: LaptopKey) -> None:
    secret = os.urandom(32)
    context = grant_context(VAULT, 2, DEVICE_A)
    wrapped = wrap_for(laptop.public().agree, secret, context)
    assert len(wrapped) == grant_size(32) == 32 + 12 + 32 + 16
    assert secret not in wrapped
    assert unwrap_with(laptop, wrapped, context) == secret


def test_each_wrap_uses_a_fresh_ephemeral_key(laptop: LaptopKey) -> None:
    secret = os.urandom(32)
    context = grant_context(VAULT, 2, DEVICE_A)
    first, second = (wrap_for(laptop.public().agree, secret, context) for _ in range(2))
    assert first[:32] != second[:32]
    assert first != second


def test_wrong_laptop_key_gets_none(laptop: LaptopKey) -> None:
    context = grant_context(VAULT, 2, DEVICE_A)
    wrapped = wrap_for(laptop.public().agree, os.urandom(32), context)
    assert unwrap_with(LaptopKey.generate(), wrapped, context) is None


@pytest.mark.parametrize(
    "other_context",
    [
        grant_context("ffeeddccbbaa99887766554433221100", 2, DEVICE_A),
        grant_context(VAULT, 3, DEVICE_A),
        grant_context(VAULT, 2, DEVICE_B),
    ],
)
def test_grant_is_bound_to_its_vault_epoch_and_laptop(laptop: LaptopKey, other_context: bytes) -> None:
    wrapped = wrap_for(laptop.public().agree, os.urandom(32), grant_context(VAULT, 2, DEVICE_A))
    assert unwrap_with(laptop, wrapped, other_context) is None


def test_a_grant_with_another_ephemeral_key_does_not_open(laptop: LaptopKey) -> None:
    context = grant_context(VAULT, 2, DEVICE_A)
    wrapped = wrap_for(laptop.public().agree, os.urandom(32), context)
    other = wrap_for(laptop.public().agree, os.urandom(32), context)
    assert unwrap_with(laptop, other[:32] + wrapped[32:], context) is None


@pytest.mark.parametrize("cut", [0, 10, 32, 44, 59, 91])
def test_damaged_or_short_grants_get_none(laptop: LaptopKey, cut: int) -> None:
    context = grant_context(VAULT, 2, DEVICE_A)
    wrapped = wrap_for(laptop.public().agree, os.urandom(32), context)
    assert unwrap_with(laptop, wrapped[:cut], context) is None
    flipped = bytearray(wrapped)
    flipped[cut] ^= 1
    assert unwrap_with(laptop, bytes(flipped), context) is None


def test_a_low_order_ephemeral_key_gets_none(laptop: LaptopKey) -> None:
    context = grant_context(VAULT, 2, DEVICE_A)
    wrapped = wrap_for(laptop.public().agree, os.urandom(32), context)
    assert unwrap_with(laptop, bytes(32) + wrapped[32:], context) is None
