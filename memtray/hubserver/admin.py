"""The hub operator's commands, run on the hub's machine against its data folder.

``memtray hub invite`` mints a vault-creation invite (valid seven days), ``memtray hub devices`` lists
vaults and their laptops in the order they joined (never tokens), and ``memtray hub revoke`` removes
any laptop but a vault's last one: the way out when the vault's first laptop itself is lost.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime

from memtray.errors import UsageError
from memtray.hubserver import auth
from memtray.hubserver.pg_choice import open_storage
from memtray.hubserver.storage import DeviceRecord, RevokeRefusedError, Storage
from memtray.hubserver.tls import CERT_NAME, TLS_FOLDER, certificate_fingerprint

VAULT_INVITE_SECONDS = 7 * 24 * 3600
OPERATOR_REFUSALS = {"last": "it is the vault's last laptop; revoking it would leave nobody able to use the vault"}


def mint_vault_invite(storage: Storage, now: float | None = None) -> str:
    code = auth.new_invite()
    minted = time.time() if now is None else now
    storage.add_invite(auth.digest(code), None, None, minted, minted + VAULT_INVITE_SECONDS)
    return code


def invite(args: argparse.Namespace) -> int:
    storage = open_storage(args.data, args.database, must_exist=True)
    try:
        print(f"invite: {mint_vault_invite(storage)}", flush=True)
    finally:
        storage.close()
    self_signed = None if args.data is None else args.data / TLS_FOLDER / CERT_NAME
    if self_signed is not None and self_signed.exists():
        print(f"fingerprint: {certificate_fingerprint(self_signed.read_bytes())}", flush=True)
    return 0


def devices(args: argparse.Namespace) -> int:
    storage = open_storage(args.data, args.database, must_exist=True)
    try:
        vaults = storage.list_vaults()
        if not vaults:
            print("This hub has no vaults yet.")
        for vault in vaults:
            print(f"vault {vault.vault_id} (created {_when(vault.created)})")
            for device in storage.list_devices(vault.vault_id):
                print("  " + _describe(device))
    finally:
        storage.close()
    return 0


def revoke(args: argparse.Namespace) -> int:
    storage = open_storage(args.data, args.database, must_exist=True)
    try:
        vault_ids = [args.vault] if args.vault else [vault.vault_id for vault in storage.list_vaults()]
        holding = [v for v in vault_ids if any(d.device_id == args.device for d in storage.list_devices(v))]
        if not holding:
            raise UsageError(f"No vault on this hub has a laptop with the id {args.device}.")
        if len(holding) > 1:
            raise UsageError(f"Several vaults have a laptop with the id {args.device}; choose one with --vault.")
        try:
            storage.revoke_device(holding[0], args.device, time.time(), None)
        except RevokeRefusedError as refused:
            raise UsageError(f"The hub did not revoke {args.device}: {OPERATOR_REFUSALS[refused.reason]}.") from None
    finally:
        storage.close()
    print(f"revoked: {args.device} (vault {holding[0]})", flush=True)
    return 0


def _describe(device: DeviceRecord) -> str:
    seen = _when(device.last_seen) if device.last_seen is not None else "never"
    status = "revoked" if device.revoked else "active"
    name = "".join(char if char.isprintable() else "?" for char in device.name)
    return f"{device.device_id}  {status:7}  joined {_when(device.created)}  last seen {seen}  {name}"


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")
