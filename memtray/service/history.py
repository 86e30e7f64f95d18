"""Activity, conflicts and version history: what the Activity, Conflicts and Versions tabs show and do.

``Service.history`` is the one ``History`` of a service.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from memtray.errors import UsageError
from memtray.hubs.keys import blob_key
from memtray.model import ActivityItem, ConflictInfo, FileProblem, VersionInfo
from memtray.service.base import ServiceBase
from memtray.sync import containment, localfs
from memtray.sync.entry import open_blob
from memtray.sync.records import ConflictRecord, DiskStamp, FileVersion


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

    def conflicts(self) -> list[ConflictInfo]:
        names = self._folder_names()
        return [
            ConflictInfo(
                conflict.conflict_id,
                names.get(conflict.folder, conflict.folder),
                conflict.path,
                conflict.copy_path,
                conflict.time,
                conflict.other_device,
                conflict.resolved,
            )
            for conflict in self._service.index.conflicts()
        ]

    def _conflict(self, conflict_id: int) -> ConflictRecord:
        for conflict in self._service.index.conflicts():
            if conflict.conflict_id == conflict_id:
                return conflict
        raise UsageError("That conflict is no longer listed.")

    def conflict_texts(self, conflict_id: int) -> tuple[str, str]:
        conflict = self._conflict(conflict_id)
        root = self._root(conflict.folder)
        current = self._service.index.content(conflict.current_sha)
        if current is None:
            current = containment.read_bytes(root, conflict.path)
        other = self._service.index.content(conflict.other_sha)
        if other is None and conflict.copy_path:
            other = containment.read_bytes(root, conflict.copy_path)
        return current.decode("utf-8", "replace"), (other or b"").decode("utf-8", "replace")

    def resolve_conflict(self, conflict_id: int, keep: str) -> None:
        """Keep the text now in place (``current``) or the other one (``other``); the copy goes away."""
        if keep not in ("current", "other"):
            raise UsageError("Choose which text to keep: 'current' or 'other'.")
        conflict = self._conflict(conflict_id)
        root = self._root(conflict.folder)
        if keep == "other":
            _, other = self.conflict_texts(conflict_id)
            self._write_live(root, conflict.folder, conflict.path, other.encode("utf-8"))
        if conflict.copy_path:
            containment.unlink(root, conflict.copy_path)
        self._service.index.mark_conflict_resolved(conflict_id)
        self._service.index.add_activity(
            "resolved", conflict.folder, conflict.path, "kept the other text" if keep == "other" else "kept this text"
        )

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
            data = open_blob(service.vault_keys(), version.blob, service.hub().get(blob_key(version.blob)), version.sha)
        if data is None:
            raise UsageError("The content of that version is no longer kept.")
        return data

    def restore_version(self, version_id: int) -> None:
        """Put an old version back in place; the next sync sends it to the other laptops."""
        version = self._version(version_id)
        data = self.read_version(version_id)
        self._write_live(self._root(version.folder), version.folder, version.path, data)
        self._service.index.add_activity("restored", version.folder, version.path, "")

    def _write_live(self, root: Path, folder: str, path: str, data: bytes) -> None:
        """Replace the live file, but only if what it holds now is a version memtray knows (no unsent edit)."""
        target = root.joinpath(*path.split("/"))
        expected: DiskStamp | None = None
        if target.exists():
            current_sha = hashlib.sha256(containment.read_bytes(root, path)).hexdigest()
            if self._service.index.known_vv(folder, path, current_sha) is None:
                raise UsageError(f"{path} has changes that are not synced yet. Sync first, then try again.")
            stat = target.stat()
            expected = DiskStamp(current_sha, stat.st_size, stat.st_mtime_ns, stat.st_ino, {})
        sha = hashlib.sha256(data).hexdigest()
        outcome = localfs.write_checked(root, path, data, sha, {}, expected, durable=True)
        if isinstance(outcome, str):
            raise UsageError(f"{path} {outcome}.")
