"""What the hub server needs from its database, so SQLite can later be joined by PostgreSQL.

Secrets never reach storage in clear: callers pass SHA-256 digests of tokens and invites.
Every method is synchronous and safe to call from several threads at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class StorageConflictError(Exception):
    """A create-only write found its key, vault or device already taken."""


class InviteRejectedError(Exception):
    """An invite is unknown, already used, expired or belongs to another vault."""


class InviteLimitError(Exception):
    """The device already has as many unused, unexpired invites as the hub allows."""


class RevokeRefusedError(Exception):
    """The revocation breaks the revoke rule; ``reason`` is ``self``, ``earlier`` or ``last``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StorageFullError(Exception):
    """The database could not grow (disk or quota full)."""


class StorageBusyError(Exception):
    """The database stayed locked by another writer for too long; the request may be retried."""


@dataclass(frozen=True)
class DeviceRecord:
    vault_id: str
    device_id: str
    name: str
    token_prefix: str
    created: float
    last_seen: float | None
    revoked: bool


@dataclass(frozen=True)
class VaultRecord:
    vault_id: str
    created: float


@dataclass(frozen=True)
class Page:
    keys: list[str]
    more: bool


class Storage(Protocol):
    def close(self) -> None: ...

    def add_invite(
        self,
        invite_hash: str,
        vault_id: str | None,
        created_by: str | None,
        now: float,
        expires: float,
        max_open: int | None = None,
    ) -> None:
        """Store a one-time invite. ``vault_id=None`` makes a vault-creation invite.

        With ``max_open``, raises InviteLimitError when ``created_by`` already has that many unused,
        unexpired invites.
        """
        ...

    def needs_vault_invite(self, now: float) -> bool:
        """True while the hub has no vault and no usable vault-creation invite."""
        ...

    def create_vault(self, invite_hash: str, vault_id: str, device: DeviceRecord, token_hash: str, now: float) -> None:
        """Redeem a vault-creation invite, create the vault and its first device in one transaction."""
        ...

    def join_vault(self, invite_hash: str, device: DeviceRecord, token_hash: str, now: float) -> None:
        """Redeem a device invite of ``device.vault_id`` and enroll the device in one transaction.

        An invite is void once the device that made it is revoked.
        """
        ...

    def device_for_token(self, token_hash: str) -> tuple[DeviceRecord, str] | None:
        """The device holding the token with this digest, and the stored digest to compare in constant time."""
        ...

    def touch_device(self, vault_id: str, device_id: str, now: float) -> None: ...

    def list_vaults(self) -> list[VaultRecord]: ...

    def list_devices(self, vault_id: str) -> list[DeviceRecord]:
        """The vault's devices in the order they enrolled."""
        ...

    def revoke_device(self, vault_id: str, device_id: str, now: float, by: str | None) -> bool:
        """Mark the device revoked; False when the vault has no such device.

        ``by`` is the revoking device, or None for the hub's operator. Raises RevokeRefusedError when a
        device revokes itself or one enrolled before it, or when the target is the last unrevoked device.
        """
        ...

    def vault_exists(self, vault_id: str) -> bool: ...

    def put_new(self, vault_id: str, key: str, data: bytes, owner: str, now: float) -> int:
        """Create ``key``; returns the vault's new change counter. Raises StorageConflictError if taken."""
        ...

    def get(self, vault_id: str, key: str) -> bytes | None: ...

    def owner(self, vault_id: str, key: str) -> str | None:
        """The device that created ``key``, or None if the key is absent."""
        ...

    def delete(self, vault_id: str, key: str) -> int | None:
        """Remove ``key``; returns the new change counter, or None if the key was absent."""
        ...

    def list_keys(self, vault_id: str, prefix: str, after: str | None, limit: int) -> Page: ...

    def change_counter(self, vault_id: str) -> int: ...
