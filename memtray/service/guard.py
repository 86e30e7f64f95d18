"""The secret guard as the person meets it: the files held back on this laptop, "Send anyway", and the setting
that turns the guard off for one folder (on this laptop only: it lives in this laptop's config). What is held
back and why is decided while sending (see memtray/sync/held.py)."""

from __future__ import annotations

from memtray.errors import UsageError
from memtray.model import HeldFile
from memtray.service.base import ServiceBase
from memtray.service.lock import HomeLock
from memtray.sync.held import HeldStore, held_files


class Guard:
    def __init__(self, service: ServiceBase) -> None:
        self._service = service

    def held_files(self) -> list[HeldFile]:
        if not self._service.is_set_up():
            return []
        return held_files(self._service.index)

    def send_anyway(self, folder_id: str, path: str) -> None:
        """The file's version held now goes at the next sync (a later edit is checked again)."""
        service = self._service
        with HomeLock(service.home.lock_file), service.index.transaction():
            allowed = HeldStore(service.index.db).allow(folder_id, path)
        if not allowed:
            raise UsageError(
                f"{path} is not held back, so there is nothing to send anyway. "
                "'memtray status' lists the files that are held back."
            )

    def secret_guard_on(self, folder_name: str) -> bool:
        return self._folder_id(folder_name) not in self._service.config.secret_guard_off

    def set_secret_guard(self, folder_name: str, on: bool) -> None:
        """Turn the guard on or off for one folder, on this laptop; with it off, its files are sent unchecked."""
        folder_id = self._folder_id(folder_name)
        config = self._service.config
        off = [other for other in config.secret_guard_off if other != folder_id]
        config.secret_guard_off = off if on else [*off, folder_id]
        self._service.save_config()

    def _folder_id(self, name: str) -> str:
        for folder_id, folder in self._service.index.folder_defs().items():
            if folder.name == name and not folder.removed:
                return folder_id
        raise UsageError(f"There is no folder called '{name}'. 'memtray folder list' shows the folders.")
