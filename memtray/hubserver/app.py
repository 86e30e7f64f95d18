"""The hub's ASGI application: routes, limits and error handling around one ``Storage``."""

from __future__ import annotations

from fastapi import FastAPI

from memtray import __version__
from memtray.hubserver import routes_enroll, routes_objects
from memtray.hubserver.http_errors import BodyLimitMiddleware, CatchAllMiddleware, install_handlers
from memtray.hubserver.models import InfoOut
from memtray.hubserver.ratelimit import RateLimiter
from memtray.hubserver.state import HubState
from memtray.hubserver.storage import Storage

DEFAULT_MAX_BODY = 32 * 1024 * 1024
DEFAULT_RATE = 3000


def create_app(storage: Storage, *, max_body: int = DEFAULT_MAX_BODY, rate_per_minute: int = DEFAULT_RATE) -> FastAPI:
    app = FastAPI(
        title="memtray hub",
        version=__version__,
        description="Stores a vault's encrypted objects for memtray laptops; it never sees plaintext.",
    )
    app.state.hub = HubState(storage=storage, limiter=RateLimiter(rate_per_minute))
    install_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_body=max_body)
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
