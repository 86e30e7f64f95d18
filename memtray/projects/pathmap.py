"""How a synced folder's paths on this laptop translate to the vault's paths, and back.

Most folders are the same everywhere (``IdentityMap``). In Claude Code's folder, ``projects/<Claude folder>/...``
on disk is ``projects/<identity key>/...`` in the vault (see identity.py), so each laptop keeps a project's
memory in its own folder for that project. ``ClaudeProjectsMap`` pairs keys and folders, first come first
served, each key with one folder and each folder with one key:

1. the person's links (key -> the project's folder on this laptop);
2. every identified Claude folder with its identity; a folder whose identity is already taken keeps its own
   name;
3. checkouts the transcripts revealed (``Discovery.places``), then ``checkouts`` found by searching: the
   existing Claude folder for that checkout (never a recomputed name), else the folder Claude would make for it
   (none if its name would need Claude's hash suffix: memtray waits until Claude makes it). Ambiguous keys are
   taken only from links;
4. the folders nothing identified, each under its own name (unless step 3 found their checkout).

A vault key with no folder here is *parked*: ``to_disk`` gives None and ``parked()`` lists it. A kind "claude"
key is its folder's own name and is used as it is (as before projects were matched by identity) unless that
folder holds another project here. ``to_vault`` gives None only for a folder whose name cannot be a vault key
(a name Windows cannot hold, say), and for one whose key another folder holds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from memtray.projects.claude_names import NameIndex, claude_dir_name
from memtray.projects.discovery import Discovery, LocalProject
from memtray.projects.identity import ProjectIdentity

PROJECTS = "projects"


class PathMap(Protocol):
    def to_vault(self, disk_relative: str) -> str | None:
        """The vault path of a path on disk (POSIX, relative to the folder); None: do not sync it."""
        ...

    def to_disk(self, vault_relative: str) -> str | None:
        """The disk path of a vault path; None: it has no place on this laptop (yet)."""
        ...

    def parked(self) -> list[ProjectIdentity]:
        """Projects ``to_disk`` found no place for, in the order first asked about."""
        ...


class IdentityMap:
    """Paths are the same on disk and in the vault."""

    def to_vault(self, disk_relative: str) -> str | None:
        return disk_relative

    def to_disk(self, vault_relative: str) -> str | None:
        return vault_relative

    def parked(self) -> list[ProjectIdentity]:
        return []


class ClaudeProjectsMap:
    """Claude Code's folder: project folders on disk <-> project identity keys in the vault."""

    def __init__(
        self,
        discovery: Discovery,
        links: Mapping[str, str] | None = None,
        checkouts: Mapping[str, Path] | None = None,
    ) -> None:
        self._folder_of: dict[str, str] = {}
        self._key_of: dict[str, str] = {}
        self._place_of: dict[str, Path] = {}
        self._parked: dict[str, ProjectIdentity] = {}
        self._recorded: dict[str, str] = {}
        for project in sorted(discovery.projects, key=_worktrees_last):
            if project.checkout is not None:
                self._recorded.setdefault(_same_place(project.checkout), project.claude_folder)
        self._names = NameIndex(project.claude_folder for project in discovery.projects)
        for key, chosen in sorted((links or {}).items()):
            self._pair(key, self._folder_for(Path(chosen)), Path(chosen))
        unidentified = [p for p in discovery.projects if p.claimed is None and p.identity.kind == "claude"]
        later = {project.claude_folder for project in unidentified}
        for project in discovery.projects:
            if project.claude_folder not in later:
                self._pair_own(project)
        for found in (discovery.places, checkouts or {}):
            for key, place in sorted(found.items()):
                if key not in discovery.ambiguous:
                    self._pair(key, self._folder_for(place), place)
        for project in unidentified:
            self._pair_own(project)

    def to_vault(self, disk_relative: str) -> str | None:
        parts = disk_relative.split("/", 2)
        if len(parts) < 3 or parts[0] != PROJECTS:
            return disk_relative
        key = self.key_of(parts[1])
        return None if key is None else f"{PROJECTS}/{key}/{parts[2]}"

    def to_disk(self, vault_relative: str) -> str | None:
        parts = vault_relative.split("/", 2)
        if len(parts) < 3 or parts[0] != PROJECTS:
            return vault_relative
        folder = self.folder_of(parts[1])
        return None if folder is None else f"{PROJECTS}/{folder}/{parts[2]}"

    def parked(self) -> list[ProjectIdentity]:
        return list(self._parked.values())

    def key_of(self, claude_folder: str) -> str | None:
        """The vault key for a Claude folder on this laptop (its own name when it holds no known project)."""
        key = self._key_of.get(claude_folder)
        if key is not None:
            return key
        try:
            key = ProjectIdentity("claude", claude_folder).key
        except ValueError:
            return None
        return None if key in self._folder_of else key

    def folder_of(self, key: str) -> str | None:
        """The Claude folder on this laptop for a vault key; None (and parked) when it has none here."""
        folder = self._folder_of.get(key)
        if folder is not None:
            return folder
        identity = ProjectIdentity.from_key(key)
        if identity is None:
            return None
        if identity.kind == "claude" and identity.value not in self._key_of:
            return identity.value
        self._parked.setdefault(key, identity)
        return None

    def place_of(self, key: str) -> Path | None:
        """The project's folder on this laptop (its checkout), when memtray knows it."""
        return self._place_of.get(key)

    def _pair_own(self, project: LocalProject) -> None:
        if not self._pair(project.identity.key, project.claude_folder, project.checkout):
            self._pair(ProjectIdentity("claude", project.claude_folder).key, project.claude_folder, None)

    def _pair(self, key: str, folder: str | None, place: Path | None) -> bool:
        if folder is None or key in self._folder_of or folder in self._key_of:
            return False
        self._folder_of[key] = folder
        self._key_of[folder] = key
        if place is not None:
            self._place_of[key] = place
        return True

    def _folder_for(self, place: Path) -> str | None:
        """The existing Claude folder for ``place`` (by its transcripts, then by name), else the name Claude makes."""
        recorded = self._recorded.get(_same_place(place))
        if recorded is not None:
            return recorded
        named = sorted(self._names.names_for(str(place)))
        return named[0] if named else claude_dir_name(str(place))


def _worktrees_last(project: LocalProject) -> bool:
    return project.worktree


def _same_place(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))
