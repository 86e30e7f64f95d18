"""The one API both the CLI and the tray app use. Returns plain dataclasses, raises memtray errors."""

from __future__ import annotations

import os
import socket
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from memtray import history, vaultfile
from memtray.config import Config, load_config, save_config
from memtray.errors import (
    AlreadySetUpError,
    KeychainError,
    KeychainMissingError,
    MemtrayError,
    NotSetUpError,
    PassphraseError,
    UsageError,
)
from memtray.hubs import hub_kind, normalise_hub_url, open_hub
from memtray.hubs.base import ChangeFeed, Enrollment, Hub
from memtray.keychain import Keychain
from memtray.model import (
    DeviceInfo,
    FolderInfo,
    InitResult,
    JoinResult,
    ProgressCallback,
    Status,
    SyncResult,
)
from memtray.osrules import current_rules
from memtray.paths import Home
from memtray.setupcode import SetupCode, decode_setup_code, looks_like_setup_code
from memtray.sync.engine import SyncContext, SyncEngine
from memtray.sync.index import Index
from memtray.sync.lock import HomeLock
from memtray.sync.records import FolderDef
from memtray.vault import keys as vault_keys
from memtray.vault.keys import KeyFile, VaultKeys

PASSPHRASE = "passphrase"
HUB_SECRET = "hub-secret"
PENDING_JOIN = "pending-join"
NEEDS_SECRET = ("memtray", "webdav", "s3")
DAY = 24 * 60 * 60
# Device names live only inside ciphertext; the hub enrolls every laptop under this label.
HUB_DEVICE_LABEL = "laptop"
UNNAMED_DEVICE = "Another laptop (its name arrives with the next sync)"
AskPassphrase = Callable[[str], str | None]


class Service(history.HistoryMixin):
    def __init__(self, home: Home, *, ask_passphrase: AskPassphrase | None = None) -> None:
        self.home = home
        self.keychain = Keychain(home.keychain_scope)
        self.ask_passphrase = ask_passphrase
        self._config = load_config(home.config_file)
        self._index: Index | None = None
        self._hub: Hub | None = None
        self._keys: VaultKeys | None = None
        self._run_passphrase: str | None = None

    def is_set_up(self) -> bool:
        return self._config is not None

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        if self._hub is not None:
            self._hub.close()
            self._hub = None

    @property
    def config(self) -> Config:
        if self._config is None:
            raise NotSetUpError("memtray is not set up on this laptop yet. Start a new vault or join one first.")
        return self._config

    @property
    def index(self) -> Index:
        if self._index is None:
            self.home.ensure()
            self._index = Index(self.home.index_file)
        return self._index

    def _save(self) -> None:
        save_config(self.home.config_file, self.config)

    def _secret(self) -> str | None:
        from_env = os.environ.get("MEMTRAY_HUB_SECRET")
        if from_env:
            return from_env
        if hub_kind(self.config.hub_url) not in NEEDS_SECRET:
            return None
        return self.keychain.get(f"{self.config.vault_id}:{HUB_SECRET}")

    def hub(self) -> Hub:
        if self._hub is None:
            config = self.config
            self._hub = open_hub(
                config.hub_url,
                vault_id=config.vault_id,
                device_id=config.device_id,
                secret=self._secret(),
                allow_insecure_http=config.allow_insecure_http,
            )
        return self._hub

    def _remember(self, name: str, value: str, required: bool) -> None:
        try:
            self.keychain.set(f"{self.config.vault_id}:{name}", value)
        except KeychainError:
            if required:
                raise

    def passphrase(self, reason: str) -> str:
        """The passphrase from the environment, the keychain, this run's memory or the person."""
        for candidate in (os.environ.get("MEMTRAY_PASSPHRASE"), self._run_passphrase):
            if candidate:
                return candidate
        try:
            stored = self.keychain.get(f"{self.config.vault_id}:{PASSPHRASE}")
        except KeychainError:
            stored = None
        if stored:
            return stored
        asked = self.ask_passphrase(reason) if self.ask_passphrase else None
        if not asked:
            raise PassphraseError(
                "memtray needs your passphrase to unlock the vault, and none was given.",
                title="Passphrase needed",
            )
        self._run_passphrase = asked
        return asked

    def vault_keys(self) -> VaultKeys:
        if self._keys is None:
            pin = vaultfile.load_pin(self.home.keyfile_pin)
            try:
                vault_key = vault_keys.unlock(pin, self.passphrase("unlock"), self.config.vault_id)
            except PassphraseError:
                self._run_passphrase = None
                raise
            self._keys = VaultKeys.derive(self.config.vault_id, vault_key)
        return self._keys

    def _vault_key(self, passphrase: str) -> tuple[KeyFile, bytes]:
        pin = vaultfile.load_pin(self.home.keyfile_pin)
        vault_key = vault_keys.unlock(pin, passphrase, self.config.vault_id)
        return vaultfile.newest_trusted(self.hub(), pin, vault_key), vault_key

    def _adopt_keyfile(self, keyfile: KeyFile, previous: KeyFile, passphrase: str | None) -> None:
        vaultfile.publish(self.hub(), keyfile, previous)
        vaultfile.save_pin(self.home.keyfile_pin, keyfile)
        if passphrase is not None:
            self._remember(PASSPHRASE, passphrase, required=False)
            self._run_passphrase = passphrase if self._run_passphrase else None

    def init(
        self,
        hub_url: str,
        passphrase: str,
        *,
        invite: str | None = None,
        device_name: str | None = None,
        hub_secret: str | None = None,
        allow_insecure_http: bool = False,
    ) -> InitResult:
        if self.is_set_up():
            raise AlreadySetUpError("memtray is already set up on this laptop.")
        url = normalise_hub_url(hub_url)
        created = vault_keys.create_vault(passphrase)
        config = Config(
            created.keyfile.vault_id, uuid.uuid4().hex, device_name or socket.gethostname(), url, allow_insecure_http
        )
        secret = self._enroll(
            config,
            hub_secret,
            lambda hub: hub.create_vault(_need_invite(invite), config.vault_id, config.device_id, HUB_DEVICE_LABEL),
        )
        hub = open_hub(
            url,
            vault_id=config.vault_id,
            device_id=config.device_id,
            secret=secret,
            allow_insecure_http=allow_insecure_http,
        )
        if hub_kind(url) == "folder":
            hub.create_root()  # type: ignore[attr-defined]
        if vaultfile.latest_on_hub(hub) is not None:
            raise AlreadySetUpError("That hub already holds a memtray vault. Join it instead of starting a new one.")
        vaultfile.publish(hub, created.keyfile, None)
        self._finish_setup(config, created.keyfile, passphrase, secret, hub)
        return InitResult(config.vault_id, config.device_id, created.recovery_key)

    def join(
        self,
        hub_or_setup_code: str,
        passphrase: str,
        *,
        device_name: str | None = None,
        hub_secret: str | None = None,
        allow_insecure_http: bool = False,
    ) -> JoinResult:
        if self.is_set_up():
            raise AlreadySetUpError("memtray is already set up on this laptop.")
        if looks_like_setup_code(hub_or_setup_code):
            code = decode_setup_code(hub_or_setup_code)
        else:
            code = SetupCode(normalise_hub_url(hub_or_setup_code), "", None)
        url = normalise_hub_url(code.hub_url)
        config = Config(code.vault_id, uuid.uuid4().hex, device_name or socket.gethostname(), url, allow_insecure_http)
        if hub_kind(url) == "memtray" and not code.vault_id:
            raise UsageError("To join through a memtray hub, paste the setup code from one of your other laptops.")
        pending = self._pending_join(code.vault_id) if hub_kind(url) == "memtray" else None
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
            if hub_kind(url) == "memtray" and secret is not None:
                self.keychain.set(f"{code.vault_id}:{PENDING_JOIN}", f"{config.device_id}:{secret}")
        hub = open_hub(
            url,
            vault_id=config.vault_id or None,
            device_id=config.device_id,
            secret=secret,
            allow_insecure_http=allow_insecure_http,
        )
        keyfile = vaultfile.require_on_hub(hub)
        vault_keys.unlock(keyfile, passphrase, code.vault_id or None)
        config.vault_id = keyfile.vault_id
        self._finish_setup(config, keyfile, passphrase, secret, hub)
        if pending is not None or hub_kind(url) == "memtray":
            self.keychain.delete(f"{code.vault_id}:{PENDING_JOIN}")
        self.sync()
        return JoinResult(config.vault_id, config.device_id, tuple(self.folders()))

    def _pending_join(self, vault_id: str) -> tuple[str, str] | None:
        """A join that redeemed its one-time invite but stopped (say, at a mistyped passphrase): reuse it."""
        try:
            stored = self.keychain.get(f"{vault_id}:{PENDING_JOIN}")
        except KeychainError:
            return None
        if not stored or ":" not in stored:
            return None
        device_id, token = stored.split(":", 1)
        return device_id, token

    def _enroll(self, config: Config, hub_secret: str | None, redeem: Callable[[Any], str]) -> str | None:
        kind = hub_kind(config.hub_url)
        if kind in NEEDS_SECRET and not os.environ.get("MEMTRAY_HUB_SECRET") and not self.keychain.available():
            raise KeychainMissingError(
                "memtray needs the keychain to keep this hub's access key safe, and this computer has none. "
                "Set MEMTRAY_HUB_SECRET for automation, or install a keychain (Secret Service)."
            )
        if kind != "memtray":
            return hub_secret
        hub = open_hub(
            config.hub_url,
            vault_id=config.vault_id or None,
            device_id=config.device_id,
            secret=None,
            allow_insecure_http=config.allow_insecure_http,
        )
        assert isinstance(hub, Enrollment)
        return redeem(hub)

    def _finish_setup(self, config: Config, keyfile: KeyFile, passphrase: str, secret: str | None, hub: Hub) -> None:
        self.home.ensure()
        vaultfile.save_pin(self.home.keyfile_pin, keyfile)
        self._config = config
        self._save()
        self._hub = hub
        if secret is not None:
            self._remember(HUB_SECRET, secret, required=not os.environ.get("MEMTRAY_HUB_SECRET"))
        self._remember(PASSPHRASE, passphrase, required=False)
        self._run_passphrase = passphrase
        self.index.put_device(config.device_id, config.device_name, sys.platform, 0, time.time(), {})

    def setup_code(self) -> str:
        config = self.config
        hub = self.hub()
        invite = hub.create_invite() if isinstance(hub, Enrollment) else None
        return SetupCode(config.hub_url, config.vault_id, invite).encode()

    def _definitions(self) -> dict[str, FolderDef]:
        return {fid: folder for fid, folder in self.index.folder_defs().items() if not folder.removed}

    def _by_name(self, name: str) -> FolderDef:
        for folder in self._definitions().values():
            if folder.name == name:
                return folder
        raise UsageError(f"There is no folder called '{name}'. 'memtray folder list' shows the folders.")

    def _folder_info(self, folder: FolderDef) -> FolderInfo:
        path = self.config.folder_paths.get(folder.folder_id)
        return FolderInfo(
            folder.folder_id,
            folder.name,
            path,
            tuple(folder.include),
            tuple(folder.exclude),
            self.index.count_files(folder.folder_id),
        )

    def folders(self) -> list[FolderInfo]:
        return sorted((self._folder_info(f) for f in self._definitions().values()), key=lambda info: info.name.lower())

    def _place(self, folder_id: str, path: str) -> str:
        target = Path(path).expanduser().resolve()
        for other_id, other in self.config.folder_paths.items():
            other_path = Path(other)
            if other_id != folder_id and (
                target == other_path or other_path in target.parents or target in other_path.parents
            ):
                raise UsageError(
                    f"{target} overlaps a folder memtray already syncs ({other_path}). Pick another place."
                )
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"memtray could not use {target}: {exc.strerror}.") from exc
        return str(target)

    def add_folder(self, name: str, path: str, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> FolderInfo:
        name = name.strip()
        if not name or any(f.name == name for f in self._definitions().values()):
            raise UsageError(f"A folder needs a name that is not used yet; '{name}' is taken or empty.")
        folder = FolderDef(
            uuid.uuid4().hex, name, list(include), list(exclude), False, (time.time(), self.config.device_id)
        )
        self.config.folder_paths[folder.folder_id] = self._place(folder.folder_id, path)
        self.index.put_folder_def(folder, pending=True)
        self._save()
        return self._folder_info(folder)

    def map_folder(self, name: str, path: str) -> FolderInfo:
        folder = self._by_name(name)
        place = self._place(folder.folder_id, path)
        if self.config.folder_paths.get(folder.folder_id) != place:
            with HomeLock(self.home.lock_file):
                self.index.forget_disk(folder.folder_id)
                self.config.folder_paths[folder.folder_id] = place
                self._save()
        return self._folder_info(folder)

    def edit_folder(
        self, name: str, *, include: Sequence[str] | None = None, exclude: Sequence[str] | None = None
    ) -> FolderInfo:
        folder = self._by_name(name)
        if include is not None:
            folder.include = list(include)
        if exclude is not None:
            folder.exclude = list(exclude)
        folder.stamp = (time.time(), self.config.device_id)
        self.index.put_folder_def(folder, pending=True)
        return self._folder_info(folder)

    def remove_folder(self, name: str) -> None:
        folder = self._by_name(name)
        folder.removed = True
        folder.stamp = (time.time(), self.config.device_id)
        self.index.put_folder_def(folder, pending=True)
        self.config.folder_paths.pop(folder.folder_id, None)
        self._save()

    def sync(self, *, progress: ProgressCallback | None = None, allow_mass_delete: bool = False) -> SyncResult:
        config = self.config
        self.vault_keys()
        with HomeLock(self.home.lock_file):
            context = SyncContext(
                hub=self.hub(),
                index=self.index,
                me=config.device_id,
                device_name=config.device_name,
                folder_roots={fid: Path(path) for fid, path in config.folder_paths.items()},
                policy=str(config.setting("conflict_policy")),
                rules=current_rules(),
                keys=self.vault_keys,
                progress=progress,
                allow_mass_delete=allow_mass_delete,
            )
            try:
                result = SyncEngine(context).run()
            except MemtrayError as exc:
                self.index.set_meta("last_error", exc.message)
                raise
            now = time.time()
            self.index.set_meta("last_error", "")
            self.index.set_meta("last_sync", str(now))
            if float(self.index.get_meta("last_prune", "0") or 0) < now - DAY:
                self.index.prune_versions(now - DAY * int(config.setting("history_days")))
                self.index.set_meta("last_prune", str(now))
            return result

    def status(self) -> Status:
        if not self.is_set_up():
            return Status(set_up=False)
        config = self.config
        last = self.index.get_meta("last_sync")
        return Status(
            set_up=True,
            vault_id=config.vault_id,
            device_id=config.device_id,
            device_name=config.device_name,
            hub_url=config.hub_url,
            hub_kind=hub_kind(config.hub_url),
            folders=tuple(self.folders()),
            last_sync=float(last) if last else None,
            last_error=self.index.get_meta("last_error") or None,
            pending_changes=len(self.index.pending_files()),
            open_conflicts=sum(1 for conflict in self.index.conflicts() if not conflict[8]),
            problems=tuple(self.sync_problems()),
            paused=bool(config.setting("paused")),
        )

    def devices(self) -> list[DeviceInfo]:
        """Laptops seen in the logs, plus (on a memtray hub) the ones the hub enrolled, with revocations."""
        me = self.config.device_id
        found = {
            device_id: DeviceInfo(device_id, name, platform, seen, device_id == me)
            for device_id, name, platform, _, seen, _ in self.index.devices()
        }
        hub = self.hub()
        if isinstance(hub, Enrollment):
            for enrolled in hub.list_devices():
                known = found.get(enrolled.device_id)
                found[enrolled.device_id] = DeviceInfo(
                    enrolled.device_id,
                    known.name if known else UNNAMED_DEVICE,
                    known.platform if known else "",
                    max(filter(None, (enrolled.last_seen, known.last_seen if known else None)), default=None),
                    enrolled.device_id == me,
                    enrolled.revoked,
                )
        return sorted(found.values(), key=lambda device: (not device.this_device, device.name.lower()))

    def revoke_device(self, name_or_id: str) -> None:
        matches = [d for d in self.devices() if name_or_id in (d.name, d.device_id)]
        if not matches:
            raise UsageError(f"There is no laptop called '{name_or_id}' in this vault.")
        if len(matches) > 1:
            raise UsageError(f"More than one laptop is called '{name_or_id}'. Use its device id instead.")
        if matches[0].this_device:
            raise UsageError("A laptop cannot remove itself. Do it from another laptop of the vault.")
        hub = self.hub()
        if not isinstance(hub, Enrollment):
            raise UsageError(
                "This kind of hub has no per-laptop access to take away. To lock a lost laptop out, change the "
                "hub's password or storage keys, and change your passphrase."
            )
        hub.revoke_device(matches[0].device_id)

    def change_passphrase(self, old: str, new: str) -> None:
        keyfile, vault_key = self._vault_key(old)
        self._adopt_keyfile(vault_keys.rewrap(keyfile, vault_key, new), keyfile, new)

    def recover(self, recovery_key: str, new_passphrase: str) -> None:
        pin = vaultfile.load_pin(self.home.keyfile_pin)
        vault_key = vault_keys.unlock_with_recovery(pin, recovery_key, self.config.vault_id)
        keyfile = vaultfile.newest_trusted(self.hub(), pin, vault_key)
        self._adopt_keyfile(vault_keys.rewrap(keyfile, vault_key, new_passphrase), keyfile, new_passphrase)

    def new_recovery_key(self, passphrase: str) -> str:
        keyfile, vault_key = self._vault_key(passphrase)
        replaced, recovery_key = vault_keys.replace_recovery(keyfile, vault_key)
        self._adopt_keyfile(replaced, keyfile, None)
        return recovery_key

    def get_setting(self, key: str) -> Any:
        return self.config.setting(key)

    def set_setting(self, key: str, value: Any) -> None:
        try:
            self.config.set_setting(key, value)
        except (KeyError, ValueError) as exc:
            raise UsageError(f"That setting was not changed: {exc}.") from exc
        self._save()

    def hub_info(self) -> tuple[str, str]:
        return hub_kind(self.config.hub_url), self.config.hub_url

    def set_hub(self, url: str, secret: str | None) -> None:
        self.config.hub_url = normalise_hub_url(url)
        if secret is not None:
            self._remember(HUB_SECRET, secret, required=True)
        self._save()
        if self._hub is not None:
            self._hub.close()
            self._hub = None

    def test_hub(self, url: str | None = None, secret: str | None = None, allow_insecure_http: bool = False) -> str:
        if url is None:
            hub = self.hub()
        else:
            config = self._config
            hub = open_hub(
                normalise_hub_url(url),
                vault_id=config.vault_id if config else None,
                device_id=config.device_id if config else None,
                secret=secret,
                allow_insecure_http=allow_insecure_http,
            )
        keyfile = vaultfile.latest_on_hub(hub)
        if keyfile is None:
            return "memtray reached the hub. It holds no vault yet."
        if self._config is not None and keyfile.vault_id == self._config.vault_id:
            return "memtray reached the hub and found your vault."
        return "memtray reached the hub. It holds a memtray vault."

    def change_feed(self) -> ChangeFeed | None:
        """A connection of its own to the hub's change feed (it blocks in long-polls), if the hub has one."""
        config = self.config
        hub = open_hub(
            config.hub_url,
            vault_id=config.vault_id,
            device_id=config.device_id,
            secret=self._secret(),
            allow_insecure_http=config.allow_insecure_http,
        )
        if isinstance(hub, ChangeFeed):
            return hub
        hub.close()
        return None


def _need_invite(invite: str | None) -> str:
    if not invite:
        raise UsageError("A memtray hub needs an invite code. The hub's owner gets one with 'memtray hub invite'.")
    return invite
