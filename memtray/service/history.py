"""Activity and version history: what the Activity and Versions tabs show and do (conflicts: see conflicts.py).

``Service.history`` is the one ``History`` of a service.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from memtray.errors import UsageError
from memtray.hubs.keys import blob_key
from memtray.model import ActivityItem, FileProblem, VersionInfo
from memtray.service.base import ServiceBase
from memtray.service.projects import Projects
from memtray.sync import containment, localfs
from memtray.sync.cycle import disk_path_in
from memtray.sync.entry import open_blob
from memtray.sync.records import DiskStamp, FileVersion


class History:
    def __init__(self, service: ServiceBase) -> None:
        self._service = service

    def _folder_names(self) -> dict[str, str]:
        return {folder_id: folder.name for folder_id, folder in self._service.index.folder_defs().items()}

    def _root(self, folder_id: str) -> Path:
        path = self._service.config.folder_paths.get(folder_id)
        if path is None:
            raise UsageError("That folder has no place on this laptop yet. Choose where it lives first.")
        return Path(path)

    def sync_problems(self) -> list[FileProblem]:
        names = self._folder_names()
        return [
            FileProblem(names.get(problem.folder, problem.folder), problem.path, problem.message)
            for problem in self._service.index.problems()
        ]

    def activity(self, limit: int = 200) -> list[ActivityItem]:
        names = self._folder_names()
        return [
            ActivityItem(item.time, item.kind, names.get(item.folder, item.folder), item.path, item.detail)
            for item in self._service.index.activity(limit)
        ]

    def versions(self, folder: str, path: str) -> list[VersionInfo]:
        folder_id = self._folder_id(folder)
        current = self._service.index.file(folder_id, path)
        names = self._service.index.device_names()
        seen: set[tuple[str, bool]] = set()
        found = []
        for stored in self._service.index.versions(folder_id, path):
            version = stored.version
            marker = (version.sha, version.deleted)
            if marker in seen:
                continue
            seen.add(marker)
            is_current = (
                current is not None
                and current.version.sha == version.sha
                and (current.version.deleted == version.deleted)
            )
            found.append(
                VersionInfo(
                    stored.version_id,
                    folder,
                    path,
                    version.mtime,
                    names.get(version.origin, "a laptop"),
                    version.size,
                    version.deleted,
                    is_current,
                )
            )
        return found

    def _folder_id(self, folder: str) -> str:
        for folder_id, name in self._folder_names().items():
            if folder in (name, folder_id):
                return folder_id
        raise UsageError(f"There is no folder called '{folder}'.")

    def _version(self, version_id: int) -> FileVersion:
        version = self._service.index.version(version_id)
        if version is None:
            raise UsageError("That version is no longer kept.")
        return version

    def read_version(self, version_id: int) -> bytes:
        version = self._version(version_id)
        if version.deleted:
            return b""
        service = self._service
        data = service.index.content(version.sha)
        if data is None and version.blob:
            data = open_blob(service.epoch_keys(), version.blob, service.hub().get(blob_key(version.blob)), version.sha)
        if data is None:
            raise UsageError("The content of that version is no longer kept.")
        return data

    def restore_version(self, version_id: int) -> None:
        """Put an old version back in place; the next sync sends it to the other laptops."""
        version = self._version(version_id)
        data = self.read_version(version_id)
        self.write_live(self._root(version.folder), version.folder, version.path, data)
        self._service.index.add_activity("restored", version.folder, version.path, "")

    def disk_path(self, folder_id: str, path: str) -> str:
        """Where the file at the vault path ``path`` lives on this laptop (a Claude Code project's memory lives in
        this laptop's own folder for the project; see memtray/service/projects.py)."""
        disk_path = disk_path_in(Projects(self._service).path_map(folder_id), path)
        if disk_path is None:
            raise UsageError(
                f"{path} belongs to a project that is not on this laptop, so it has no place here yet. "
                "'memtray projects' shows which projects wait for a place."
            )
        return disk_path

    def write_live(self, root: Path, folder: str, path: str, data: bytes) -> None:
        """Replace the live file (``path`` is its vault path), but only if what it holds now is a version memtray
        knows (no unsent edit)."""
        disk_path = self.disk_path(folder, path)
        target = root.joinpath(*disk_path.split("/"))
        expected: DiskStamp | None = None
        if target.exists():
            current_sha = hashlib.sha256(containment.read_bytes(root, disk_path)).hexdigest()
            if self._service.index.known_vv(folder, path, current_sha) is None:
                raise UsageError(f"{path} has changes that are not synced yet. Sync first, then try again.")
            stat = target.stat()
            expected = DiskStamp(current_sha, stat.st_size, stat.st_mtime_ns, stat.st_ino, {})
        sha = hashlib.sha256(data).hexdigest()
        outcome = localfs.write_checked(root, disk_path, data, sha, {}, expected, durable=True)
        if isinstance(outcome, str):
            raise UsageError(f"{path} {outcome}.")
