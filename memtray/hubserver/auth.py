"""Secrets and scopes: device tokens, invite codes, and which keys a device may write.

Tokens and invites are shown once and stored only as SHA-256 digests. A device may write
``log/<own id>/…``, ``ckpt/<own id>/…``, ``blob/…``, ``vault/…``, ``roster/…`` and ``epoch/…``; it may delete
its own log, checkpoint and blob objects, and any ``vault/…`` object (key file generations), but never a roster
entry or an epoch record.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_PREFIX = "mt_"
INVITE_PREFIX = "mti_"
ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
TOKEN_PATTERN = re.compile(r"^mt_[A-Za-z0-9_-]{20,100}$")
INVITE_PATTERN = re.compile(r"^mti_[A-Za-z0-9_-]{20,100}$")


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_invite() -> str:
    return INVITE_PREFIX + secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def visible_prefix(token: str) -> str:
    """The part of a token that may be shown in a device list."""
    return token[: len(TOKEN_PREFIX) + 4]


def masked(prefix: str) -> str:
    return prefix + "…"


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None if absent or malformed."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not TOKEN_PATTERN.match(value):
        return None
    return value


def may_write(device_id: str, key: str) -> bool:
    parts = key.split("/")
    if parts[0] in ("log", "ckpt"):
        return len(parts) >= 3 and parts[1] == device_id
    return parts[0] in ("blob", "vault", "roster", "epoch")


def may_delete(device_id: str, key: str, owner: str) -> bool:
    """Roster entries and epoch records are never deleted: every laptop checks the whole chain of them."""
    if key.startswith("vault/"):
        return True
    if key.startswith(("roster/", "epoch/")):
        return False
    return may_write(device_id, key) and owner == device_id
