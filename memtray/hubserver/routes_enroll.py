"""Vaults, devices and invites: how a laptop gets (and loses) its token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from memtray.hubserver import auth
from memtray.hubserver.http_errors import ApiError
from memtray.hubserver.models import (
    CreateVaultIn,
    DeviceOut,
    DevicesOut,
    InviteOut,
    JoinVaultIn,
    TokenOut,
    error_responses,
)
from memtray.hubserver.state import VAULT_ID_PATH, Device, HubState, State, client_address, throttle
from memtray.hubserver.storage import DeviceRecord, InviteRejectedError, StorageConflictError

DEVICE_INVITE_SECONDS = 7 * 24 * 3600
DEVICE_ID_PATH = Path(pattern=r"^[0-9a-f]{32}$", description="32 lowercase hex digits")

router = APIRouter(prefix="/v1/vaults", tags=["enrollment"])


def _new_device(state: HubState, vault_id: str, device_id: str, name: str) -> tuple[DeviceRecord, str]:
    token = auth.new_token()
    record = DeviceRecord(
        vault_id=vault_id,
        device_id=device_id,
        name=name,
        token_prefix=auth.visible_prefix(token),
        created=state.clock(),
        last_seen=None,
        revoked=False,
    )
    return record, token


def _invite_rejected() -> ApiError:
    return ApiError(403, "bad_invite", "The hub did not accept this invite: it is unknown, used or expired.")


@router.post("", status_code=201, response_model=TokenOut, responses=error_responses(403, 409))
async def create_vault(body: CreateVaultIn, request: Request, state: State) -> TokenOut:
    """Redeem a vault-creation invite (minted by the hub's owner) and enroll the first device."""
    throttle(state, client_address(request))
    record, token = _new_device(state, body.vault_id, body.device_id, body.device_name)
    try:
        await run_in_threadpool(
            state.storage.create_vault,
            auth.digest(body.invite),
            body.vault_id,
            record,
            auth.digest(token),
            record.created,
        )
    except InviteRejectedError:
        raise _invite_rejected() from None
    except StorageConflictError:
        raise ApiError(409, "vault_exists", "A vault with this id already exists on the hub.") from None
    return TokenOut(token=token, vault_id=body.vault_id, device_id=body.device_id)


@router.post("/{vault_id}/devices", status_code=201, response_model=TokenOut, responses=error_responses(403, 409))
async def join_vault(
    vault_id: Annotated[str, VAULT_ID_PATH], body: JoinVaultIn, request: Request, state: State
) -> TokenOut:
    """Redeem a device invite made by an enrolled device of this vault."""
    throttle(state, client_address(request))
    record, token = _new_device(state, vault_id, body.device_id, body.device_name)
    try:
        await run_in_threadpool(
            state.storage.join_vault, auth.digest(body.invite), record, auth.digest(token), record.created
        )
    except InviteRejectedError:
        raise _invite_rejected() from None
    except StorageConflictError:
        raise ApiError(409, "device_exists", "A device with this id is already enrolled in the vault.") from None
    return TokenOut(token=token, vault_id=vault_id, device_id=body.device_id)


@router.post("/{vault_id}/invites", status_code=201, response_model=InviteOut, responses=error_responses(401, 404))
async def create_invite(device: Device, state: State) -> InviteOut:
    """A one-time code another laptop can join this vault with (valid for seven days)."""
    code = auth.new_invite()
    expires = state.clock() + DEVICE_INVITE_SECONDS
    await run_in_threadpool(
        state.storage.add_invite, auth.digest(code), device.vault_id, device.device_id, state.clock(), expires
    )
    return InviteOut(invite=code, expires=expires)


@router.get("/{vault_id}/devices", response_model=DevicesOut, responses=error_responses(401, 404))
async def list_devices(device: Device, state: State) -> DevicesOut:
    records = await run_in_threadpool(state.storage.list_devices, device.vault_id)
    return DevicesOut(
        devices=[
            DeviceOut(
                device_id=r.device_id,
                name=r.name,
                masked_token=auth.masked(r.token_prefix),
                last_seen=r.last_seen,
                revoked=r.revoked,
            )
            for r in records
        ]
    )


@router.delete(
    "/{vault_id}/devices/{device_id}", status_code=204, response_class=Response, responses=error_responses(401, 404)
)
async def revoke_device(device_id: Annotated[str, DEVICE_ID_PATH], device: Device, state: State) -> Response:
    """Revoke a device's token; its objects stay, its token stops working at once."""
    found = await run_in_threadpool(state.storage.revoke_device, device.vault_id, device_id, state.clock())
    if not found:
        raise ApiError(404, "device_not_found", "The vault has no device with this id.")
    return Response(status_code=204)
