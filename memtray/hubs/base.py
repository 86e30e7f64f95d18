"""The small contract every hub kind implements.

Keys are ``/``-separated ASCII strings such as ``log/<device>/<seq:016x>``. A hub stores
opaque bytes (always ciphertext) and never needs to understand them.

Rules every adapter follows:
- ``put_new`` is create-only: if the key exists it raises ``ObjectExistsError`` and the
  stored object is unchanged. A reader never sees a half-written object.
- ``get`` raises ``ObjectMissingError`` for an absent key.
- ``list`` returns every key that starts with ``prefix`` and sorts after ``after``
  (plain string order), sorted ascending.
- Every other failure is raised as a ``memtray.errors.HubError`` subclass with a plain sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

KEY_PATTERN = re.compile(r"^(vault|log|blob|ckpt)(/[A-Za-z0-9._-]{1,128}){1,3}$")


def is_valid_key(key: str) -> bool:
    """True for keys of the shapes the sync protocol writes; adapters refuse anything else."""
    return bool(KEY_PATTERN.match(key)) and ".." not in key


def is_listed_key(key: str) -> bool:
    """True for keys ``list`` returns: valid protocol keys, never hidden temp or probe objects."""
    return is_valid_key(key) and not any(part.startswith(".") for part in key.split("/"))


def log_key(device_id: str, seq: int) -> str:
    return f"log/{device_id}/{seq:016x}"


def log_prefix(device_id: str) -> str:
    return f"log/{device_id}/"


def blob_key(blob_id: str) -> str:
    return f"blob/{blob_id}"


def keyfile_key(generation: int) -> str:
    return f"vault/keyfile/{generation:016x}"


KEYFILE_PREFIX = "vault/keyfile/"


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
