"""The vault's folders: their definitions travel in the logs; where each one lives is this laptop's config."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from memtray.errors import UsageError
from memtray.model import FolderInfo
from memtray.service.base import ServiceBase
from memtray.service.lock import HomeLock
from memtray.sync.records import FolderDef


class Folders:
    def __init__(self, service: ServiceBase) -> None:
        self._service = service

    def folders(self) -> list[FolderInfo]:
        return sorted((self._info(f) for f in self._definitions().values()), key=lambda info: info.name.lower())

    def add(self, name: str, path: str, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> FolderInfo:
        name = name.strip()
        if not name or any(f.name == name for f in self._definitions().values()):
            raise UsageError(f"A folder needs a name that is not used yet; '{name}' is taken or empty.")
        config = self._service.config
        folder = FolderDef(uuid.uuid4().hex, name, list(include), list(exclude), False, (time.time(), config.device_id))
        config.folder_paths[folder.folder_id] = self._place(folder.folder_id, path)
        self._service.index.put_folder_def(folder, pending=True)
        self._service.save_config()
        return self._info(folder)

    def map(self, name: str, path: str) -> FolderInfo:
        service = self._service
        folder = self._by_name(name)
        place = self._place(folder.folder_id, path)
        if service.config.folder_paths.get(folder.folder_id) != place:
            with HomeLock(service.home.lock_file):
                service.index.forget_disk(folder.folder_id)
                service.config.folder_paths[folder.folder_id] = place
                service.save_config()
        return self._info(folder)

    def edit(
        self, name: str, *, include: Sequence[str] | None = None, exclude: Sequence[str] | None = None
    ) -> FolderInfo:
        folder = self._by_name(name)
        if include is not None:
            folder.include = list(include)
        if exclude is not None:
            folder.exclude = list(exclude)
        folder.stamp = (time.time(), self._service.config.device_id)
        self._service.index.put_folder_def(folder, pending=True)
        return self._info(folder)

    def remove(self, name: str) -> None:
        service = self._service
        folder = self._by_name(name)
        folder.removed = True
        folder.stamp = (time.time(), service.config.device_id)
        service.index.put_folder_def(folder, pending=True)
        service.config.folder_paths.pop(folder.folder_id, None)
        service.save_config()

    def _definitions(self) -> dict[str, FolderDef]:
        return {fid: folder for fid, folder in self._service.index.folder_defs().items() if not folder.removed}

    def _by_name(self, name: str) -> FolderDef:
        for folder in self._definitions().values():
            if folder.name == name:
                return folder
        raise UsageError(f"There is no folder called '{name}'. 'memtray folder list' shows the folders.")

    def _info(self, folder: FolderDef) -> FolderInfo:
        path = self._service.config.folder_paths.get(folder.folder_id)
        return FolderInfo(
            folder.folder_id,
            folder.name,
            path,
            tuple(folder.include),
            tuple(folder.exclude),
            self._service.index.count_files(folder.folder_id),
        )

    def _place(self, folder_id: str, path: str) -> str:
        target = Path(path).expanduser().resolve()
        for other_id, other in self._service.config.folder_paths.items():
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
