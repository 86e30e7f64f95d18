"""Tying this laptop to a vault: a new vault (``init``), joining one (``join``), and the setup code that lets
another laptop join.

A laptop is tied to its vault only at the very end (``_bind``: keychain entries, the pinned key file, then the
config, which is the commit), so a setup that fails leaves nothing behind and can simply be tried again.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable

from memtray.errors import AlreadySetUpError, KeychainError, KeychainMissingError, LocalFileError, UsageError
from memtray.hubs import hub_kind, needs_secret, normalise_hub_url
from memtray.hubs.base import Enrollment, Hub
from memtray.laptop_name import default_laptop_name
from memtray.model import InitResult, JoinResult, SyncResult
from memtray.service import keyfile
from memtray.service.base import (
    HUB_DEVICE_LABEL,
    PASSPHRASE,
    ServiceBase,
    open_hub_for,
    pin_for,
    secret_from_environment,
)
from memtray.service.config import Config
from memtray.service.folders import Folders
from memtray.service.projects import Projects
from memtray.service.setupcode import SetupCode, SetupCodes, ShortCode, join_target
from memtray.service.vault_finder import locate
from memtray.sync.index import Index, remove_index_files
from memtray.vault import keys as vault_keys
from memtray.vault.epochs import FIRST_EPOCH
from memtray.vault.keys import KeyFile

# A join that redeemed its one-time invite at a memtray hub keeps "<device id>:<token>" here until it succeeds.
PENDING_JOIN = "pending-join"


class Setup:
    def __init__(self, service: ServiceBase, folders: Folders, first_sync: Callable[[], SyncResult]) -> None:
        self._service = service
        self._folders = folders
        self._first_sync = first_sync

    def init(
        self,
        hub_url: str,
        passphrase: str,
        *,
        invite: str | None = None,
        device_name: str | None = None,
        hub_secret: str | None = None,
        allow_insecure_http: bool = False,
        tls_fingerprint: str | None = None,
    ) -> InitResult:
        self._refuse_if_set_up()
        url = normalise_hub_url(hub_url)
        pin = pin_for(url, tls_fingerprint)
        created = vault_keys.create_vault(passphrase)
        config = Config(
            created.keyfile.vault_id, uuid.uuid4().hex, device_name or default_laptop_name(), url, allow_insecure_http
        )
        config.tls_fingerprint = pin
        secret = self._enroll(
            config,
            hub_secret,
            lambda hub: hub.create_vault(_need_invite(invite), config.vault_id, config.device_id, HUB_DEVICE_LABEL),
        )
        hub = open_hub_for(config, secret)
        if hub_kind(url) == "folder":
            hub.create_root()  # type: ignore[attr-defined]
        if keyfile.latest_on_hub(hub) is not None:
            raise AlreadySetUpError("That storage already holds synced memory. Join it instead of starting anew.")
        keyfile.publish(hub, created.keyfile, None)
        self._finish(config, created.keyfile, passphrase, secret, hub)
        self._found_roster(created.vault_key)
        self._service.keep_unlock_key()
        return InitResult(config.vault_id, config.device_id, created.recovery_key)

    def join(
        self,
        hub_or_setup_code: str | SetupCode | ShortCode,
        passphrase: str,
        *,
        device_name: str | None = None,
        hub_secret: str | None = None,
        allow_insecure_http: bool = False,
        tls_fingerprint: str | None = None,
        storage_folder: str | None = None,
    ) -> JoinResult:
        """``storage_folder``: where the storage is, when the code names the vault and memtray did not find it."""
        self._refuse_if_set_up()
        given = join_target(hub_or_setup_code) if isinstance(hub_or_setup_code, str) else hub_or_setup_code
        code = locate(given, storage_folder)
        url = normalise_hub_url(code.hub_url)
        config = Config(code.vault_id, uuid.uuid4().hex, device_name or default_laptop_name(), url, allow_insecure_http)
        config.tls_fingerprint = pin_for(url, tls_fingerprint, code.tls_fingerprint)
        at_memtray_hub = hub_kind(url) == "memtray"
        if at_memtray_hub and not code.vault_id:
            raise UsageError("To join through a memtray server, paste the setup code from one of your other laptops.")
        pending = self._pending_join(code.vault_id) if at_memtray_hub else None
        secret: str | None
        if pending is not None:
            config.device_id, secret = pending
        else:
            secret = self._enroll(
                config,
                hub_secret,
                lambda hub: hub.join_vault(
                    _need_invite(code.invite), config.vault_id, config.device_id, HUB_DEVICE_LABEL
                ),
            )
            if at_memtray_hub and secret is not None:
                self._service.keychain.set(f"{code.vault_id}:{PENDING_JOIN}", f"{config.device_id}:{secret}")
        hub = open_hub_for(config, secret)
        on_hub = keyfile.require_on_hub(hub)
        vault_key = vault_keys.unlock(on_hub, passphrase, code.vault_id or None)
        config.vault_id = on_hub.vault_id
        self._sync_then_bind(config, on_hub, vault_key, passphrase, secret, hub)
        if at_memtray_hub:
            self._service.keychain.delete(f"{code.vault_id}:{PENDING_JOIN}")
        return JoinResult(config.vault_id, config.device_id, tuple(self._folders.folders()))

    def setup_codes(self) -> SetupCodes:
        """The codes another laptop joins with: a short one when the storage is a folder, and the full one.

        At a memtray hub the full code carries a new one-time invite, so each call uses up one of the few
        unused invites the hub allows."""
        config = self._service.config
        hub = self._service.hub()
        invite = hub.create_invite() if isinstance(hub, Enrollment) else None
        full = SetupCode(config.hub_url, config.vault_id, invite, config.tls_fingerprint).encode()
        short = ShortCode.for_vault(config.vault_id).encode() if hub_kind(config.hub_url) == "folder" else None
        return SetupCodes(short, full)

    def _refuse_if_set_up(self) -> None:
        if self._service.is_set_up():
            raise AlreadySetUpError("memtray is already set up on this laptop.")

    def _pending_join(self, vault_id: str) -> tuple[str, str] | None:
        """A join that redeemed its one-time invite but stopped (say, at a mistyped passphrase): reuse it."""
        try:
            stored = self._service.keychain.get(f"{vault_id}:{PENDING_JOIN}")
        except KeychainError:
            return None
        if not stored or ":" not in stored:
            return None
        device_id, token = stored.split(":", 1)
        return device_id, token

    def _enroll(self, config: Config, hub_secret: str | None, redeem: Callable[[Enrollment], str]) -> str | None:
        """The secret this laptop will use: the one given, or at a memtray hub the token ``redeem`` obtains."""
        kind = hub_kind(config.hub_url)
        if needs_secret(kind) and not secret_from_environment() and not self._service.keychain.available():
            raise KeychainMissingError(
                "memtray needs the keychain to keep the password of your storage safe, and this computer has none. "
                "Set MEMTRAY_HUB_SECRET for automation, or install a keychain (Secret Service)."
            )
        if kind != "memtray":
            return hub_secret
        hub = open_hub_for(config, None)
        assert isinstance(hub, Enrollment)
        return redeem(hub)

    def _finish(self, config: Config, pinned: KeyFile, passphrase: str, secret: str | None, hub: Hub) -> None:
        service = self._service
        service.home.ensure()
        service.take_up(config, hub, passphrase)
        self._bind(pinned, passphrase, secret)
        service.index.put_device(config.device_id, config.device_name, sys.platform, 0, time.time(), {})

    def _found_roster(self, vault_key: bytes) -> None:
        """The first laptop of a new vault starts its roster at once (a laptop joining adds itself at its first
        sync; see membership.py)."""
        service = self._service
        service.unlocked_with(FIRST_EPOCH, vault_key)
        _, news = service.members.refresh(service.epoch_keys())
        service.members.told(news)

    def _sync_then_bind(
        self, config: Config, pinned: KeyFile, vault_key: bytes, passphrase: str, secret: str | None, hub: Hub
    ) -> None:
        """A joining laptop's first sync runs on an index in a staging file and binds nothing; only once it
        succeeded is the laptop tied to the vault, so a failed join leaves nothing behind and can be retried
        (with another hub, too). Preset folders are then placed where this laptop's agents keep their memory,
        and project folders at their projects' checkouts here; their files arrive at the next sync."""
        service = self._service
        service.home.ensure()
        staging = service.home.data_dir / "joining.sqlite3"
        remove_index_files(staging)
        service.take_up(config, hub, passphrase, index=Index(staging))
        try:
            service.unlocked_with(pinned.epoch, vault_key)
            service.index.put_device(config.device_id, config.device_name, sys.platform, 0, time.time(), {})
            self._first_sync()
            self._folders.place_presets()
            Projects(service).place_waiting_folders()
            service.close_index_for_move()
        except BaseException:
            service.give_up()
            remove_index_files(staging)
            raise
        try:
            remove_index_files(service.home.index_file)
            os.replace(staging, service.home.index_file)
        except OSError as exc:
            raise LocalFileError(f"memtray could not put its index in place: {exc.strerror or exc}.") from exc
        self._bind(pinned, passphrase, secret)

    def _bind(self, pinned: KeyFile, passphrase: str, secret: str | None) -> None:
        """Tie this laptop to its vault: keychain entries, the pinned key file, and the config (the commit) last."""
        service = self._service
        if secret is not None:
            service.remember_hub_secret(secret)
        service.remember(PASSPHRASE, passphrase, required=False)
        keyfile.save_pin(service.home.keyfile_pin, pinned)
        service.keep_unlock_key()
        service.save_config()


def _need_invite(invite: str | None) -> str:
    if not invite:
        raise UsageError(
            "A memtray server needs a server password (an invite code). Whoever runs the server gets one with "
            "'memtray hub invite'."
        )
    return invite
