"""Argon2id settings: bounds checked on read before anything is derived, calibration, derivation."""

from __future__ import annotations

import base64
import unicodedata

import pytest

from memtray.errors import HostileKeyFileError
from memtray.vault.kdf import MAX_ITERATIONS, MAX_LANES, MAX_MEMORY_KIB, KdfParams, calibrate, derive_key

SALT = bytes(range(16))


def params_json(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "argon2id",
        "salt": base64.b64encode(SALT).decode(),
        "memory_kib": 64,
        "iterations": 1,
        "lanes": 1,
    }
    data.update(overrides)
    return data


def test_json_round_trip() -> None:
    params = KdfParams(salt=SALT, memory_kib=65536, iterations=3, lanes=4)
    assert params.to_json()["name"] == "argon2id"
    assert KdfParams.from_json(params.to_json()) == params


@pytest.mark.parametrize(
    "overrides",
    [
        {"memory_kib": MAX_MEMORY_KIB},
        {"iterations": MAX_ITERATIONS},
        {"lanes": MAX_LANES, "memory_kib": 8 * MAX_LANES},
        {"salt": base64.b64encode(bytes(64)).decode()},
    ],
)
def test_settings_at_the_limits_are_accepted(overrides: dict[str, object]) -> None:
    params = KdfParams.from_json(params_json(**overrides))
    assert params.to_json() == params_json(**overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        {"memory_kib": 64 * 1024 * 1024},
        {"memory_kib": MAX_MEMORY_KIB + 1},
        {"memory_kib": 7},
        {"memory_kib": 8 * 4 - 1, "lanes": 4},
        {"iterations": 1000},
        {"iterations": MAX_ITERATIONS + 1},
        {"iterations": 0},
        {"lanes": 0},
        {"lanes": MAX_LANES + 1, "memory_kib": 65536},
        {"salt": base64.b64encode(bytes(15)).decode()},
        {"salt": base64.b64encode(bytes(65)).decode()},
        {"salt": "not base64!"},
        {"salt": 12345},
        {"salt": None},
        {"memory_kib": "65536"},
        {"memory_kib": 65536.0},
        {"iterations": True},
        {"lanes": [1]},
        {"name": "scrypt"},
        {"name": "argon2i"},
        {"extra": 1},
    ],
)
def test_unsafe_or_malformed_settings_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(HostileKeyFileError) as caught:
        KdfParams.from_json(params_json(**overrides))
    assert "unsafe settings" in str(caught.value)


@pytest.mark.parametrize("missing", ["name", "salt", "memory_kib", "iterations", "lanes"])
def test_missing_fields_are_refused(missing: str) -> None:
    data = params_json()
    del data[missing]
    with pytest.raises(HostileKeyFileError):
        KdfParams.from_json(data)


@pytest.mark.parametrize("data", [None, [], "argon2id", 7])
def test_non_objects_are_refused(data: object) -> None:
    with pytest.raises(HostileKeyFileError):
        KdfParams.from_json(data)


def test_unsafe_params_cannot_even_be_constructed() -> None:
    # derive_key only accepts a KdfParams, so refusing construction means no derivation can start.
    with pytest.raises(HostileKeyFileError):
        KdfParams(salt=SALT, memory_kib=64, iterations=1000, lanes=1)


def test_derive_key_is_deterministic_and_salted() -> None:
    params = KdfParams(salt=SALT, memory_kib=64, iterations=1, lanes=1)
    other_salt = KdfParams(salt=bytes(16), memory_kib=64, iterations=1, lanes=1)
    key = derive_key("correct horse", params)
    assert len(key) == 32
    assert derive_key("correct horse", params) == key
    assert derive_key("correct horsE", params) != key
    assert derive_key("correct horse", other_salt) != key


def test_passphrase_is_nfc_normalised() -> None:
    params = KdfParams(salt=SALT, memory_kib=64, iterations=1, lanes=1)
    composed = unicodedata.normalize("NFC", "crème brûlée")
    decomposed = unicodedata.normalize("NFD", "crème brûlée")
    assert composed != decomposed
    assert derive_key(composed, params) == derive_key(decomposed, params)


def test_calibrate_under_test_profile_is_tiny_and_fresh() -> None:
    first, second = calibrate(), calibrate()
    assert (first.memory_kib, first.iterations, first.lanes) == (64, 1, 1)
    assert first.salt != second.salt
    assert KdfParams.from_json(first.to_json()) == first


def test_calibrate_measures_real_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEMTRAY_KDF_PROFILE")
    params = calibrate(target_seconds=0.001)
    assert params.memory_kib == 64 * 1024
    assert params.iterations == 1
    assert 1 <= params.lanes <= 4
    assert len(params.salt) >= 16
