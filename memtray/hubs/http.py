"""The memtray hub server over HTTP(S): objects, the long-poll change feed and enrollment.

Requests are retried with exponential backoff and jitter on connection errors, 429 and 5xx,
honouring Retry-After, at most ``max_tries`` times and within ``retry_budget`` seconds. Every
failure becomes a ``memtray.errors`` exception with a plain sentence. The token travels only
in the Authorization header and never appears in a message or ``repr``.

Every answer is read as a stream with a running bound (see ``memtray.hubs.http_answers``): an
object at most ``max_object_size(key)``, refused on its Content-Length first. With a
``tls_fingerprint`` the hub's certificate is pinned (see ``memtray.hubs.pinning``).
"""

from __future__ import annotations

import builtins
import random
import time
from collections.abc import Collection, Iterator
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

import requests

from memtray import __version__
from memtray.errors import (
    HubAuthError,
    HubError,
    HubUnreachableError,
    ObjectExistsError,
    ObjectMissingError,
    UsageError,
)
from memtray.hubs import batch_frames, own_changes
from memtray.hubs.base import HubDevice
from memtray.hubs.http_answers import MESSAGES, Reply, error_for, read_answer, unreadable
from memtray.hubs.keys import is_listed_key, is_valid_key
from memtray.hubs.loopback import is_loopback
from memtray.hubs.pinning import PinnedAdapter, normalise_fingerprint, tls_failure
from memtray.hubs.retrying import retry_after_seconds

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
MAX_WAIT = 60.0
LONG_POLL_MARGIN = 10.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
PAGE_LIMIT = 1000


class HttpHub:
    """A vault on a memtray hub server; ``token`` stays None until enrollment returns one."""

    def __init__(
        self,
        url: str,
        *,
        vault_id: str | None = None,
        device_id: str | None = None,
        token: str | None = None,
        allow_insecure_http: bool = False,
        tls_fingerprint: str | None = None,
        max_tries: int = 4,
        retry_budget: float = 30.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(
                f"'{url}' is not a memtray server address; it should look like https://memtray.example.com."
            )
        if parts.username or parts.password or parts.query or parts.fragment:
            raise UsageError(
                "A memtray server address is just https://host[:port][/path]; passwords go in the keychain."
            )
        self.host = parts.hostname
        if parts.scheme == "http" and not allow_insecure_http and not is_loopback(self.host):
            raise UsageError(
                f"memtray will not use plain http:// to reach {self.host}, because anyone on the network could read "
                "or change the traffic; use an https:// address, or allow insecure http for this server "
                "(--allow-insecure-http) if you trust the network."
            )
        if tls_fingerprint is not None and parts.scheme != "https":
            raise UsageError("A certificate fingerprint only applies to a memtray server at an https:// address.")
        self.url = url.rstrip("/")
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.tls_fingerprint = None if tls_fingerprint is None else normalise_fingerprint(tls_fingerprint)
        self.vault_id = vault_id
        self.device_id = device_id
        self.token = token
        self.max_tries = max(1, max_tries)
        self.retry_budget = retry_budget
        self._batch_read = True
        self._session = requests.Session()
        self._session.headers["User-Agent"] = f"memtray/{__version__}"
        if self.tls_fingerprint is not None:
            self._session.mount("https://", PinnedAdapter(self.tls_fingerprint))

    def __repr__(self) -> str:
        return f"HttpHub({self.url!r}, vault_id={self.vault_id!r}, device_id={self.device_id!r})"

    def __enter__(self) -> HttpHub:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def put_new(self, key: str, data: bytes) -> None:
        headers = {"Content-Type": "application/octet-stream"}
        reply = self._call("PUT", self._object_path(key), ok=(201, 409), data=data, headers=headers)
        # A retried PUT may find its own first attempt stored; identical bytes mean it succeeded.
        if reply.status == 409 and (reply.attempts == 1 or self.get(key) != data):
            raise ObjectExistsError(MESSAGES["exists"])
        if reply.status == 201 and self.vault_id is not None and self.device_id is not None:
            with suppress(HubError, ValueError):
                own_changes.note(self.url, self.vault_id, self.device_id, int(reply.field("cursor")))

    def only_own_changes(self, after: str, upto: str) -> bool:
        """Whether every change between the feed's cursors ``after`` and ``upto`` was an object this process
        stored (see memtray/hubs/own_changes.py)."""
        if self.vault_id is None or self.device_id is None or not (after.isdigit() and upto.isdigit()):
            return False
        return own_changes.only_own(self.url, self.vault_id, self.device_id, int(after), int(upto))

    def get(self, key: str) -> bytes:
        return self._call("GET", self._object_path(key), ok=(200,), object_key=key).body

    def batch_size(self) -> int:
        """How many keys one ``get_many`` asks for; 0 once the server turned out to predate batch reads."""
        return batch_frames.MAX_KEYS if self._batch_read else 0

    def get_many(self, keys: list[str]) -> Iterator[tuple[str, bytes | None]]:
        """The first of ``keys`` in one request (see ``memtray.hubs.batch_frames``); an object too big for a batch
        is read on its own."""
        asked = keys[: batch_frames.MAX_KEYS]
        for key in asked:
            self._object_path(key)
        reply = self._call("POST", self._vault_path("/objects/batch"), ok=(200, 405), json={"keys": asked})
        if reply.status == 405:
            self._batch_read = False
            yield asked[0], self.get(asked[0])
            return
        frames = list(batch_frames.read_frames(reply.body, asked))
        if not frames:
            raise batch_frames.garbled()
        for key, data, status in frames:
            yield key, self.get(key) if status == batch_frames.ALONE else data

    def list(self, prefix: str, after: str | None = None) -> list[str]:
        keys: list[str] = []
        cursor = after
        while True:
            params = {"prefix": prefix, "limit": str(PAGE_LIMIT)}
            if cursor is not None:
                params["after"] = cursor
            page = self._call("GET", self._vault_path("/objects"), ok=(200,), params=params)
            keys.extend(key for key in map(str, page.field("keys")) if is_listed_key(key))
            following = page.field("next_after")
            if following is None:
                return keys
            if cursor is not None and str(following) <= cursor:
                raise HubError("The memtray server sent a list of files that does not advance; it may be misbehaving.")
            cursor = str(following)

    def delete(self, key: str) -> None:
        """Delete ``key``; deleting an absent key is not an error."""
        try:
            self._call("DELETE", self._object_path(key), ok=(204,))
        except ObjectMissingError:
            return

    def wait_for_change(self, cursor: str | None, timeout: float) -> str | None:
        wait = max(0.0, min(timeout, MAX_WAIT))
        params = {"timeout": f"{wait:.3f}"}
        if cursor is not None and cursor.isdigit():
            params["cursor"] = cursor
        reply = self._call(
            "GET",
            self._vault_path("/changes"),
            ok=(200,),
            params=params,
            read_timeout=wait + LONG_POLL_MARGIN,
            budget=self.retry_budget + wait,
        )
        return str(reply.field("cursor"))

    def info(self) -> dict[str, Any]:
        """The hub's version and largest accepted object (``max_body``)."""
        reply = self._call("GET", "/v1/info", ok=(200,), auth=False)
        return {"version": str(reply.field("version")), "max_body": int(reply.field("max_body"))}

    def create_vault(self, invite: str, vault_id: str, device_id: str, device_name: str) -> str:
        body = {"invite": invite, "vault_id": vault_id, "device_id": device_id, "device_name": device_name}
        reply = self._call("POST", "/v1/vaults", ok=(201,), json=body, auth=False)
        return self._enrolled(reply, vault_id, device_id)

    def join_vault(self, invite: str, vault_id: str, device_id: str, device_name: str) -> str:
        body = {"invite": invite, "device_id": device_id, "device_name": device_name}
        reply = self._call("POST", f"/v1/vaults/{_id(vault_id)}/devices", ok=(201,), json=body, auth=False)
        return self._enrolled(reply, vault_id, device_id)

    def create_invite(self) -> str:
        return str(self._call("POST", self._vault_path("/invites"), ok=(201,)).field("invite"))

    def revoke_device(self, device_id: str) -> None:
        self._call("DELETE", self._vault_path(f"/devices/{_id(device_id)}"), ok=(204,))

    def list_devices(self) -> builtins.list[HubDevice]:
        devices = self._call("GET", self._vault_path("/devices"), ok=(200,)).field("devices")
        try:
            return [
                HubDevice(
                    device_id=str(d["device_id"]),
                    name=str(d["name"]),
                    masked_token=str(d["masked_token"]),
                    last_seen=None if d.get("last_seen") is None else float(d["last_seen"]),
                    revoked=bool(d["revoked"]),
                )
                for d in devices
            ]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise unreadable() from None

    def _enrolled(self, reply: Reply, vault_id: str, device_id: str) -> str:
        token = str(reply.field("token"))
        self.vault_id, self.device_id, self.token = vault_id, device_id, token
        return token

    def _vault_path(self, suffix: str) -> str:
        if self.vault_id is None:
            raise UsageError("This connection to the memtray server has no synced memory yet; start or join one first.")
        return f"/v1/vaults/{_id(self.vault_id)}{suffix}"

    def _object_path(self, key: str) -> str:
        if not is_valid_key(key):
            raise UsageError(f"'{key}' is not a valid name for a stored item.")
        return self._vault_path(f"/objects/{key}")

    def _call(
        self,
        method: str,
        path: str,
        *,
        ok: Collection[int],
        auth: bool = True,
        read_timeout: float = READ_TIMEOUT,
        budget: float | None = None,
        object_key: str | None = None,
        **kwargs: Any,
    ) -> Reply:
        headers = dict(kwargs.pop("headers", None) or {})
        if auth:
            if self.token is None:
                raise HubAuthError(MESSAGES["no_token"])
            headers["Authorization"] = f"Bearer {self.token}"
        deadline = time.monotonic() + (self.retry_budget if budget is None else budget)
        attempt = 0
        while True:
            attempt += 1
            try:
                with self._session.request(
                    method,
                    self.url + path,
                    headers=headers,
                    timeout=(CONNECT_TIMEOUT, read_timeout),
                    allow_redirects=False,
                    stream=True,
                    **kwargs,
                ) as response:
                    body = read_answer(response, response.status_code in ok, object_key)
            except requests.exceptions.SSLError:
                raise tls_failure(self.host, self.port, self.tls_fingerprint, CONNECT_TIMEOUT) from None
            except requests.RequestException as exc:
                failure: HubError = self._unreachable(exc)
                delay = _backoff(attempt)
            else:
                reply = Reply(response.status_code, response.headers, body, attempt)
                if reply.status in ok:
                    return reply
                failure = error_for(reply)
                if reply.status not in RETRY_STATUSES:
                    raise failure
                wait = retry_after_seconds(reply.headers)
                delay = _backoff(attempt) if wait is None else wait
            if attempt >= self.max_tries or time.monotonic() + delay > deadline:
                raise failure
            time.sleep(delay)

    def _unreachable(self, exc: Exception) -> HubUnreachableError:
        if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.exceptions.ConnectTimeout):
            return HubUnreachableError(
                f"The memtray server at {self.host} did not answer in time; memtray will try again later."
            )
        return HubUnreachableError(
            f"memtray can't reach the memtray server at {self.host}; check this laptop's internet connection and "
            "that the server is running."
        )


def _backoff(attempt: int) -> float:
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _id(value: str) -> str:
    if len(value) != 32 or any(c not in "0123456789abcdef" for c in value):
        raise UsageError("The id of a synced memory or of a laptop must be 32 lowercase hex digits.")
    return value
