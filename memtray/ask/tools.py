"""What each ``memtray mcp`` tool does, as plain functions over this laptop's vault (no MCP in here).

Every text returned has its secrets masked (masking.py); every file named must be one the index knows
(vault_view.py); the one write goes through writing.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from memtray.ask.masking import mask_secrets
from memtray.ask.search_index import SearchIndex
from memtray.ask.vault_view import AskError, MemoryFile, VaultView, agent_of, as_text, describe_project, project_key_of
from memtray.ask.writing import CallingProject, MemoryWriter
from memtray.presets import preset_by_id

MAX_LIST = 500
MAX_RESULTS = 50
Result = TypeVar("Result")


def when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(stamp))


@dataclass
class _Project:
    key: str
    files: int = 0
    agents: set[str] = field(default_factory=set)
    laptops: set[str] = field(default_factory=set)
    last: MemoryFile | None = None
    here: bool = False


class AskTools:
    def __init__(self, view: VaultView, search_index: SearchIndex, project: CallingProject | None) -> None:
        self.view = view
        self.search_index = search_index
        self.project = project
        self._lock = threading.Lock()

    def run(self, action: Callable[[], Result]) -> Result:
        """One tool call at a time (the SDK runs each in a worker thread; the index is one connection)."""
        with self._lock:
            return action()

    def overview(self) -> dict[str, Any]:
        view = self.view
        names = view.device_names()
        files = view.files()
        projects: dict[str, _Project] = {}
        counts: dict[str, int] = {}
        for file in files:
            counts[file.folder.folder_id] = counts.get(file.folder.folder_id, 0) + 1
            key = project_key_of(file.folder, file.path)
            if key is None:
                continue
            project = projects.setdefault(key, _Project(key))
            project.files += 1
            agent = agent_of(file.folder, file.path)
            if agent:
                project.agents.add(agent)
            project.laptops.add(names.get(file.origin, "another laptop"))
            project.here = project.here or view.is_here(file)
            if project.last is None or file.mtime > project.last.mtime:
                project.last = file
        for key, laptops in self._writers(projects).items():
            projects[key].laptops |= {names.get(origin, "another laptop") for origin in laptops}
        folders = []
        for folder in sorted(view.folders().values(), key=lambda f: f.name.lower()):
            place = view.root(folder.folder_id)
            preset = preset_by_id(folder.preset) if folder.preset else None
            folders.append(
                {
                    "name": folder.name,
                    "agent": preset.label if preset is not None else None,
                    "project": describe_project(folder.project)[1] if folder.project else None,
                    "on_this_laptop": str(place) if place else None,
                    "files": counts.get(folder.folder_id, 0),
                }
            )
        last = max(files, key=lambda f: f.mtime, default=None)
        return {
            "this_laptop": view.service.config.device_name,
            "calling_project": self._calling(),
            "folders": folders,
            "projects": [self._project_entry(p, names) for p in sorted(projects.values(), key=_project_order)],
            "laptops": sorted(names.values()),
            "last_change": _change(last, names) if last else None,
        }

    def _calling(self) -> dict[str, str] | None:
        if self.project is None:
            return None
        name, identity = describe_project(self.project.key)
        return {"name": name, "identity": identity, "folder": str(self.project.place)}

    def _writers(self, projects: dict[str, _Project]) -> dict[str, set[str]]:
        """Per project, every laptop that wrote any version of its memory this laptop still keeps."""
        folders = self.view.folders()
        found: dict[str, set[str]] = {}
        for folder_id, path, origin in self.view.service.index.db.execute(
            "SELECT DISTINCT folder, path, origin FROM versions"
        ):
            folder = folders.get(folder_id)
            key = project_key_of(folder, path) if folder is not None else None
            if key in projects:
                found.setdefault(key, set()).add(origin)
        return found

    def _project_entry(self, project: _Project, names: dict[str, str]) -> dict[str, Any]:
        name, identity = describe_project(project.key)
        return {
            "name": name,
            "identity": identity,
            "is_calling_project": self.project is not None and self.project.key == project.key,
            "agents": sorted(project.agents),
            "laptops": sorted(project.laptops),
            "on_this_laptop": project.here,
            "memory_files": project.files,
            "last_change": _change(project.last, names) if project.last else None,
        }

    def list_files(self, folder: str | None = None, project: str | None = None) -> dict[str, Any]:
        names = self.view.device_names()
        chosen = [
            file
            for file in self.view.files()
            if (folder is None or file.folder.name.lower() == folder.lower()) and _in_project(file, project)
        ]
        listed = [
            {
                "file": file.name,
                "project": describe_project(key)[1] if (key := project_key_of(file.folder, file.path)) else None,
                "agent": agent_of(file.folder, file.path),
                "size": file.size,
                "on_this_laptop": self.view.is_here(file),
                **_change(file, names),
            }
            for file in chosen[:MAX_LIST]
        ]
        return {"files": listed, "more": max(0, len(chosen) - MAX_LIST)}

    def read_file(self, file: str, version: int | None = None) -> dict[str, Any]:
        found = self.view.find(file)
        data = self.view.read(found) if version is None else self.view.read_version(found, version)
        return {
            "file": found.name,
            "version": version,
            "on_this_laptop": self.view.is_here(found),
            "text": mask_secrets(as_text(found, data)),
        }

    def search(self, query: str, limit: int = 10) -> dict[str, Any]:
        hits = self.search_index.search(self.view, query, max(1, min(limit, MAX_RESULTS)))
        folders = self.view.folders()
        return {
            "query": query,
            "results": [
                {"file": f"{folders[hit.folder].name}/{hit.path}", "line": hit.line, "snippet": hit.snippet}
                for hit in hits
                if hit.folder in folders
            ],
        }

    def history(self, file: str) -> dict[str, Any]:
        found = self.view.find(file)
        names = self.view.device_names()
        current = found.sha
        seen: set[tuple[str, bool]] = set()
        versions = []
        for stored in self.view.service.index.versions(found.folder.folder_id, found.path):
            version = stored.version
            if (version.sha, version.deleted) in seen:
                continue
            seen.add((version.sha, version.deleted))
            versions.append(
                {
                    "version": stored.version_id,
                    "changed": when(version.mtime),
                    "by": names.get(version.origin, "another laptop"),
                    "size": version.size,
                    "deleted": version.deleted,
                    "current": version.sha == current and not version.deleted,
                }
            )
        return {"file": found.name, "versions": versions}

    def write_memory(self, text: str, file: str | None = None, replace: str | None = None) -> dict[str, Any]:
        if self.project is None:
            raise AskError("memtray cannot tell which project this agent works in, so it wrote nothing.")
        written = MemoryWriter(self.view, self.project).write(text, name=file, replace=replace)
        return {
            "file": written.name,
            "done": "replaced the text" if replace is not None else "added the text at the end",
            "note": "memtray sends it to your other laptops at its next sync.",
        }


def _in_project(file: MemoryFile, project: str | None) -> bool:
    if project is None:
        return True
    key = project_key_of(file.folder, file.path)
    if key is None:
        return False
    name, identity = describe_project(key)
    return project.lower() in (key.lower(), name.lower(), identity.lower())


def _change(file: MemoryFile, names: dict[str, str]) -> dict[str, str]:
    return {"changed": when(file.mtime), "by": names.get(file.origin, "another laptop")}


def _project_order(project: _Project) -> tuple[str, str]:
    name, identity = describe_project(project.key)
    return name.lower(), identity
