"""Vaults, devices and invites: how a laptop gets (and loses) its token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from starlette.concurrency import run_in_threadpool

from memtray.hubserver import auth
from memtray.hubserver.gates import redemption_throttled
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
from memtray.hubserver.state import VAULT_ID_PATH, Device, HubState, State
from memtray.hubserver.storage import (
    DeviceRecord,
    InviteLimitError,
    InviteRejectedError,
    RevokeRefusedError,
    StorageConflictError,
)

DEVICE_INVITE_SECONDS = 7 * 24 * 3600
MAX_OPEN_INVITES_PER_DEVICE = 5
DEVICE_ID_PATH = Path(pattern=r"^[0-9a-f]{32}$", description="32 lowercase hex digits")
REVOKE_REFUSALS = {
    "self": "A laptop cannot remove itself from the vault; do it from another laptop.",
    "earlier": "A laptop can only remove laptops that joined the vault after it did.",
    "last": "This is the vault's last laptop; removing it would leave nobody able to use the vault.",
}

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


def _admit_invite(state: HubState, code: str) -> None:
    wait = state.redemptions.admit_invite(code)
    if wait is not None:
        raise redemption_throttled(wait)


def _invite_rejected() -> ApiError:
    return ApiError(403, "bad_invite", "The hub did not accept this invite: it is unknown, used, expired or void.")


@router.post("", status_code=201, response_model=TokenOut, responses=error_responses(403, 409))
async def create_vault(body: CreateVaultIn, state: State) -> TokenOut:
    """Redeem a vault-creation invite (minted by the hub's owner) and enroll the first device."""
    _admit_invite(state, body.invite)
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
        state.redemptions.failed()
        raise _invite_rejected() from None
    except StorageConflictError:
        raise ApiError(409, "vault_exists", "A vault with this id already exists on the hub.") from None
    return TokenOut(token=token, vault_id=body.vault_id, device_id=body.device_id)


@router.post("/{vault_id}/devices", status_code=201, response_model=TokenOut, responses=error_responses(403, 409))
async def join_vault(vault_id: Annotated[str, VAULT_ID_PATH], body: JoinVaultIn, state: State) -> TokenOut:
    """Redeem a device invite made by an enrolled, unrevoked device of this vault."""
    _admit_invite(state, body.invite)
    record, token = _new_device(state, vault_id, body.device_id, body.device_name)
    try:
        await run_in_threadpool(
            state.storage.join_vault, auth.digest(body.invite), record, auth.digest(token), record.created
        )
    except InviteRejectedError:
        state.redemptions.failed()
        raise _invite_rejected() from None
    except StorageConflictError:
        raise ApiError(409, "device_exists", "A device with this id is already enrolled in the vault.") from None
    return TokenOut(token=token, vault_id=vault_id, device_id=body.device_id)


@router.post("/{vault_id}/invites", status_code=201, response_model=InviteOut, responses=error_responses(401, 403, 404))
async def create_invite(device: Device, state: State) -> InviteOut:
    """A one-time code another laptop can join this vault with (valid for seven days, five open at a time)."""
    code = auth.new_invite()
    now = state.clock()
    expires = now + DEVICE_INVITE_SECONDS
    try:
        await run_in_threadpool(
            state.storage.add_invite,
            auth.digest(code),
            device.vault_id,
            device.device_id,
            now,
            expires,
            MAX_OPEN_INVITES_PER_DEVICE,
        )
    except InviteLimitError:
        raise ApiError(
            403,
            "invite_limit",
            f"This laptop already has {MAX_OPEN_INVITES_PER_DEVICE} unused invites; use one, or wait until they "
            "expire.",
        ) from None
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
    "/{vault_id}/devices/{device_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404),
)
async def revoke_device(device_id: Annotated[str, DEVICE_ID_PATH], device: Device, state: State) -> Response:
    """Revoke a device enrolled after this one: its token, its unused invites and its open long-polls end at once."""
    try:
        found = await run_in_threadpool(
            state.storage.revoke_device, device.vault_id, device_id, state.clock(), device.device_id
        )
    except RevokeRefusedError as refused:
        raise ApiError(403, "revoke_refused", REVOKE_REFUSALS[refused.reason]) from None
    if not found:
        raise ApiError(404, "device_not_found", "The vault has no device with this id.")
    state.notifier.end_device(device.vault_id, device_id)
    return Response(status_code=204)
