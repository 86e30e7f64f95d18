"""Reading the memtray hub's answers: bodies read with a running bound, error answers turned into memtray errors."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from memtray.errors import (
    HubAuthError,
    HubError,
    HubFullError,
    HubPayloadTooLargeError,
    HubRateLimitedError,
    HubRevokedError,
    ObjectExistsError,
    ObjectMissingError,
)
from memtray.hubs.base import READ_CHUNK, check_declared_size, read_capped
from memtray.hubs.retrying import retry_after_seconds

ANSWER_LIMIT = 8 * 1024 * 1024
ERROR_ANSWER_LIMIT = 64 * 1024

MESSAGES = {
    "no_token": "This laptop has no password for the memtray server yet; join your synced memory with a setup code "
    "first.",
    "bad_token": "The memtray server did not accept this laptop's password; join your synced memory again with a new "
    "setup code.",
    "revoked": "This laptop was removed from your synced memory on another laptop, so it can no longer sync; "
    "join again with a new setup code if that was a mistake.",
    "forbidden": "The memtray server refused to let this laptop change data that belongs to another laptop.",
    "bad_invite": "The memtray server did not accept this server password (invite code): it may be mistyped, expired "
    "or already used, so ask for a new one.",
    "vault_not_found": "The memtray server has no synced memory with this id; it may have been reset, or the address "
    "points to a different server.",
    "not_found": "The memtray server is missing data that should be there; it may have lost or withheld it.",
    "exists": "The memtray server already has an item under this name, so it was left unchanged.",
    "vault_exists": "This memtray server already has a synced memory with this id.",
    "device_exists": "This laptop has already joined your synced memory on this server.",
    "device_not_found": "Your synced memory has no laptop with this id.",
    "revoke_refused": "The memtray server did not remove that laptop: a laptop can only remove laptops that joined "
    "your synced memory after it, never itself; whoever runs the server can remove any other.",
    "invite_limit": "This laptop already has five unused setup codes; use one of them, or wait a week until they "
    "expire.",
    "too_large": "A change is larger than this memtray server accepts; ask whoever runs it to raise its size limit.",
    "hub_full": "The memtray server has run out of disk space; ask whoever runs it to free some room.",
    "invalid": "The memtray server did not understand memtray's request; it may run a different version of memtray.",
    "server": "The memtray server had an internal problem and could not finish; memtray will try again later.",
    "redirect": "The memtray server's address sends memtray somewhere else; use the address it points to "
    "(often https://…).",
}
ERROR_CLASSES: dict[str, type[HubError]] = {
    "no_token": HubAuthError,
    "bad_token": HubAuthError,
    "revoked": HubRevokedError,
    "forbidden": HubAuthError,
    "bad_invite": HubAuthError,
    "not_found": ObjectMissingError,
    "exists": ObjectExistsError,
    "too_large": HubPayloadTooLargeError,
    "hub_full": HubFullError,
}


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes
    attempts: int

    def field(self, name: str) -> Any:
        """One field of the JSON answer; a missing field or non-JSON answer is a HubError."""
        try:
            return json.loads(self.body)[name]
        except (ValueError, KeyError, TypeError):
            raise unreadable() from None


def unreadable() -> HubError:
    return HubError("The server sent an answer memtray could not read; the address may not be a memtray server.")


def read_answer(response: requests.Response, ok: bool, object_key: str | None) -> bytes:
    """The body, read with a running bound: an object's cap, ``ANSWER_LIMIT``, or the start of an error."""
    chunks = response.iter_content(READ_CHUNK)
    if not ok:
        return _read_up_to(chunks, ERROR_ANSWER_LIMIT)
    if object_key is not None:
        check_declared_size(object_key, _declared_length(response))
        return read_capped(chunks, object_key)
    answer = _read_up_to(chunks, ANSWER_LIMIT + 1)
    if len(answer) > ANSWER_LIMIT:
        raise HubError(
            "The memtray server sent a much longer answer than memtray asked for, so memtray stopped reading it."
        )
    return answer


def _read_up_to(chunks: Iterator[bytes], limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    for chunk in chunks:
        parts.append(chunk[: limit - total])
        total += len(parts[-1])
        if total >= limit:
            break
    return b"".join(parts)


def _declared_length(response: requests.Response) -> int | None:
    try:
        return int(response.headers.get("Content-Length", ""))
    except ValueError:
        return None


def error_for(reply: Reply) -> HubError:
    status = reply.status
    code = _error_code(reply.body)
    if status == 429:
        wait = retry_after_seconds(reply.headers)
        about = f" about {round(wait)} seconds" if wait else " a moment"
        return HubRateLimitedError(
            f"The memtray server is busy and asked memtray to wait{about} before trying again.", retry_after=wait
        )
    if status == 401:
        code = code if code in ("no_token", "revoked") else "bad_token"
    elif status == 413:
        code = "too_large"
    elif status == 507:
        code = "hub_full"
    elif status >= 500:
        code = "server"
    elif status in (400, 422):
        code = "invalid"
    elif 300 <= status < 400:
        code = "redirect"
    if code in MESSAGES:
        return ERROR_CLASSES.get(code, HubError)(MESSAGES[code])
    return HubError(
        f"The server gave an unexpected answer (HTTP {status}); the address may not point to a memtray server."
    )


def _error_code(body: bytes) -> str | None:
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None
