"""The vault's folders: their definitions travel in the logs; where each one lives is this laptop's config.

A folder made from an agent preset records the preset's id, so every laptop places it at its own preset place;
any other folder records the identity of the project it is in (see memtray.projects), so a laptop that has that
project finds the folder's place by itself (see projects.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from memtray.errors import UsageError
from memtray.model import FolderInfo
from memtray.presets import agent_presets, preset_by_id, preset_for_folder
from memtray.projects.identify import identity_of
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
        place = self._place(folder.folder_id, path)
        preset = preset_for_folder(name) or next((p for p in agent_presets() if str(p.path.resolve()) == place), None)
        if preset is not None:
            folder.preset = preset.preset_id
        else:
            folder.project = project_key(Path(place))
        config.folder_paths[folder.folder_id] = place
        self._service.index.put_folder_def(folder, pending=True)
        self._service.save_config()
        return self._info(folder)

    def add_preset(self, preset_id: str, path: str | None = None) -> FolderInfo:
        """The agent preset's folder, as the setup wizard adds it, at ``path`` or the preset's place here; a
        vault that already has it but not on this laptop gets it placed."""
        preset = preset_by_id(preset_id)
        if preset is None:
            known = ", ".join(p.preset_id for p in agent_presets())
            raise UsageError(f"memtray knows no preset called '{preset_id}'. Choose one of: {known}.")
        place = path if path is not None else str(preset.path)
        existing = next((f for f in self._definitions().values() if f.name == preset.folder_name), None)
        if existing is None:
            return self.add(preset.folder_name, place, preset.include, preset.exclude)
        here = self._service.config.folder_paths.get(existing.folder_id)
        if here is not None:
            raise UsageError(f"'{preset.folder_name}' is already synced on this laptop, at {here}.")
        return self.map(preset.folder_name, place)

    def place_presets(self) -> list[FolderInfo]:
        """Give every preset folder not placed here yet its preset's place on this laptop (a joining laptop);
        a place that overlaps another folder is left for the person to choose. The config is not saved."""
        placed = []
        config = self._service.config
        for folder in self._definitions().values():
            preset = preset_by_id(folder.preset) if folder.preset else preset_for_folder(folder.name)
            if preset is None or folder.folder_id in config.folder_paths:
                continue
            try:
                config.folder_paths[folder.folder_id] = self._place(folder.folder_id, str(preset.path))
            except UsageError:
                continue
            placed.append(self._info(folder))
        return placed

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
        self._service.changed_for_sync()
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
        other_path = overlapping(self._service.config.folder_paths, folder_id, target)
        if other_path is not None:
            raise UsageError(f"{target} overlaps a folder memtray already syncs ({other_path}). Pick another place.")
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"memtray could not use {target}: {exc.strerror}.") from exc
        return str(target)


def project_key(place: Path) -> str:
    """The identity key of the project a folder is in, "" when no other laptop could recognise it (outside the
    home folder without a git remote, or the home folder itself)."""
    try:
        identity = identity_of(place, Path.home())
    except UsageError:
        return ""
    if identity.kind == "claude" or (identity.kind == "home" and not identity.value):
        return ""
    return identity.key


def overlapping(folder_paths: dict[str, str], folder_id: str, target: Path) -> Path | None:
    """The place of another synced folder that ``target`` is, is inside of, or holds; None when there is none."""
    for other_id, other in folder_paths.items():
        other_path = Path(other)
        if other_id != folder_id and (
            target == other_path or other_path in target.parents or target in other_path.parents
        ):
            return other_path
    return None
