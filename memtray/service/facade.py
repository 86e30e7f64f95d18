"""``Service``: the one API both the CLI and the tray app use. Returns plain dataclasses, raises memtray errors.

It is this laptop's shared parts (``ServiceBase``) and hands each request to the part that does it: setup,
folders, syncing and repair, devices and removing one, conflicts, the secret guard, passphrase and recovery key,
the hub, and ``history`` (activity, versions), which callers use as an object of its own.

Each part is made, and its module loaded, on first use: a command loads only the parts it asks for (a sync
that finds nothing to do starts in a fraction of a second, see tests/core/test_fast_cli.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from memtray.errors import UsageError
from memtray.hubs import hub_kind
from memtray.paths import Home
from memtray.service.base import AskPassphrase, ServiceBase

if TYPE_CHECKING:
    from memtray.hubs.base import ChangeFeed
    from memtray.model import (
        ConflictInfo,
        ConflictTexts,
        DeviceInfo,
        FolderInfo,
        HeldFile,
        InitResult,
        JoinResult,
        MassDeleteQuestion,
        ProgressCallback,
        ProjectInfo,
        RemovalResult,
        Status,
        SyncResult,
    )
    from memtray.service.conflicts import Conflicts
    from memtray.service.devices import Devices
    from memtray.service.folders import Folders
    from memtray.service.guard import Guard
    from memtray.service.history import History
    from memtray.service.hub_settings import HubSettings
    from memtray.service.projects import Projects
    from memtray.service.removal import Removal
    from memtray.service.security import Security
    from memtray.service.setup import Setup
    from memtray.service.setupcode import SetupCode, SetupCodes, ShortCode
    from memtray.service.syncing import Syncing
    from memtray.sync.watch_changes import ReportedChanges


class Service(ServiceBase):
    def __init__(self, home: Home, *, ask_passphrase: AskPassphrase | None = None) -> None:
        super().__init__(home, ask_passphrase=ask_passphrase)

    # The parts, each made on first use.

    @cached_property
    def _folders(self) -> Folders:
        from memtray.service.folders import Folders

        return Folders(self)

    @cached_property
    def _syncing(self) -> Syncing:
        from memtray.service.syncing import Syncing

        return Syncing(self)

    @cached_property
    def _setup(self) -> Setup:
        from memtray.service.setup import Setup

        return Setup(self, self._folders, lambda: self._syncing.sync(place_projects=False))

    @cached_property
    def _projects(self) -> Projects:
        from memtray.service.projects import Projects

        return Projects(self)

    @cached_property
    def _devices(self) -> Devices:
        from memtray.service.devices import Devices

        return Devices(self)

    @cached_property
    def _removal(self) -> Removal:
        from memtray.service.removal import Removal

        return Removal(self, self._devices, lambda: self._syncing.sync())

    @cached_property
    def _security(self) -> Security:
        from memtray.service.security import Security

        return Security(self)

    @cached_property
    def _hub_settings(self) -> HubSettings:
        from memtray.service.hub_settings import HubSettings

        return HubSettings(self)

    @cached_property
    def _history(self) -> History:
        from memtray.service.history import History

        return History(self)

    @cached_property
    def _conflicts(self) -> Conflicts:
        from memtray.service.conflicts import Conflicts

        return Conflicts(self, self._history)

    @cached_property
    def _guard(self) -> Guard:
        from memtray.service.guard import Guard

        return Guard(self)

    @property
    def history(self) -> History:
        return self._history

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
        return self._setup.init(
            hub_url,
            passphrase,
            invite=invite,
            device_name=device_name,
            hub_secret=hub_secret,
            allow_insecure_http=allow_insecure_http,
            tls_fingerprint=tls_fingerprint,
        )

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
        """Join through a setup code (as text, or decoded with ``join_target``) or a hub's address.

        A code that names the vault (a short one) is looked for in this laptop's cloud drives, or in
        ``storage_folder`` when the person says where it is (after a ``StorageNotFoundError``)."""
        return self._setup.join(
            hub_or_setup_code,
            passphrase,
            device_name=device_name,
            hub_secret=hub_secret,
            allow_insecure_http=allow_insecure_http,
            tls_fingerprint=tls_fingerprint,
            storage_folder=storage_folder,
        )

    def setup_code(self) -> str:
        """The full setup code (see ``setup_codes``)."""
        return self._setup.setup_codes().full

    def setup_codes(self) -> SetupCodes:
        """The short setup code (storage in a folder only) and the full one, for "Add a laptop"."""
        return self._setup.setup_codes()

    def folders(self) -> list[FolderInfo]:
        return self._folders.folders()

    def add_folder(self, name: str, path: str, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> FolderInfo:
        return self._folders.add(name, path, include, exclude)

    def map_folder(self, name: str, path: str) -> FolderInfo:
        return self._folders.map(name, path)

    def edit_folder(
        self, name: str, *, include: Sequence[str] | None = None, exclude: Sequence[str] | None = None
    ) -> FolderInfo:
        return self._folders.edit(name, include=include, exclude=exclude)

    def remove_folder(self, name: str) -> None:
        self._folders.remove(name)

    def add_preset_folder(self, preset: str, path: str | None = None) -> FolderInfo:
        """The agent preset's folder ("claude-code", "codex", "gemini-cli", "windsurf", "copilot"), as the setup
        wizard adds it: at ``path``, else where that agent keeps its memory on this laptop."""
        return self._folders.add_preset(preset, path)

    def projects(self) -> list[ProjectInfo]:
        """The projects the vault holds memory for, and where each lives on this laptop (see projects.py)."""
        return self._projects.projects()

    def link_project(self, project_id: str, path: str) -> ProjectInfo:
        """On this laptop, the project (its id, or its name if only one project has it) lives at ``path``."""
        return self._projects.link(project_id, path)

    def unlink_project(self, project_id: str) -> None:
        self._projects.unlink(project_id)

    def sync(
        self,
        *,
        progress: ProgressCallback | None = None,
        allow_mass_delete: bool = False,
        allowed_delete: MassDeleteQuestion | None = None,
        changes: ReportedChanges | None = None,
    ) -> SyncResult:
        """One sync. A result with ``mass_delete`` set changed nothing: it waits for the person's answer, which
        is a sync given that question as ``allowed_delete`` (``allow_mass_delete`` allows any). With a watcher's
        ``changes`` it looks only at the paths the watcher reported (see memtray/sync/watch_changes.py)."""
        return self._syncing.sync(
            progress=progress, allow_mass_delete=allow_mass_delete, allowed_delete=allowed_delete, changes=changes
        )

    def repair(self) -> SyncResult | None:
        """Carry on after the hub really lost data (see ``Syncing.repair``); None if nothing on it is damaged."""
        return self._syncing.repair()

    def status(self) -> Status:
        from memtray.model import Status
        from memtray.sync import quiet

        if not self.is_set_up():
            return Status(set_up=False)
        config = self.config
        synced = [float(self.index.get_meta("last_sync") or 0), quiet.last_answered(self.home) or 0]
        return Status(
            set_up=True,
            vault_id=config.vault_id,
            device_id=config.device_id,
            device_name=config.device_name,
            hub_url=config.hub_url,
            hub_kind=hub_kind(config.hub_url),
            folders=tuple(self.folders()),
            last_sync=max(synced) or None,
            last_error=self.index.get_meta("last_error") or None,
            pending_changes=len(self.index.pending_files()),
            open_conflicts=self.index.conflicts.open_count(),
            problems=tuple(self.history.sync_problems()),
            paused=bool(config.setting("paused")),
            held=tuple(self.held_files()),
        )

    def held_files(self) -> list[HeldFile]:
        """The files the secret guard holds back on this laptop: where, and what it found on which line."""
        return self._guard.held_files()

    def send_anyway(self, folder_id: str, path: str) -> None:
        """Send the held file as it is now, at the next sync (see memtray/sync/held.py)."""
        self._guard.send_anyway(folder_id, path)

    def secret_guard_on(self, folder_name: str) -> bool:
        return self._guard.secret_guard_on(folder_name)

    def set_secret_guard(self, folder_name: str, on: bool) -> None:
        """On this laptop, check the folder's files for secrets before sending them (on), or not (off)."""
        self._guard.set_secret_guard(folder_name, on)

    def conflicts(self) -> list[ConflictInfo]:
        """Every conflict on this laptop, newest first, resolved ones included."""
        return self._conflicts.conflicts()

    def conflict_texts(self, conflict_id: int) -> ConflictTexts:
        return self._conflicts.conflict_texts(conflict_id)

    def resolve_conflict(self, conflict_id: int, keep: str, text: str | None = None) -> None:
        """``keep``: "kept" (the file stays as it is), "other", "both" or "edited" (writes ``text``)."""
        self._conflicts.resolve_conflict(conflict_id, keep, text)

    def devices(self) -> list[DeviceInfo]:
        return self._devices.devices()

    def remove_laptop(self, name_or_id: str, new_passphrase: str) -> RemovalResult:
        """Remove another laptop for real (see removal.py): a new key it never gets, under ``new_passphrase`` and a
        new recovery key, returned to show once. The other laptops pick up the new key with no typing."""
        return self._removal.remove(name_or_id, new_passphrase)

    def rename_laptop(self, name: str) -> str:
        """Call this laptop ``name``; the other laptops show it after its next sync. Returns the name as kept."""
        return self._devices.rename(name)

    def cancel_join(self) -> None:
        """Undo a join the person cancelled before choosing where its folders go (see cancel_join.py)."""
        from memtray.service.cancel_join import cancel_join

        cancel_join(self)

    def change_passphrase(self, old: str, new: str) -> None:
        self._security.change_passphrase(old, new)

    def recover(self, recovery_key: str, new_passphrase: str) -> None:
        self._security.recover(recovery_key, new_passphrase)

    def new_recovery_key(self, passphrase: str) -> str:
        return self._security.new_recovery_key(passphrase)

    def get_setting(self, key: str) -> Any:
        return self.config.setting(key)

    def set_setting(self, key: str, value: Any) -> None:
        try:
            self.config.set_setting(key, value)
        except (KeyError, ValueError) as exc:
            raise UsageError(f"That setting was not changed: {exc}.") from exc
        self.save_config()

    def hub_info(self) -> tuple[str, str]:
        """This laptop's hub: its kind and its address."""
        return self._hub_settings.hub_info()

    def set_hub(self, url: str, secret: str | None, tls_fingerprint: str | None = None) -> None:
        self._hub_settings.set_hub(url, secret, tls_fingerprint)

    def test_hub(
        self,
        url: str | None = None,
        secret: str | None = None,
        allow_insecure_http: bool = False,
        tls_fingerprint: str | None = None,
    ) -> str:
        return self._hub_settings.test_hub(url, secret, allow_insecure_http, tls_fingerprint)

    def change_feed(self) -> ChangeFeed | None:
        return self._hub_settings.change_feed()
