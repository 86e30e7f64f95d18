"""Request and response bodies of the hub's HTTP API (they also shape /openapi.json)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from memtray.hubs.batch_frames import MAX_KEYS as MAX_BATCH_KEYS

HexId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="32 lowercase hex digits")]
InviteCode = Annotated[str, Field(min_length=1, max_length=200)]
DeviceName = Annotated[str, Field(min_length=1, max_length=200)]


class CreateVaultIn(BaseModel):
    invite: InviteCode
    vault_id: HexId
    device_id: HexId
    device_name: DeviceName


class JoinVaultIn(BaseModel):
    invite: InviteCode
    device_id: HexId
    device_name: DeviceName


class TokenOut(BaseModel):
    token: str = Field(description="This device's bearer token; shown once, the hub keeps only its SHA-256")
    vault_id: str
    device_id: str


class InviteOut(BaseModel):
    invite: str
    expires: float | None


class DeviceOut(BaseModel):
    device_id: str
    name: str
    masked_token: str
    last_seen: float | None
    revoked: bool


class DevicesOut(BaseModel):
    devices: list[DeviceOut]


class PutOut(BaseModel):
    key: str
    cursor: str


class BatchIn(BaseModel):
    keys: list[str] = Field(min_length=1, max_length=MAX_BATCH_KEYS, description="Object keys, answered in order")


class KeysOut(BaseModel):
    keys: list[str]
    next_after: str | None = Field(description="Pass as `after` for the next page; null when this was the last page")


class ChangesOut(BaseModel):
    cursor: str


class InfoOut(BaseModel):
    service: str
    version: str
    max_body: int


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


ERROR_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing, unknown or revoked token (error code `revoked` for a revoked device)",
    403: "Not allowed for this device (`forbidden`, `revoke_refused`, `invite_limit`), or the invite was not accepted",
    408: "The request body arrived too slowly; the connection is closed",
    404: "No such vault (also for another vault's token), object or device",
    409: "The object, vault or device already exists",
    413: "Body larger than the hub accepts",
    422: "Parameters or body failed validation",
    429: "Too many requests; see Retry-After",
    503: "The hub is busy; see Retry-After",
    507: "The hub's storage is full",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can answer with."""
    always = (400, 408, 413, 422, 429, 503, 507)
    return {code: {"model": ErrorOut, "description": ERROR_DESCRIPTIONS[code]} for code in sorted({*codes, *always})}
