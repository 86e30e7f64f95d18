"""Which Claude Code project each folder under ``~/.claude/projects`` is on this laptop, and where it lives.

Built exactly as a sync builds the Claude Code folder's paths (memtray.service.projects): discovery of the
folders and their transcripts, the identities remembered for them, the person's links and the checkouts the last
search found; no search of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from memtray.projects.discovery import Discovery, discover
from memtray.projects.identity import ProjectIdentity
from memtray.projects.pathmap import ClaudeProjectsMap
from memtray.projects.transcripts import recorded_folders

if TYPE_CHECKING:
    from memtray.service.base import ServiceBase


@dataclass
class ProjectsHere:
    claude_dir: Path
    discovery: Discovery
    paths: ClaudeProjectsMap

    @classmethod
    def look(cls, service: ServiceBase, claude_dir: Path) -> ProjectsHere:
        from memtray.service.projects import REMEMBERED, SEARCH, meta_object  # the service imports this package

        index, config = service.index, service.config
        remembered: dict[str, ProjectIdentity] = {}
        for names in meta_object(index.get_meta(REMEMBERED)).values():
            for name, key in names.items() if isinstance(names, dict) else ():
                identity = ProjectIdentity.from_key(str(key))
                if identity is not None:
                    remembered.setdefault(name, identity)
        found = meta_object(index.get_meta(SEARCH)).get("found", {})
        checkouts = {key: Path(place) for key, place in found.items() if Path(place).is_dir()}
        discovery = discover(Path.home(), claude_dir=claude_dir, remembered=remembered)
        return cls(claude_dir, discovery, ClaudeProjectsMap(discovery, config.project_links, checkouts))

    @property
    def projects_dir(self) -> Path:
        return self.claude_dir / "projects"

    def key_of(self, claude_folder: str) -> str | None:
        return self.paths.key_of(claude_folder)

    def folder_of(self, key: str) -> str | None:
        """This laptop's Claude folder for the project; None when the project is not here (parked)."""
        return self.paths.folder_of(key)

    def root_of(self, key: str) -> str:
        """The project's folder on this laptop; "" when memtray does not know it."""
        place = self.paths.place_of(key)
        if place is not None:
            return str(place)
        folder = self.paths.folder_of(key)
        if folder is None:
            return ""
        project = self.discovery.project(folder)
        if project is not None and project.checkout is not None:
            return str(project.checkout)
        recorded = recorded_folders(self.projects_dir / folder)
        return recorded[0] if recorded else ""

    def roots(self) -> dict[str, str]:
        """Every project this laptop has a folder for: its key -> its folder here."""
        found = {}
        for project in self.discovery.projects:
            key = self.key_of(project.claude_folder)
            root = self.root_of(key) if key is not None else ""
            if key is not None and root:
                found[key] = root
        return found
