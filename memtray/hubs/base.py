"""The small contract every hub kind implements.

Keys are ``/``-separated ASCII strings of the shapes in ``memtray.hubs.keys``, such as
``log/<device>/<seq:016x>``. A hub stores opaque bytes (always ciphertext) and never needs to understand them.

Rules every adapter follows:
- ``put_new`` is create-only: if the key exists it raises ``ObjectExistsError`` and the
  stored object is unchanged. A reader never sees a half-written object.
- ``get`` raises ``ObjectMissingError`` for an absent key.
- ``list`` returns every key that starts with ``prefix`` and sorts after ``after``
  (plain string order), sorted ascending.
- ``get`` never reads more than ``max_object_size(key)`` bytes: an adapter checks the size it is
  told before reading, then reads with a running bound (a hub may lie about the size), and raises
  ``ObjectTooLargeError`` naming the object. The caps are far above what memtray itself writes:
  key files are a few KiB, log entries and checkpoints carry about 4 MiB of content, and a blob is one
  whole file (which a laptop holds in memory to hash, seal and write it).
- Every other failure is raised as a ``memtray.errors.HubError`` subclass with a plain sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from memtray.errors import ObjectTooLargeError

KIB = 1024
MIB = 1024 * KIB
OBJECT_CAPS = {"vault": 64 * KIB, "log": 64 * MIB, "ckpt": 64 * MIB, "blob": 256 * MIB, "epoch": 256 * KIB}
READ_CHUNK = 1 * MIB


def max_object_size(key: str) -> int:
    """The most bytes memtray reads from the hub at ``key``; the smallest cap for a kind it does not know."""
    return OBJECT_CAPS.get(key.split("/", 1)[0], OBJECT_CAPS["vault"])


def describe_size(size: int) -> str:
    """``size`` in words a person reads at a glance: "64 MB", "64 KB"."""
    return f"{size // MIB} MB" if size >= MIB else f"{max(1, size // KIB)} KB"


def object_too_large(key: str) -> ObjectTooLargeError:
    """The error for an object at ``key`` bigger than ``max_object_size(key)``."""
    return ObjectTooLargeError(
        f"The stored item {key} is larger than memtray accepts ({describe_size(max_object_size(key))}); "
        "memtray did not read it."
    )


def check_declared_size(key: str, size: int | None) -> None:
    """Refuse before downloading when the size the hub announced for ``key`` is over its cap."""
    if size is not None and size > max_object_size(key):
        raise object_too_large(key)


def read_bounded(chunks: Iterable[bytes], limit: int, too_large: Exception) -> bytes:
    """The chunks joined, raising ``too_large`` as soon as they pass ``limit`` bytes."""
    parts: list[bytes] = []
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise too_large
        parts.append(chunk)
    return b"".join(parts)


def read_capped(chunks: Iterable[bytes], key: str) -> bytes:
    """The chunks of the object at ``key`` joined, stopping as soon as they pass ``max_object_size(key)``."""
    return read_bounded(chunks, max_object_size(key), object_too_large(key))


@runtime_checkable
class Hub(Protocol):
    """Storage of opaque objects under create-only keys."""

    url: str

    def put_new(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def list(self, prefix: str, after: str | None = None) -> list[str]: ...

    def delete(self, key: str) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class ChangeFeed(Protocol):
    """Optional: lets a watcher learn of new objects without polling."""

    def wait_for_change(self, cursor: str | None, timeout: float) -> str | None:
        """Block until the hub changed after ``cursor`` or ``timeout`` seconds passed.

        Returns the new cursor (pass it back next time). ``cursor=None`` returns the
        current cursor at once.
        """
        ...


@dataclass(frozen=True)
class HubDevice:
    device_id: str
    name: str
    masked_token: str
    last_seen: float | None
    revoked: bool


@runtime_checkable
class Enrollment(Protocol):
    """Optional: hubs that admit laptops with invites and per-device tokens (the memtray hub)."""

    def create_vault(self, invite: str, vault_id: str, device_id: str, device_name: str) -> str:
        """Redeem a hub invite to create ``vault_id``; returns this device's token (shown once)."""
        ...

    def join_vault(self, invite: str, vault_id: str, device_id: str, device_name: str) -> str:
        """Redeem a device invite made by ``create_invite``; returns this device's token."""
        ...

    def create_invite(self) -> str:
        """A one-time code another laptop can join this vault with."""
        ...

    def revoke_device(self, device_id: str) -> None: ...

    def list_devices(self) -> list[HubDevice]: ...
