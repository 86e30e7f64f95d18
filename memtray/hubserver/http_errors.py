"""Every failure leaves the hub as JSON ``{"error": {"code", "message"}}``, never as a stack trace.

Log lines name the failure and the route only: no headers, bodies, tokens or invites. A client that
hangs up mid-request is not an error of the hub and is not logged as one.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memtray.hubserver.storage import StorageBusyError, StorageFullError

log = logging.getLogger("memtray.hubserver")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}, **extra}


def too_large(max_body: int) -> ApiError:
    message = f"The request body is larger than this hub accepts ({max_body} bytes)."
    return ApiError(413, "too_large", message, headers={"Connection": "close"})


def too_slow() -> ApiError:
    message = "The request body arrived too slowly; the hub stopped waiting for it."
    return ApiError(408, "too_slow", message, headers={"Connection": "close"})


HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(StorageFullError)
    async def storage_full(_: Request, exc: StorageFullError) -> JSONResponse:
        log.error("storage full")
        return JSONResponse(error_body("hub_full", "The hub's storage is full."), status_code=507)

    @app.exception_handler(StorageBusyError)
    async def storage_busy(_: Request, exc: StorageBusyError) -> JSONResponse:
        log.warning("storage busy")
        body = error_body("busy", "The hub is busy; try again in a moment.")
        return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [{"loc": list(err.get("loc", ())), "msg": str(err.get("msg", ""))} for err in exc.errors()]
        body = error_body("invalid_request", "The request's parameters or body are not valid.", detail=detail)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)


class CatchAllMiddleware:
    """The last line of defence: an unexpected exception becomes a JSON 500 and one generic log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except ClientDisconnect:
            log.debug("client went away during %s %s", scope.get("method"), _route(scope))
        except Exception as exc:
            log.error("internal error %s on %s %s", type(exc).__name__, scope.get("method"), _route(scope))
            if not started:
                await send_json(send, 500, error_body("internal", "The hub hit an internal problem."))


def _route(scope: Scope) -> str:
    route = scope.get("route")
    return str(getattr(route, "path", "?"))


async def send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    extra = [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    headers_out = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers_out})
    await send({"type": "http.response.body", "body": payload})
