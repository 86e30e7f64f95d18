"""The vault's key file on the hub and this laptop's pinned copy of it.

A laptop unlocks with its pinned copy, so a hub cannot swap keys under it. A newer key file on
the hub (a passphrase changed on another laptop) is only adopted after it authenticates under
the vault key this laptop already holds, and never one older than the pin.
"""

from __future__ import annotations

from pathlib import Path

from memtray.errors import (
    HostileKeyFileError,
    LocalFileError,
    NotSetUpError,
    ObjectExistsError,
    ObjectMissingError,
)
from memtray.hubs.base import Hub
from memtray.hubs.keys import KEYFILE_PREFIX, keyfile_key
from memtray.paths import make_private_folder, write_private_atomic
from memtray.vault.keys import KeyFile, verify_keyfile


def latest_on_hub(hub: Hub) -> KeyFile | None:
    keys = hub.list(KEYFILE_PREFIX)
    if not keys:
        return None
    try:
        keyfile = KeyFile.from_bytes(hub.get(keys[-1]))
    except ObjectMissingError:
        return None
    if keyfile_key(keyfile.generation) != keys[-1]:
        raise HostileKeyFileError("The key file in your storage is stored under the wrong name, so it was refused.")
    return keyfile


def require_on_hub(hub: Hub) -> KeyFile:
    keyfile = latest_on_hub(hub)
    if keyfile is None:
        raise NotSetUpError("There is no synced memory in that storage yet. Start it on your first laptop.")
    return keyfile


def newest_trusted(hub: Hub, pinned: KeyFile, vault_key: bytes) -> KeyFile:
    """The hub's key file if it is newer and authentic under ``vault_key``, else the pinned one."""
    on_hub = latest_on_hub(hub)
    if on_hub is None or on_hub.generation <= pinned.generation:
        return pinned
    verify_keyfile(on_hub, vault_key)
    return on_hub


def publish(hub: Hub, keyfile: KeyFile, previous: KeyFile | None) -> None:
    try:
        hub.put_new(keyfile_key(keyfile.generation), keyfile.to_bytes())
    except ObjectExistsError as exc:
        raise HostileKeyFileError(
            "Another laptop changed the keys of your synced memory at the same moment. Sync, then try again."
        ) from exc
    if previous is not None:
        for key in hub.list(KEYFILE_PREFIX):
            if key < keyfile_key(keyfile.generation):
                hub.delete(key)


def load_pin(path: Path) -> KeyFile:
    try:
        return KeyFile.from_bytes(path.read_bytes())
    except FileNotFoundError as exc:
        raise NotSetUpError("This laptop's copy of the key file is missing. Join your synced memory again.") from exc


def save_pin(path: Path, keyfile: KeyFile) -> None:
    """Keep ``keyfile`` as this laptop's pin, readable only by its owner (it invites passphrase guessing)."""
    try:
        make_private_folder(path.parent)
        write_private_atomic(path, keyfile.to_bytes())
    except OSError as exc:
        raise LocalFileError(f"memtray could not save its copy of the key file: {exc.strerror or exc}.") from exc
