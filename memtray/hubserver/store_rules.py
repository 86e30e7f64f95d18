"""The rules every hub storage applies the same way, whatever its database (``sqlite_store``, ``pg_store``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from memtray.hubserver.storage import DeviceRecord, Page, RevokeRefusedError

DEVICE_COLUMNS = "vault_id, device_id, name, token_prefix, created, last_seen, revoked IS NOT NULL"
"""The columns ``device_record`` reads, in its order."""

KEY_CEILING = "\x7f"
"""Keys only use ASCII below DEL, so prefix + DEL bounds every key that starts with prefix."""

RevokeStep = Literal["unknown", "already", "revoke"]


def revoke_step(devices: Iterable[tuple[object, ...]], device_id: str, by: str | None) -> RevokeStep:
    """What revoking ``device_id`` does, given the vault's devices as (device id, enrollment order, revoked).

    ``unknown``: the vault has no such device; ``already``: it is revoked; ``revoke``: mark it revoked now.
    ``by`` is the revoking device, or None for the hub's operator. Raises RevokeRefusedError when a device
    revokes itself or one enrolled before it, or when the target is the last unrevoked device.
    """
    enrolled = {str(device): (int(str(order)), bool(revoked)) for device, order, revoked in devices}
    if device_id not in enrolled:
        return "unknown"
    if enrolled[device_id][1]:
        return "already"
    if by is not None:
        if by == device_id:
            raise RevokeRefusedError("self")
        if enrolled[by][0] > enrolled[device_id][0]:
            raise RevokeRefusedError("earlier")
    if sum(1 for _, revoked in enrolled.values() if not revoked) <= 1:
        raise RevokeRefusedError("last")
    return "revoke"


def key_range(prefix: str, after: str | None) -> tuple[str, str, str]:
    """The comparison (``>`` or ``>=``) and the low bound of a page of keys starting with ``prefix`` after
    ``after``, and the high bound every such key sorts below."""
    low = max(prefix, after) if after is not None else prefix
    operator = ">" if after is not None and after >= prefix else ">="
    return operator, low, prefix + KEY_CEILING


def key_page(found: Iterable[tuple[object, ...]], prefix: str, limit: int) -> Page:
    """A page of at most ``limit`` keys from rows of one key each, fetched with a limit of ``limit + 1``."""
    keys = [str(row[0]) for row in found if str(row[0]).startswith(prefix)]
    return Page(keys=keys[:limit], more=len(keys) > limit)


def device_record(row: tuple[object, ...]) -> DeviceRecord:
    """The device in a row that starts with ``DEVICE_COLUMNS``."""
    vault_id, device_id, name, prefix, created, last_seen, revoked = row[:7]
    return DeviceRecord(
        vault_id=str(vault_id),
        device_id=str(device_id),
        name=str(name),
        token_prefix=str(prefix),
        created=float(str(created)),
        last_seen=None if last_seen is None else float(str(last_seen)),
        revoked=bool(revoked),
    )
