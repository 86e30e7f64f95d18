"""Create-only objects and the per-vault change feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from memtray.hubs import batch_frames
from memtray.hubs.keys import is_valid_key
from memtray.hubserver import auth
from memtray.hubserver.changes import TooManyWaitsError, WaitEndedError
from memtray.hubserver.http_errors import ApiError
from memtray.hubserver.models import BatchIn, ChangesOut, KeysOut, PutOut, error_responses
from memtray.hubserver.state import Device, HubState, State, revoked_error
from memtray.hubserver.storage import StorageConflictError

MAX_WAIT_SECONDS = 60.0
WAITS_FULL_RETRY_SECONDS = 10
MAX_PAGE = 1000
PREFIX_PATTERN = r"^[A-Za-z0-9._/-]{0,600}$"
BINARY = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}

router = APIRouter(prefix="/v1/vaults/{vault_id}", tags=["objects"])


def _checked_key(key: str) -> str:
    if not is_valid_key(key):
        raise ApiError(400, "invalid_key", "The object key is not one the sync protocol uses.")
    return key


def _missing() -> ApiError:
    return ApiError(404, "not_found", "The hub has no object under this key.")


def _forbidden() -> ApiError:
    return ApiError(403, "forbidden", "This device may not change that object.")


@router.put(
    "/objects/{key:path}",
    status_code=201,
    response_model=PutOut,
    responses=error_responses(401, 403, 404, 409),
    openapi_extra={"requestBody": {"required": True, "content": BINARY}},
)
async def put_object(key: str, request: Request, device: Device, state: State) -> PutOut:
    """Create ``key`` with the request body; 409 if it exists (objects are never overwritten)."""
    if not auth.may_write(device.device_id, _checked_key(key)):
        raise _forbidden()
    data = await request.body()
    try:
        counter = await run_in_threadpool(
            state.storage.put_new, device.vault_id, key, data, device.device_id, state.clock()
        )
    except StorageConflictError:
        raise ApiError(409, "exists", "The hub already has an object under this key.") from None
    state.notifier.notify(device.vault_id)
    return PutOut(key=key, cursor=str(counter))


@router.get(
    "/objects/{key:path}",
    response_class=Response,
    responses={200: {"content": BINARY, "description": "The object's bytes"}, **error_responses(401, 404)},
)
async def get_object(key: str, device: Device, state: State) -> Response:
    data = await run_in_threadpool(state.storage.get, device.vault_id, _checked_key(key))
    if data is None:
        raise _missing()
    return Response(content=data, media_type="application/octet-stream")


@router.post(
    "/objects/batch",
    response_class=Response,
    responses={200: {"content": BINARY, "description": "Framed objects"}, **error_responses(400, 401, 404)},
)
async def get_objects(body: BatchIn, device: Device, state: State) -> Response:
    """Many objects in one answer (one request against the rate limit): see ``memtray.hubs.batch_frames``."""
    keys = [_checked_key(key) for key in body.keys]
    answer = await run_in_threadpool(_batch_answer, state, device.vault_id, keys)
    return Response(content=answer, media_type="application/octet-stream")


def _batch_answer(state: HubState, vault_id: str, keys: list[str]) -> bytes:
    parts = [batch_frames.MAGIC]
    used = len(batch_frames.MAGIC)
    for key in keys:
        data = state.storage.get(vault_id, key)
        if data is None:
            part = batch_frames.frame(batch_frames.MISSING)
        elif batch_frames.too_big_for_a_batch(data):
            part = batch_frames.frame(batch_frames.ALONE)
        elif batch_frames.fits(used, data):
            part = batch_frames.frame(batch_frames.FOUND, data)
        else:
            break
        parts.append(part)
        used += len(part)
    return b"".join(parts)


@router.delete(
    "/objects/{key:path}", status_code=204, response_class=Response, responses=error_responses(401, 403, 404)
)
async def delete_object(key: str, device: Device, state: State) -> Response:
    """Delete one of this device's own objects (or a ``vault/…`` object)."""
    if not auth.may_write(device.device_id, _checked_key(key)):
        raise _forbidden()
    owner = await run_in_threadpool(state.storage.owner, device.vault_id, key)
    if owner is None:
        raise _missing()
    if not auth.may_delete(device.device_id, key, owner):
        raise _forbidden()
    if await run_in_threadpool(state.storage.delete, device.vault_id, key) is None:
        raise _missing()
    state.notifier.notify(device.vault_id)
    return Response(status_code=204)


@router.get("/objects", response_model=KeysOut, responses=error_responses(401, 404))
async def list_objects(
    device: Device,
    state: State,
    prefix: Annotated[str, Query(pattern=PREFIX_PATTERN)] = "",
    after: Annotated[str | None, Query(pattern=PREFIX_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE,
) -> KeysOut:
    """Keys starting with ``prefix`` and sorting after ``after``, ascending, one page at a time."""
    page = await run_in_threadpool(state.storage.list_keys, device.vault_id, prefix, after, limit)
    return KeysOut(keys=page.keys, next_after=page.keys[-1] if page.more else None)


@router.get("/changes", response_model=ChangesOut, responses=error_responses(401, 404))
async def wait_for_change(
    device: Device,
    state: State,
    cursor: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    timeout: Annotated[float, Query(ge=0, le=3600)] = 30.0,
) -> ChangesOut:
    """Long-poll: answers as soon as the vault's change counter differs from ``cursor``.

    Without ``cursor`` it answers at once with the current one. ``timeout`` is capped at 60 s. Past the
    hub's cap on open long-polls (in total, and four per device) it answers 429 at once.
    """

    async def current() -> int:
        return await run_in_threadpool(state.storage.change_counter, device.vault_id)

    if cursor is None:
        return ChangesOut(cursor=str(await current()))
    try:
        counter = await state.notifier.wait(
            device.vault_id, device.device_id, current, cursor, min(timeout, MAX_WAIT_SECONDS)
        )
    except TooManyWaitsError:
        raise ApiError(
            429,
            "too_many_waits",
            "The hub has as many open change feeds as it allows; try again later.",
            headers={"Retry-After": str(WAITS_FULL_RETRY_SECONDS)},
        ) from None
    except WaitEndedError:
        raise revoked_error() from None
    return ChangesOut(cursor=str(counter))
