"""The hub's ASGI application: routes, limits and error handling around one ``Storage``."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from memtray import __version__
from memtray.hubserver import routes_enroll, routes_objects
from memtray.hubserver.changes import DEFAULT_MAX_WAITS, ChangeFeed, ChangeNotifier
from memtray.hubserver.gates import RequestGate
from memtray.hubserver.http_errors import CatchAllMiddleware, install_handlers
from memtray.hubserver.models import InfoOut
from memtray.hubserver.ratelimit import RateLimiter, RedemptionLimits
from memtray.hubserver.state import HubState
from memtray.hubserver.storage import Storage

DEFAULT_MAX_BODY = 32 * 1024 * 1024
DEFAULT_RATE = 3000
DEFAULT_REQUEST_SECONDS = 10.0


def create_app(
    storage: Storage,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    rate_per_minute: int = DEFAULT_RATE,
    max_long_polls: int = DEFAULT_MAX_WAITS,
    request_seconds: float = DEFAULT_REQUEST_SECONDS,
    clock: Callable[[], float] = time.time,
    monotonic: Callable[[], float] = time.monotonic,
    change_feed: ChangeFeed | None = None,
) -> FastAPI:
    """``clock`` dates invites and devices; ``monotonic`` drives the rate limits (tests move both).

    ``change_feed`` (several processes on one PostgreSQL database) runs while the app does.
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if change_feed is not None:
            await change_feed.start(state.notifier)
        try:
            yield
        finally:
            if change_feed is not None:
                await change_feed.stop()

    app = FastAPI(
        title="memtray hub",
        version=__version__,
        description="Stores a vault's encrypted objects for memtray laptops; it never sees plaintext.",
        lifespan=lifespan,
    )
    state = HubState(
        storage=storage,
        limiter=RateLimiter(rate_per_minute, monotonic),
        notifier=ChangeNotifier(max_waits=max_long_polls),
        redemptions=RedemptionLimits(monotonic),
        clock=clock,
    )
    app.state.hub = state
    install_handlers(app)
    app.add_middleware(RequestGate, max_body=max_body, redemptions=state.redemptions, request_seconds=request_seconds)
    app.add_middleware(CatchAllMiddleware)
    app.include_router(routes_enroll.router)
    app.include_router(routes_objects.router)

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/info", response_model=InfoOut, tags=["service"])
    async def info() -> InfoOut:
        return InfoOut(service="memtray-hub", version=__version__, max_body=max_body)

    return app
