"""Passphrase → key with Argon2id, and the bounds that keep a hostile hub from stalling a laptop.

Every ``KdfParams`` is checked when it is built, so no derivation can ever start with
settings a hub made up to exhaust memory or time. Settings read from a key file must also
reach a floor: nothing weaker than what ``calibrate`` itself picks on the slowest laptop
(64 MiB, one pass), so a key file that would make offline passphrase guessing cheap is refused
as tampered with. ``MEMTRAY_KDF_PROFILE=test``, read from this laptop's environment (a hub
cannot set it), makes ``calibrate`` tiny and lowers the floor to match, for the test suite.
"""

from __future__ import annotations

import base64
import binascii
import os
import time
import unicodedata
from dataclasses import dataclass
from typing import TypeGuard

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from memtray.errors import HostileKeyFileError

MAX_MEMORY_KIB = 1024 * 1024
MAX_ITERATIONS = 10
MAX_LANES = 16
MIN_SALT_BYTES = 16
MAX_SALT_BYTES = 64
KEY_BYTES = 32

CALIBRATED_MEMORY_KIB = 64 * 1024
CALIBRATED_MAX_LANES = 4
# calibrate() always asks for 64 MiB and at least one pass (one where a pass takes 0.75 s or more), and
# every KdfParams already has at least one pass, so the floor is on memory.
FLOOR_MEMORY_KIB = CALIBRATED_MEMORY_KIB
TEST_PROFILE_MEMORY_KIB = 64

UNSAFE_SETTINGS = (
    "The key file of your synced memory asks for unsafe settings, so memtray refused it. Your storage may have "
    "been tampered with."
)
WEAK_SETTINGS = (
    "The key file of your synced memory asks for weaker passphrase protection than memtray ever uses, so memtray "
    "refused it. "
    "The key file was tampered with."
)
_JSON_FIELDS = frozenset({"name", "salt", "memory_kib", "iterations", "lanes"})


def is_plain_int(value: object) -> TypeGuard[int]:
    """True for an int that is not a bool (JSON ``true`` must not pass as 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class KdfParams:
    salt: bytes
    memory_kib: int
    iterations: int
    lanes: int

    def __post_init__(self) -> None:
        if not (
            isinstance(self.salt, bytes)
            and MIN_SALT_BYTES <= len(self.salt) <= MAX_SALT_BYTES
            and is_plain_int(self.lanes)
            and 1 <= self.lanes <= MAX_LANES
            and is_plain_int(self.iterations)
            and 1 <= self.iterations <= MAX_ITERATIONS
            and is_plain_int(self.memory_kib)
            and 8 * self.lanes <= self.memory_kib <= MAX_MEMORY_KIB
        ):
            raise HostileKeyFileError(UNSAFE_SETTINGS)

    def to_json(self) -> dict[str, object]:
        return {
            "name": "argon2id",
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "memory_kib": self.memory_kib,
            "iterations": self.iterations,
            "lanes": self.lanes,
        }

    @classmethod
    def from_json(cls, data: object) -> KdfParams:
        """Parse and bound-check KDF settings read from a key file; refuse anything unsafe."""
        if not isinstance(data, dict) or set(data) != _JSON_FIELDS or data["name"] != "argon2id":
            raise HostileKeyFileError(UNSAFE_SETTINGS)
        salt_text = data["salt"]
        if not isinstance(salt_text, str) or len(salt_text) > 4 * MAX_SALT_BYTES:
            raise HostileKeyFileError(UNSAFE_SETTINGS)
        try:
            salt = base64.b64decode(salt_text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise HostileKeyFileError(UNSAFE_SETTINGS) from exc
        params = cls(salt=salt, memory_kib=data["memory_kib"], iterations=data["iterations"], lanes=data["lanes"])
        if params.memory_kib < _floor_memory_kib():
            raise HostileKeyFileError(WEAK_SETTINGS)
        return params


def _is_test_profile() -> bool:
    return os.environ.get("MEMTRAY_KDF_PROFILE") == "test"


def _floor_memory_kib() -> int:
    return TEST_PROFILE_MEMORY_KIB if _is_test_profile() else FLOOR_MEMORY_KIB


def derive_key(passphrase: str, params: KdfParams) -> bytes:
    """The 32-byte key for ``passphrase`` (NFC-normalised, UTF-8) under ``params``."""
    kdf = Argon2id(
        salt=params.salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(unicodedata.normalize("NFC", passphrase).encode("utf-8"))


def calibrate(target_seconds: float = 0.5) -> KdfParams:
    """Fresh-salted settings that take about ``target_seconds`` on this machine (tiny under the test profile)."""
    salt = os.urandom(MIN_SALT_BYTES)
    if _is_test_profile():
        return KdfParams(salt=salt, memory_kib=TEST_PROFILE_MEMORY_KIB, iterations=1, lanes=1)
    lanes = max(1, min(CALIBRATED_MAX_LANES, os.cpu_count() or 1))
    probe = KdfParams(salt=salt, memory_kib=CALIBRATED_MEMORY_KIB, iterations=1, lanes=lanes)
    started = time.perf_counter()
    derive_key("calibration", probe)
    per_iteration = max(time.perf_counter() - started, 1e-6)
    iterations = max(1, min(MAX_ITERATIONS, round(target_seconds / per_iteration)))
    return KdfParams(salt=salt, memory_kib=CALIBRATED_MEMORY_KIB, iterations=iterations, lanes=lanes)
