"""Undoing a join the person cancelled in the setup wizard before choosing where the folders go on this laptop.

The join tied the laptop to the vault (config, pinned key file, index, keychain entries), made the folders it
placed, and sent one log entry that only says this laptop exists; no file was written or sent. Cancelling removes
what the join left on this laptop, config first (it is what makes the laptop set up), so a cancel that stops
half-way still leaves a laptop that is not set up; of the placed folders, those still empty go (with their empty
parents, up to the home folder), anything holding a file stays. At a memtray hub the laptop's token is kept in the
keychain as a pending join: joining again with the same setup code reuses it, with the same identity, instead of
needing a new invite.
"""

from __future__ import annotations

from pathlib import Path

from memtray.errors import KeychainError, LocalFileError
from memtray.hubs import hub_kind
from memtray.service.base import HUB_SECRET, PASSPHRASE, ServiceBase
from memtray.service.lock import HomeLock
from memtray.service.sealed_store import store_file
from memtray.service.setup import PENDING_JOIN
from memtray.service.unlock_cache import UNLOCK_KEY
from memtray.sync.index import remove_index_files


def cancel_join(service: ServiceBase) -> None:
    """Leave the vault this laptop just joined; nothing to do on a laptop that is not set up."""
    config = service.config_if_set_up
    if config is None:
        return
    with HomeLock(service.home.lock_file):
        if hub_kind(config.hub_url) == "memtray":
            token = service.secret()
            if token:
                service.keychain.set(f"{config.vault_id}:{PENDING_JOIN}", f"{config.device_id}:{token}")
        service.give_up()
        home = service.home
        try:
            home.config_file.unlink(missing_ok=True)
            home.keyfile_pin.unlink(missing_ok=True)
            remove_index_files(home.index_file)
        except OSError as exc:
            raise LocalFileError(
                f"memtray could not remove what it had set up on this laptop ({exc.strerror or exc})."
            ) from exc
        for place in config.folder_paths.values():
            _remove_if_empty(Path(place), Path.home())
        if service.uses_sealed_store():
            store_file(home.data_dir).unlink(missing_ok=True)  # its items go with it
            return
        for name in (PASSPHRASE, HUB_SECRET, UNLOCK_KEY):
            try:
                service.keychain.delete(f"{config.vault_id}:{name}")
            except KeychainError:
                continue


def _remove_if_empty(folder: Path, home: Path) -> None:
    """Remove ``folder`` and its parents below ``home`` while they are empty."""
    while folder != home and home in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
