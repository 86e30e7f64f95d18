"""``memtray devices [remove|rename]``, ``passphrase change``, ``recovery use``: who is in the vault, how to get in."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

from memtray.cli.base import (
    add_command,
    new_passphrase,
    open_service,
    print_json,
    print_recovery_key,
    show_usage,
    when,
)
from memtray.errors import UsageError

if TYPE_CHECKING:
    from memtray.cli.base import SubCommands


def register(commands: SubCommands) -> None:
    devices = add_command(commands, "devices", cmd_devices, "list the laptops in the vault")
    devices.add_argument("--json", action="store_true")
    device_actions = devices.add_subparsers(title="device commands", metavar="ACTION")
    for action in ("remove", "revoke"):
        remove = add_command(
            device_actions,
            action,
            cmd_devices_remove,
            "remove laptop NAME: your synced memory gets a new key it never sees, under a new passphrase "
            "(from the prompt, or MEMTRAY_NEW_PASSPHRASE)" + (" (same as remove)" if action == "revoke" else ""),
        )
        remove.add_argument("name", metavar="NAME")
    rename = add_command(device_actions, "rename", cmd_devices_rename, "call this laptop NAME on all your laptops")
    rename.add_argument("name", metavar="NAME")

    passphrase = add_command(commands, "passphrase", lambda args: show_usage(passphrase), "change the vault passphrase")
    passphrase_actions = passphrase.add_subparsers(title="passphrase commands", metavar="ACTION")
    add_command(
        passphrase_actions,
        "change",
        cmd_passphrase_change,
        "set a new passphrase (the vault key is re-wrapped)",
    )

    recovery = add_command(commands, "recovery", lambda args: show_usage(recovery), "use the recovery key")
    recovery_actions = recovery.add_subparsers(title="recovery commands", metavar="ACTION")
    add_command(
        recovery_actions, "use", cmd_recovery_use, "regain access with the recovery key and set a new passphrase"
    )


def cmd_devices(args: argparse.Namespace) -> int:
    devices = open_service(args).devices()
    if args.json:
        print_json([asdict(device) for device in devices])
        return 0
    for device in devices:
        marks = " (this laptop)" if device.this_device else ""
        marks += " (removed)" if device.revoked or not device.member else ""
        key = f" · key {device.fingerprint}" if device.fingerprint else ""
        print(f"{device.name}{marks} · {device.platform} · last seen {when(device.last_seen)}{key}")
    return 0


def cmd_devices_remove(args: argparse.Namespace) -> int:
    service = open_service(args)
    result = service.remove_laptop(args.name, new_passphrase("MEMTRAY_NEW_PASSPHRASE"))
    print(
        f"'{result.name}' was removed. Your synced memory has a new key it never gets; your other laptops pick it up "
        "at their next sync. New laptops join with the new passphrase. Files it already had stay on it."
    )
    print_recovery_key(result.recovery_key)
    return 0


def cmd_devices_rename(args: argparse.Namespace) -> int:
    name = open_service(args).rename_laptop(args.name)
    print(f"This laptop is now called '{name}'. Your other laptops show the new name after its next sync.")
    return 0


def cmd_passphrase_change(args: argparse.Namespace) -> int:
    service = open_service(args)
    old = service.passphrase("change")
    service.change_passphrase(old, new_passphrase("MEMTRAY_NEW_PASSPHRASE"))
    print("Passphrase changed. Your other laptops keep working; new laptops join with the new passphrase.")
    return 0


def cmd_recovery_use(args: argparse.Namespace) -> int:
    service = open_service(args)
    key = os.environ.get("MEMTRAY_RECOVERY_KEY")
    if not key:
        if not sys.stdin or not sys.stdin.isatty():
            raise UsageError("Type the recovery key at the prompt, or set MEMTRAY_RECOVERY_KEY.")
        key = getpass.getpass("Recovery key: ")
    service.recover(key, new_passphrase("MEMTRAY_NEW_PASSPHRASE"))
    print("Access restored with your recovery key, and the new passphrase is set.")
    return 0
