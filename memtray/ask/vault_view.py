"""What an agent may read: the memory files this laptop's index knows, and nothing else.

A file is named to an agent as ``<folder name>/<vault path>`` ("Claude Code/projects/<project>/memory/MEMORY.md").
Only a name that is a live file of a live folder in the index is ever read (path safety: no name is turned into a
path on disk unless the index has it, and the disk is read through memtray's containment, from the folder's root,
without following links). A file placed on this laptop is read from disk (the newest text, unsynced edits
included); a parked one (its project is not on this laptop) from the content this laptop keeps in its index. The
hub is never asked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from memtray.errors import UsageError
from memtray.projects.identity import ProjectIdentity
from memtray.projects.pathmap import PROJECTS, IdentityMap, PathMap
from memtray.service.base import ServiceBase
from memtray.service.projects import Projects, is_claude_folder
from memtray.sync import containment
from memtray.sync.cycle import disk_path_in
from memtray.sync.records import FolderDef

MAP_SECONDS = 10.0
# The memory files each agent reads from a project's folder (see memtray.presets.PROJECT_FILES).
PROJECT_FILE_AGENTS = (
    ("CLAUDE.md", "Claude Code"),
    ("AGENTS.md", "Codex"),
    ("GEMINI.md", "Gemini CLI"),
    (".cursor/rules/", "Cursor"),
    (".github/copilot-instructions.md", "GitHub Copilot"),
)
PRESET_AGENTS = {
    "claude-code": "Claude Code",
    "codex": "Codex",
    "gemini-cli": "Gemini CLI",
    "windsurf": "Windsurf",
    "copilot": "GitHub Copilot",
}


class AskError(UsageError):
    """A request an agent made that memtray does not do; the message says why in one plain sentence."""

    title = "Not possible"


@dataclass(frozen=True)
class MemoryFile:
    folder: FolderDef
    path: str
    """The vault path, inside the folder."""
    sha: str
    size: int
    mtime: float
    origin: str
    """The id of the laptop that wrote the current version."""

    @property
    def name(self) -> str:
        return f"{self.folder.name}/{self.path}"


def project_key_of(folder: FolderDef, path: str) -> str | None:
    """The identity key of the project a file's memory belongs to; None for memory of no project."""
    if is_claude_folder(folder):
        parts = path.split("/", 2)
        return parts[1] if len(parts) == 3 and parts[0] == PROJECTS else None
    return folder.project or None


def agent_of(folder: FolderDef, path: str) -> str | None:
    """Which agent reads this file, when memtray can tell."""
    if folder.project:
        return next((agent for name, agent in PROJECT_FILE_AGENTS if path == name or path.startswith(name)), None)
    if is_claude_folder(folder):
        return "Claude Code"
    return PRESET_AGENTS.get(folder.preset)


def describe_project(key: str) -> tuple[str, str]:
    """A project's short name and how a person reads its identity."""
    identity = ProjectIdentity.from_key(key)
    return (identity.name, identity.describe()) if identity is not None else (key, key)


class VaultView:
    def __init__(self, service: ServiceBase) -> None:
        self.service = service
        self._maps: dict[str, PathMap] = {}
        self._maps_time = 0.0

    def folders(self) -> dict[str, FolderDef]:
        """The vault's folders that are not removed, by id."""
        return {key: folder for key, folder in self.service.index.folder_defs().items() if not folder.removed}

    def files(self) -> list[MemoryFile]:
        """Every live memory file of every live folder, by name."""
        folders = self.folders()
        rows = self.service.index.db.execute(
            "SELECT folder, path, sha, size, mtime, origin FROM files WHERE deleted = 0 ORDER BY folder, path"
        )
        found = [
            MemoryFile(folders[folder], path, sha, size, mtime, origin)
            for folder, path, sha, size, mtime, origin in rows
            if folder in folders
        ]
        return sorted(found, key=lambda file: file.name)

    def file(self, folder_id: str, path: str, folders: dict[str, FolderDef] | None = None) -> MemoryFile | None:
        """The live file at vault path ``path`` of a live folder (of ``folders``, if given), if the index has it."""
        folder = (self.folders() if folders is None else folders).get(folder_id)
        row = self.service.index.file(folder_id, path) if folder is not None else None
        if folder is None or row is None or row.version.deleted:
            return None
        version = row.version
        return MemoryFile(folder, path, version.sha, version.size, version.mtime, version.origin)

    def find(self, name: str) -> MemoryFile:
        """The live file an agent named; AskError for anything else (never a path outside the vault)."""
        for folder in sorted(self.folders().values(), key=lambda f: len(f.name), reverse=True):
            if name.startswith(folder.name + "/"):
                found = self.file(folder.folder_id, name[len(folder.name) + 1 :])
                if found is not None:
                    return found
        raise AskError(f"There is no memory file called '{name}'. The list_files tool lists them.")

    def path_map(self, folder_id: str) -> PathMap:
        """How the folder's vault paths translate on this laptop (Claude Code's projects), refreshed now and then."""
        if time.monotonic() - self._maps_time > MAP_SECONDS:
            self._maps, self._maps_time = {}, time.monotonic()
        if folder_id not in self._maps:
            folder = self.folders().get(folder_id)
            claude = folder is not None and is_claude_folder(folder)
            self._maps[folder_id] = Projects(self.service).path_map(folder_id) if claude else IdentityMap()
        return self._maps[folder_id]

    def root(self, folder_id: str) -> Path | None:
        place = self.service.config.folder_paths.get(folder_id)
        return Path(place) if place else None

    def disk_path(self, folder_id: str, path: str) -> str | None:
        """Where the file at vault path ``path`` lives in its folder here; None when parked or not placed."""
        if self.root(folder_id) is None:
            return None
        return disk_path_in(self.path_map(folder_id), path)

    def is_here(self, file: MemoryFile) -> bool:
        return self.disk_path(file.folder.folder_id, file.path) is not None

    def read(self, file: MemoryFile) -> bytes:
        """The file's text: from disk when it is on this laptop, else the copy this laptop's index keeps."""
        root, disk_path = self.root(file.folder.folder_id), self.disk_path(file.folder.folder_id, file.path)
        if root is not None and disk_path is not None:
            try:
                return containment.read_bytes(root, disk_path)
            except OSError:
                pass
        data = self.service.index.content(file.sha)
        if data is None:
            raise AskError(
                f"{file.name} is too large to be kept on this laptop while its project is elsewhere, "
                "so memtray cannot show it here."
            )
        return data

    def read_indexed(self, file: MemoryFile) -> bytes:
        """The text of the version the index has (what search indexes): kept in the index, else read from disk."""
        data = self.service.index.content(file.sha)
        return data if data is not None else self.read(file)

    def read_version(self, file: MemoryFile, version_id: int) -> bytes:
        """An earlier version of ``file`` from the index only; AskError when it is not one of this file's."""
        version = self.service.index.version(version_id)
        if version is None or (version.folder, version.path) != (file.folder.folder_id, file.path):
            raise AskError(f"{file.name} has no version {version_id}. The history tool lists its versions.")
        if version.deleted:
            return b""
        data = self.service.index.content(version.sha)
        if data is None:
            raise AskError(f"The text of that version of {file.name} is no longer kept on this laptop.")
        return data

    def device_names(self) -> dict[str, str]:
        return self.service.index.device_names()


def as_text(file: MemoryFile, data: bytes) -> str:
    """A memory file's bytes as text; AskError for a file that is not text."""
    if b"\x00" in data[:8192]:
        raise AskError(f"{file.name} is not a text file, so memtray does not show it.")
    return data.decode("utf-8", errors="replace")
