"""What a request must pass before the hub reads its body.

- An invite redemption (``POST /v1/vaults``, ``POST /v1/vaults/{vault}/devices``) first spends its
  address's redemption budget, so floods of bodies and of malformed (422) requests are throttled too.
- Only object uploads may be up to ``max_body``; every other endpoint takes at most ``JSON_MAX_BODY``
  bytes, which the gate reads itself (all of it within ``request_seconds``) before the app parses it.
- The declared Content-Length is checked before reading, the streamed count while reading. An upload
  that sends nothing for ``UPLOAD_PAUSE_FACTOR`` times ``request_seconds`` is answered 408 and its
  connection closed.
"""

from __future__ import annotations

import asyncio
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memtray.hubserver.http_errors import ApiError, error_body, send_json, too_large, too_slow
from memtray.hubserver.ratelimit import RedemptionLimits, retry_after_header

JSON_MAX_BODY = 4096
UPLOAD_PAUSE_FACTOR = 3
OBJECT_PATH = re.compile(r"^/v1/vaults/[^/]+/objects/.")
REDEEM_PATH = re.compile(r"^/v1/vaults(/[^/]+/devices)?/?$")


def redemption_throttled(seconds: float) -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        "Too many attempts to use an invite; try again later.",
        headers={"Retry-After": retry_after_header(seconds), "Connection": "close"},
    )


class RequestGate:
    def __init__(self, app: ASGIApp, max_body: int, redemptions: RedemptionLimits, request_seconds: float) -> None:
        self.app = app
        self.max_body = max_body
        self.redemptions = redemptions
        self.request_seconds = request_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            if scope["method"] == "POST" and REDEEM_PATH.match(scope["path"]):
                client = scope.get("client")
                wait = self.redemptions.admit_address(client[0] if client else "unknown")
                if wait is not None:
                    raise redemption_throttled(wait)
            if scope["method"] == "PUT" and OBJECT_PATH.match(scope["path"]):
                _check_declared(scope, self.max_body)
                pause = self.request_seconds * UPLOAD_PAUSE_FACTOR
                await self.app(scope, _streamed(receive, self.max_body, pause), send)
                return
            _check_declared(scope, JSON_MAX_BODY)
            body = await _read_small(receive, self.request_seconds)
        except ApiError as refused:
            await send_json(send, refused.status, error_body(refused.code, refused.message), refused.headers)
            return
        await self.app(scope, _replay(body, receive), send)


def _check_declared(scope: Scope, limit: int) -> None:
    declared = dict(scope["headers"]).get(b"content-length")
    if declared is None:
        return
    if not declared.isdigit():
        raise ApiError(400, "bad_request", "Content-Length is not a number.", headers={"Connection": "close"})
    if int(declared) > limit:
        raise too_large(limit)


async def _read_small(receive: Receive, seconds: float) -> bytes:
    deadline = asyncio.get_running_loop().time() + seconds
    body = bytearray()
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            message = await asyncio.wait_for(receive(), max(0.0, remaining))
        except TimeoutError:
            raise too_slow() from None
        if message["type"] != "http.request":
            return bytes(body)
        body += message.get("body", b"")
        if len(body) > JSON_MAX_BODY:
            raise too_large(JSON_MAX_BODY)
        if not message.get("more_body", False):
            return bytes(body)


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def _streamed(receive: Receive, limit: int, pause_seconds: float) -> Receive:
    received = 0
    finished = False

    async def limited() -> Message:
        nonlocal received, finished
        if finished:
            return await receive()
        try:
            message = await asyncio.wait_for(receive(), pause_seconds)
        except TimeoutError:
            raise too_slow() from None
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise too_large(limit)
            finished = not message.get("more_body", False)
        return message

    return limited
