"""Which project each folder in ``~/.claude/projects`` is, from what is on this laptop, never from a guess.

For every Claude folder: the working folder its transcripts record (see transcripts.py), then that folder's
identity (see identify.py). A folder without transcripts (Claude keeps a repository's memory in the folder of
its main checkout, even for sessions started in a sub-folder or a worktree, and deletes old transcripts) is
matched when Claude's naming rule gives its name for a checkout another folder's transcripts revealed, else
when exactly one existing folder on disk has that name (see named_place.py).

Rules a reviewer should know:

- A folder of a linked worktree keeps its own name as its key (Claude keeps that checkout's memory in the main
  checkout's folder); its ``claimed`` identity still says which repository it belongs to.
- Two places on this laptop with the same identity (two clones of one repository, say) are *ambiguous*: their
  folders keep their own names as keys until the person links one (``ClaudeProjectsMap`` links).
- A recorded folder that no longer exists, or a Claude folder nothing identifies, keeps the identity memtray
  remembered for it (``remembered``: Claude folder -> identity, kept by the caller), else its own name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from memtray.errors import MemtrayError
from memtray.projects.claude_names import NameIndex
from memtray.projects.git import repository_of
from memtray.projects.identify import identity_of
from memtray.projects.identity import ProjectIdentity
from memtray.projects.named_place import FoldersOnDisk
from memtray.projects.transcripts import recorded_folders

MAX_FOLDERS = 5_000


@dataclass(frozen=True)
class LocalProject:
    """One folder in ``~/.claude/projects`` and the project it holds."""

    claude_folder: str
    checkout: Path | None
    """The project's folder on this laptop, when it is here."""
    identity: ProjectIdentity
    """What the vault files it under: kind "claude" (its own name) when set aside or not identified."""
    problem: str | None = None
    """A plain sentence when something is off (ambiguous, folder gone, not identified), else None."""
    claimed: ProjectIdentity | None = None
    """The identity its checkout has, when known; differs from ``identity`` when it was set aside."""
    worktree: bool = False
    """True for the folder of a linked git worktree (its memory lives with the main checkout)."""


@dataclass(frozen=True)
class Discovery:
    projects: list[LocalProject] = field(default_factory=list)
    ambiguous: dict[str, list[LocalProject]] = field(default_factory=dict)
    """Identity key -> the folders that claim it; none of them is filed under it until the person links one."""
    places: dict[str, Path] = field(default_factory=dict)
    """Identity key -> the one checkout on this laptop the transcripts revealed for it (main checkouts included)."""

    def project(self, claude_folder: str) -> LocalProject | None:
        return next((project for project in self.projects if project.claude_folder == claude_folder), None)


@dataclass
class _Folder:
    name: str
    checkout: Path | None = None
    claimed: ProjectIdentity | None = None
    problem: str | None = None
    worktree: bool = False


@dataclass
class _Claim:
    identity: ProjectIdentity
    paths: dict[str, Path] = field(default_factory=dict)
    folders: list[str] = field(default_factory=list)

    def add(self, path: Path, folder: str) -> None:
        self.paths.setdefault(_same_place(path), path)
        if folder not in self.folders:
            self.folders.append(folder)


def discover(
    home: Path, *, claude_dir: Path | None = None, remembered: Mapping[str, ProjectIdentity] | None = None
) -> Discovery:
    """Every Claude project folder on this laptop with its identity (``claude_dir`` defaults to ~/.claude)."""
    projects_dir = (claude_dir if claude_dir is not None else home / ".claude") / "projects"
    claims: dict[str, _Claim] = {}
    folders = [_read_folder(projects_dir / name, home, claims) for name in _folder_names(projects_dir)]
    _match_by_name([folder for folder in folders if folder.claimed is None and folder.problem is None], claims)
    disk = FoldersOnDisk()
    for folder in folders:
        if folder.claimed is None and folder.problem is None:
            _find_on_disk(folder, disk, home, claims)
    ambiguous_keys = {key for key, claim in claims.items() if len(claim.paths) > 1}
    projects = [_project(folder, ambiguous_keys, claims, remembered or {}) for folder in folders]
    projects = _set_aside_duplicates(projects, ambiguous_keys)
    return Discovery(
        projects=projects,
        ambiguous={key: _claimants(key, projects, claims) for key in sorted(ambiguous_keys)},
        places={key: next(iter(claim.paths.values())) for key, claim in claims.items() if key not in ambiguous_keys},
    )


def _claimants(key: str, projects: list[LocalProject], claims: dict[str, _Claim]) -> list[LocalProject]:
    """The folders that claim ``key``: directly, or through the main checkout of their repository."""
    via_repository = claims[key].folders if key in claims else []
    return [
        project
        for project in projects
        if project.claude_folder in via_repository or (project.claimed is not None and project.claimed.key == key)
    ]


def _folder_names(projects_dir: Path) -> list[str]:
    names: list[str] = []
    try:
        with os.scandir(projects_dir) as entries:
            for entry in entries:
                if len(names) >= MAX_FOLDERS:
                    break
                if entry.is_dir(follow_symlinks=False) and _nameable(entry.name):
                    names.append(entry.name)
    except OSError:
        return []
    return sorted(names)


def _read_folder(path: Path, home: Path, claims: dict[str, _Claim]) -> _Folder:
    folder = _Folder(path.name)
    recorded = recorded_folders(path)
    present = [Path(cwd) for cwd in recorded if Path(cwd).is_dir()]
    if recorded and not present:
        folder.problem = f"The folder {recorded[0]} is no longer on this laptop."
        return folder
    identities = {identity_of(place, home, claude_folder=path.name) for place in present}
    if len(identities) > 1:
        places = " and ".join(str(place) for place in present)
        folder.problem = f"Claude Code keeps {places} together in this folder, so memtray leaves it as it is."
        return folder
    if not present:
        return folder
    _identified(folder, present[0], identities.pop(), home, claims)
    return folder


def _identified(
    folder: _Folder, checkout: Path, identity: ProjectIdentity, home: Path, claims: dict[str, _Claim]
) -> None:
    folder.checkout, folder.claimed = checkout, identity
    repository = repository_of(checkout)
    folder.worktree = repository is not None and _same_place(repository.checkout) != _same_place(repository.root)
    if not folder.worktree:
        claims.setdefault(identity.key, _Claim(identity)).add(checkout, folder.name)
    if repository is not None:
        root_identity = _identity(repository.root, home, None)
        if root_identity is not None:
            claims.setdefault(root_identity.key, _Claim(root_identity)).add(repository.root, folder.name)


def _find_on_disk(folder: _Folder, disk: FoldersOnDisk, home: Path, claims: dict[str, _Claim]) -> None:
    place = disk.named(folder.name)
    if place is not None:
        _identified(folder, place, identity_of(place, home, claude_folder=folder.name), home, claims)


def _match_by_name(unknown: list[_Folder], claims: dict[str, _Claim]) -> None:
    index = NameIndex(folder.name for folder in unknown)
    fitting: dict[str, dict[str, Path]] = {}
    for key, claim in claims.items():
        for path in claim.paths.values():
            for name in index.names_for(str(path)):
                fitting.setdefault(name, {})[key] = path
    for folder in unknown:
        matches = fitting.get(folder.name, {})
        if len(matches) > 1:
            folder.problem = (
                "Claude Code's name for this folder fits several projects here, so memtray leaves it as it is."
            )
        elif matches:
            key, path = matches.popitem()
            folder.checkout, folder.claimed = path, claims[key].identity
            claims[key].add(path, folder.name)


def _project(
    folder: _Folder, ambiguous: set[str], claims: dict[str, _Claim], remembered: Mapping[str, ProjectIdentity]
) -> LocalProject:
    own = ProjectIdentity("claude", folder.name)
    claimed = folder.claimed
    if claimed is None:
        problem = folder.problem
        if problem is None and folder.name not in remembered:
            problem = "No Claude Code transcript says which folder this is, so memtray keeps its own name."
        return LocalProject(folder.name, None, remembered.get(folder.name, own), problem)
    if folder.worktree:
        return LocalProject(folder.name, folder.checkout, own, None, claimed, worktree=True)
    if claimed.key in ambiguous:
        places = ", ".join(str(path) for path in claims[claimed.key].paths.values())
        problem = f"Several folders on this laptop are {claimed.describe()} ({places}); choose the one memtray uses."
        return LocalProject(folder.name, folder.checkout, own, problem, claimed)
    return LocalProject(folder.name, folder.checkout, claimed, None, claimed)


def _set_aside_duplicates(projects: list[LocalProject], ambiguous: set[str]) -> list[LocalProject]:
    """Folders left with the same non-Claude identity (a remembered one among them) are set aside as well; their
    keys are added to ``ambiguous``."""
    counts: dict[str, int] = {}
    for project in projects:
        counts[project.identity.key] = counts.get(project.identity.key, 0) + 1
    result = []
    for project in projects:
        key = project.identity.key
        if counts[key] > 1 and project.identity.kind != "claude":
            ambiguous.add(key)
            problem = f"Several folders on this laptop are {project.identity.describe()}; choose the one memtray uses."
            project = LocalProject(
                project.claude_folder,
                project.checkout,
                ProjectIdentity("claude", project.claude_folder),
                problem,
                project.claimed or project.identity,
            )
        result.append(project)
    return result


def _identity(place: Path, home: Path, claude_folder: str | None) -> ProjectIdentity | None:
    try:
        return identity_of(place, home, claude_folder=claude_folder)
    except MemtrayError:
        return None


def _nameable(name: str) -> bool:
    try:
        ProjectIdentity("claude", name)
    except ValueError:
        return False
    return True


def _same_place(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))
