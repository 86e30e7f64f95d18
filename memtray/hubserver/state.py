"""What every request handler shares, and the dependency that turns a bearer token into a device."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from memtray.hubserver import auth
from memtray.hubserver.changes import ChangeNotifier
from memtray.hubserver.http_errors import ApiError
from memtray.hubserver.ratelimit import RateLimiter, RedemptionLimits, retry_after_header
from memtray.hubserver.storage import DeviceRecord, Storage

LAST_SEEN_RESOLUTION = 60.0
VAULT_ID_PATH = Path(pattern=r"^[0-9a-f]{32}$", description="32 lowercase hex digits")


@dataclass
class HubState:
    storage: Storage
    limiter: RateLimiter
    notifier: ChangeNotifier = field(default_factory=ChangeNotifier)
    redemptions: RedemptionLimits = field(default_factory=RedemptionLimits)
    clock: Callable[[], float] = time.time


async def hub_state(request: Request) -> HubState:
    state: HubState = request.app.state.hub
    return state


State = Annotated[HubState, Depends(hub_state)]


def throttle(state: HubState, client: str) -> None:
    wait = state.limiter.acquire(client)
    if wait is not None:
        raise ApiError(
            429,
            "rate_limited",
            "Too many requests from this client; try again later.",
            headers={"Retry-After": retry_after_header(wait)},
        )


def revoked_error() -> ApiError:
    return ApiError(401, "revoked", "This device was removed from the vault.")


def client_address(request: Request) -> str:
    return "ip:" + (request.client.host if request.client else "unknown")


async def current_device(request: Request, state: State, vault_id: Annotated[str, VAULT_ID_PATH]) -> DeviceRecord:
    """The enrolled, unrevoked device whose token this request carries, scoped to ``vault_id``."""
    token = auth.bearer_token(request.headers.get("authorization"))
    if token is None:
        throttle(state, client_address(request))
        raise ApiError(401, "no_token", "This request needs a device token (Authorization: Bearer mt_…).")
    token_hash = auth.digest(token)
    found = await run_in_threadpool(state.storage.device_for_token, token_hash)
    if found is None or not auth.same_digest(found[1], token_hash):
        throttle(state, client_address(request))
        raise ApiError(401, "bad_token", "The hub does not know this device token.")
    device = found[0]
    throttle(state, f"device:{device.vault_id}/{device.device_id}")
    if device.revoked:
        raise revoked_error()
    if device.vault_id != vault_id:
        raise ApiError(404, "vault_not_found", "The hub has no such vault.")
    now = state.clock()
    if device.last_seen is None or now - device.last_seen >= LAST_SEEN_RESOLUTION:
        await run_in_threadpool(state.storage.touch_device, device.vault_id, device.device_id, now)
    return device


Device = Annotated[DeviceRecord, Depends(current_device)]
