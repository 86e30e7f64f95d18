"""Activity, conflicts and version history: the part of the service the Activity tab uses."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from memtray.config import Config
from memtray.errors import UsageError
from memtray.hubs.base import Hub, blob_key
from memtray.model import ActivityItem, ConflictInfo, FileProblem, VersionInfo
from memtray.sync import localfs
from memtray.sync.entry import open_blob
from memtray.sync.index import Index
from memtray.sync.records import DiskStamp, FileVersion
from memtray.vault.keys import VaultKeys


class _Parts(Protocol):
    """What the history methods need from the service they are mixed into."""

    @property
    def config(self: _Parts) -> Config: ...

    @property
    def index(self: _Parts) -> Index: ...

    def hub(self: _Parts) -> Hub: ...

    def vault_keys(self: _Parts) -> VaultKeys: ...

    def _folder_names(self: _Parts) -> dict[str, str]: ...

    def _root(self: _Parts, folder_id: str) -> Path: ...

    def _conflict(self: _Parts, conflict_id: int) -> tuple[str, str, str | None, str, str]: ...

    def _folder_id(self: _Parts, folder: str) -> str: ...

    def _version(self: _Parts, version_id: int) -> FileVersion: ...

    def _write_live(self: _Parts, root: Path, folder: str, path: str, data: bytes) -> None: ...

    def conflict_texts(self: _Parts, conflict_id: int) -> tuple[str, str]: ...

    def read_version(self: _Parts, version_id: int) -> bytes: ...


class HistoryMixin:
    def _folder_names(self: _Parts) -> dict[str, str]:
        return {folder_id: folder.name for folder_id, folder in self.index.folder_defs().items()}

    def _root(self: _Parts, folder_id: str) -> Path:
        path = self.config.folder_paths.get(folder_id)
        if path is None:
            raise UsageError("That folder has no place on this laptop yet. Choose where it lives first.")
        return Path(path)

    def sync_problems(self: _Parts) -> list[FileProblem]:
        names = self._folder_names()
        return [
            FileProblem(names.get(folder, folder), path, message) for folder, path, message in self.index.problems()
        ]

    def activity(self: _Parts, limit: int = 200) -> list[ActivityItem]:
        names = self._folder_names()
        return [
            ActivityItem(t, kind, names.get(folder, folder), path, detail)
            for t, kind, folder, path, detail in self.index.activity(limit)
        ]

    def conflicts(self: _Parts) -> list[ConflictInfo]:
        names = self._folder_names()
        return [
            ConflictInfo(cid, names.get(folder, folder), path, copy, when, other, resolved)
            for cid, when, folder, path, copy, _, _, other, resolved in self.index.conflicts()
        ]

    def _conflict(self: _Parts, conflict_id: int) -> tuple[str, str, str | None, str, str]:
        for cid, _, folder, path, copy, current_sha, other_sha, _, _ in self.index.conflicts():
            if cid == conflict_id:
                return folder, path, copy, current_sha, other_sha
        raise UsageError("That conflict is no longer listed.")

    def conflict_texts(self: _Parts, conflict_id: int) -> tuple[str, str]:
        folder, path, copy, current_sha, other_sha = self._conflict(conflict_id)
        root = self._root(folder)
        current = self.index.content(current_sha)
        if current is None:
            current = (root / path).read_bytes()
        other = self.index.content(other_sha)
        if other is None and copy:
            other = (root / copy).read_bytes()
        return current.decode("utf-8", "replace"), (other or b"").decode("utf-8", "replace")

    def resolve_conflict(self: _Parts, conflict_id: int, keep: str) -> None:
        """Keep the text now in place (``current``) or the other one (``other``); the copy goes away."""
        if keep not in ("current", "other"):
            raise UsageError("Choose which text to keep: 'current' or 'other'.")
        folder, path, copy, _, _ = self._conflict(conflict_id)
        root = self._root(folder)
        if keep == "other":
            _, other = self.conflict_texts(conflict_id)
            self._write_live(root, folder, path, other.encode("utf-8"))
        if copy:
            (root / copy).unlink(missing_ok=True)
        self.index.mark_conflict_resolved(conflict_id)
        self.index.add_activity(
            "resolved", folder, path, "kept the other text" if keep == "other" else "kept this text"
        )

    def versions(self: _Parts, folder: str, path: str) -> list[VersionInfo]:
        folder_id = self._folder_id(folder)
        current = self.index.file(folder_id, path)
        names = {device[0]: device[1] for device in self.index.devices()}
        seen: set[tuple[str, bool]] = set()
        found = []
        for version_id, version, _ in self.index.versions(folder_id, path):
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
                    version_id,
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

    def _folder_id(self: _Parts, folder: str) -> str:
        for folder_id, name in self._folder_names().items():
            if folder in (name, folder_id):
                return folder_id
        raise UsageError(f"There is no folder called '{folder}'.")

    def _version(self: _Parts, version_id: int) -> FileVersion:
        version = self.index.version(version_id)
        if version is None:
            raise UsageError("That version is no longer kept.")
        return version

    def read_version(self: _Parts, version_id: int) -> bytes:
        version = self._version(version_id)
        if version.deleted:
            return b""
        data = self.index.content(version.sha)
        if data is None and version.blob:
            data = open_blob(self.vault_keys(), version.blob, self.hub().get(blob_key(version.blob)), version.sha)
        if data is None:
            raise UsageError("The content of that version is no longer kept.")
        return data

    def restore_version(self: _Parts, version_id: int) -> None:
        """Put an old version back in place; the next sync sends it to the other laptops."""
        version = self._version(version_id)
        data = self.read_version(version_id)
        self._write_live(self._root(version.folder), version.folder, version.path, data)
        self.index.add_activity("restored", version.folder, version.path, "")

    def _write_live(self: _Parts, root: Path, folder: str, path: str, data: bytes) -> None:
        """Replace the live file, but only if what it holds now is a version memtray knows (no unsent edit)."""
        target = root.joinpath(*path.split("/"))
        expected: DiskStamp | None = None
        if target.exists():
            current_sha = hashlib.sha256(target.read_bytes()).hexdigest()
            if self.index.known_vv(folder, path, current_sha) is None:
                raise UsageError(f"{path} has changes that are not synced yet. Sync first, then try again.")
            stat = target.stat()
            expected = DiskStamp(current_sha, stat.st_size, stat.st_mtime_ns, stat.st_ino, {})
        sha = hashlib.sha256(data).hexdigest()
        outcome = localfs.write_checked(root, path, data, sha, {}, expected, durable=True)
        if isinstance(outcome, str):
            raise UsageError(f"{path} {outcome}.")
