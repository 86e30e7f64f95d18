"""Projects on this laptop: where each project the vault knows lives here, and the person's links.

The vault keeps a Claude Code project's memory under the project's identity (see memtray.projects); this part
builds, for each sync, the ``ClaudeProjectsMap`` of the vault's Claude Code folder from what is on this laptop:
the Claude folders and their transcripts (``discover``), the person's links (``memtray projects link``, kept in
this laptop's config), and checkouts found by a bounded search of the home folder for projects that have no
Claude folder here yet. The search runs only when such projects exist, at most every ``SEARCH_EVERY`` seconds
(at once for a project it has not looked for yet, and whenever the person lists the projects); its result is
kept in the index. What discovery identified is remembered too, so a project whose repository vanished keeps
its identity instead of turning into another project.

A project folder (a folder inside a repository, with its CLAUDE.md, AGENTS.md, …) records its identity in its
definition; a laptop where that folder waits for a place puts it at the project's checkout here by itself.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memtray.errors import UsageError
from memtray.model import ProjectInfo, ProjectState
from memtray.presets import CLAUDE_CODE, preset_by_id
from memtray.projects.discovery import Discovery, LocalProject, discover
from memtray.projects.identify import identity_of
from memtray.projects.identity import ProjectIdentity
from memtray.projects.pathmap import PROJECTS, ClaudeProjectsMap, IdentityMap, PathMap
from memtray.projects.search import find_checkouts
from memtray.service.base import ServiceBase
from memtray.service.folders import overlapping
from memtray.service.lock import HomeLock
from memtray.sync.records import FolderDef

SEARCH_EVERY = 300.0
REMEMBERED = "project_identities"
SEARCH = "project_search"


@dataclass
class _ClaudeFolder:
    """A vault Claude Code folder placed on this laptop, and what is known about its projects here."""

    folder_id: str
    root: Path
    discovery: Discovery
    paths: ClaudeProjectsMap


@dataclass
class _Here:
    """Everything this laptop knows about where projects live, built once per sync or listing."""

    claude: list[_ClaudeFolder] = field(default_factory=list)
    checkouts: dict[str, Path] = field(default_factory=dict)

    def place_of(self, key: str, links: dict[str, str]) -> Path | None:
        """The project's folder on this laptop: linked, recorded by Claude Code, or found by the search."""
        if key in links:
            return Path(links[key])
        for claude in self.claude:
            if key not in claude.discovery.ambiguous and key in claude.discovery.places:
                return claude.discovery.places[key]
        return self.checkouts.get(key)


def is_claude_folder(folder: FolderDef) -> bool:
    """The vault's Claude Code folder: made from the preset, or (vaults made before presets had ids) named so."""
    if folder.preset:
        return folder.preset == CLAUDE_CODE
    preset = preset_by_id(CLAUDE_CODE)
    return preset is not None and folder.name == preset.folder_name


class Projects:
    def __init__(self, service: ServiceBase) -> None:
        self._service = service

    # What a sync uses (called under the home lock).

    def path_maps(self) -> dict[str, PathMap]:
        """Per folder id, the translation of vault paths for this sync (Claude Code folders only)."""
        here = self._look(search=None, keep=True)
        return {claude.folder_id: claude.paths for claude in here.claude}

    def path_map(self, folder_id: str) -> PathMap:
        """How a folder's vault paths translate on this laptop now (for reading and restoring a file)."""
        here = self._look(search=False, keep=False)
        return next((claude.paths for claude in here.claude if claude.folder_id == folder_id), IdentityMap())

    def place_waiting_folders(self) -> list[FolderDef]:
        """Give each project folder that waits for a place here its project's checkout, when this laptop has it;
        says so in Activity. The config is changed, not saved. The folders placed."""
        waiting = self._waiting_project_folders()
        if not waiting:
            return []
        here = self._look(search=None, keep=True)
        placed = []
        config = self._service.config
        for folder in waiting:
            place = here.place_of(folder.project, config.project_links)
            if place is None or not place.is_dir() or overlapping(config.folder_paths, folder.folder_id, place):
                continue
            config.folder_paths[folder.folder_id] = str(place)
            identity = ProjectIdentity.from_key(folder.project)
            found = identity.describe() if identity is not None else "its project"
            self._service.index.add_activity("placed", folder.folder_id, "", f"{found} is at {place} on this laptop")
            placed.append(folder)
        return placed

    # What the person sees and chooses (each under the home lock: never while a sync runs).

    def projects(self) -> list[ProjectInfo]:
        """Every project in the vault's Claude Code folders and every project folder, as this laptop sees it."""
        with HomeLock(self._service.home.lock_file):
            return self._listing(self._look(search=True, keep=True))

    def link(self, project_id: str, path: str) -> ProjectInfo:
        """On this laptop, project ``project_id`` (its id or its unique name) lives at ``path``."""
        with HomeLock(self._service.home.lock_file):
            key = self._resolve(project_id)
            place = Path(path).expanduser().resolve()
            if not place.is_dir():
                raise UsageError(f"{place} is not a folder on this laptop. Give the folder the project is in.")
            self._check_same_project(key, place)
            config = self._service.config
            for other, linked in config.project_links.items():
                if other != key and Path(linked) == place:
                    raise UsageError(f"{place} is already linked to another project ({other}). Unlink that first.")
            config.project_links[key] = str(place)
            self.place_waiting_folders()
            self._service.save_config()
            return self._info(key)

    def unlink(self, project_id: str) -> None:
        """Forget the person's link for ``project_id``: memtray finds the project by itself again."""
        with HomeLock(self._service.home.lock_file):
            config = self._service.config
            key = project_id if project_id in config.project_links else self._resolve(project_id)
            if config.project_links.pop(key, None) is None:
                raise UsageError(f"'{project_id}' is not linked on this laptop, so there is nothing to undo.")
            self._service.save_config()

    # Building what this laptop knows.

    def _look(self, *, search: bool | None, keep: bool) -> _Here:
        """Discover the Claude folders placed here; search for parked projects when ``search`` is True, or when
        due if it is None; ``keep`` what was identified and found, for the next time."""
        service = self._service
        config = service.config
        home = Path.home()
        remembered = self._remembered()
        claude_folders = []
        wanted: dict[str, ProjectIdentity] = {}
        for folder in service.index.folder_defs().values():
            place = config.folder_paths.get(folder.folder_id)
            if folder.removed or place is None or not is_claude_folder(folder):
                continue
            root = Path(place)
            discovery = discover(home, claude_dir=root, remembered=remembered.get(folder.folder_id, {}))
            plain = ClaudeProjectsMap(discovery, config.project_links)
            for key in self._vault_keys(folder.folder_id):
                plain.folder_of(key)
            wanted.update(
                (identity.key, identity)
                for identity in plain.parked()
                if identity.kind != "claude" and identity.key not in discovery.ambiguous
            )
            claude_folders.append((folder.folder_id, root, discovery))
        for folder in self._waiting_project_folders():
            identity = ProjectIdentity.from_key(folder.project)
            if identity is not None and identity.kind != "claude" and folder.project not in config.project_links:
                wanted[folder.project] = identity
        checkouts = self._checkouts(wanted, search if keep else False)
        here = _Here(checkouts=checkouts)
        for folder_id, root, discovery in claude_folders:
            here.claude.append(
                _ClaudeFolder(folder_id, root, discovery, ClaudeProjectsMap(discovery, config.project_links, checkouts))
            )
        if keep:
            self._remember(here)
        return here

    def _vault_keys(self, folder_id: str) -> list[str]:
        """The projects the vault holds memory for in a Claude Code folder."""
        keys = set()
        for path, row in self._service.index.files(folder_id).items():
            parts = path.split("/", 2)
            if len(parts) == 3 and parts[0] == PROJECTS and not row.version.deleted:
                keys.add(parts[1])
        return sorted(keys)

    def _waiting_project_folders(self) -> list[FolderDef]:
        places = self._service.config.folder_paths
        return [
            folder
            for folder in self._service.index.folder_defs().values()
            if folder.project and not folder.removed and folder.folder_id not in places
        ]

    def _checkouts(self, wanted: dict[str, ProjectIdentity], search: bool | None) -> dict[str, Path]:
        """Checkouts of the ``wanted`` projects: from the last search while it holds, else from a new one."""
        index = self._service.index
        last = meta_object(index.get_meta(SEARCH))
        found = {key: Path(place) for key, place in last.get("found", {}).items() if key in wanted}
        found = {key: place for key, place in found.items() if place.is_dir()}
        missing = set(wanted) - set(found)
        if not missing:
            return found
        due = time.time() - float(last.get("time", 0)) > SEARCH_EVERY or not missing <= set(last.get("wanted", []))
        if search is False or (search is None and not due):
            return found
        found.update(find_checkouts([wanted[key] for key in sorted(missing)], Path.home()))
        record = {"time": time.time(), "wanted": sorted(wanted), "found": {k: str(p) for k, p in found.items()}}
        index.set_meta(SEARCH, json.dumps(record, sort_keys=True))
        self._service.changed_for_sync()
        return found

    def _remembered(self) -> dict[str, dict[str, ProjectIdentity]]:
        """Per Claude Code folder id, the identity discovery last gave each of its project folders."""
        remembered: dict[str, dict[str, ProjectIdentity]] = {}
        for folder_id, names in meta_object(self._service.index.get_meta(REMEMBERED)).items():
            for name, key in names.items():
                identity = ProjectIdentity.from_key(key)
                if identity is not None:
                    remembered.setdefault(folder_id, {})[name] = identity
        return remembered

    def _remember(self, here: _Here) -> None:
        record = {
            claude.folder_id: {
                project.claude_folder: project.identity.key
                for project in claude.discovery.projects
                if project.identity.kind != "claude"
            }
            for claude in here.claude
        }
        text = json.dumps(record, sort_keys=True)
        if text != self._service.index.get_meta(REMEMBERED):
            self._service.index.set_meta(REMEMBERED, text)

    # The listing.

    def _listing(self, here: _Here) -> list[ProjectInfo]:
        found: dict[str, ProjectInfo] = {}
        links = self._service.config.project_links
        for claude in here.claude:
            for key, claimants in claude.discovery.ambiguous.items():
                if claude.paths.folder_of(key) is None:
                    found[key] = _ambiguous(key, claimants)
            set_aside = {p.claude_folder for p in claude.discovery.projects if p.claimed and p.claimed != p.identity}
            for key in sorted({*self._vault_keys(claude.folder_id), *claude.discovery.ambiguous, *links}):
                if key not in found and key not in set_aside:
                    found[key] = self._claude_project(claude, key)
        for folder in self._service.index.folder_defs().values():
            if folder.project and not folder.removed:
                found[folder.project] = self._project_folder(folder, found.get(folder.project), here)
        return sorted(found.values(), key=lambda info: (info.name.lower(), info.identity))

    def _claude_project(self, claude: _ClaudeFolder, key: str) -> ProjectInfo:
        identity = ProjectIdentity.from_key(key)
        local = next((p for p in claude.discovery.projects if p.identity.key == key), None)
        if identity is None:
            identity = local.identity if local is not None else ProjectIdentity("claude", key)
        name = identity.name
        folder = claude.paths.folder_of(key)
        if folder is None:
            return ProjectInfo(
                key,
                name,
                identity.describe(),
                _remote(identity),
                None,
                None,
                ProjectState.WAITING,
                f"{name}'s memory waits until you open the project here "
                f"(or tell memtray where it is: memtray projects link {key} PATH).",
            )
        place = claude.paths.place_of(key) or (local.checkout if local is not None else None)
        problem = local.problem if local is not None else None
        detail = f"{name}'s memory is in {claude.root / PROJECTS / folder / 'memory'}." + (
            f" {problem}" if problem else ""
        )
        return ProjectInfo(
            key,
            name,
            identity.describe(),
            _remote(identity),
            str(place) if place else None,
            folder,
            ProjectState.PLACED,
            detail,
        )

    def _project_folder(self, folder: FolderDef, memory: ProjectInfo | None, here: _Here) -> ProjectInfo:
        identity = ProjectIdentity.from_key(folder.project) or ProjectIdentity("claude", folder.project)
        place = self._service.config.folder_paths.get(folder.folder_id)
        if memory is not None:
            return ProjectInfo(
                memory.project_id,
                memory.name,
                memory.identity,
                memory.remote,
                place or memory.local_path,
                memory.claude_folder,
                memory.state,
                memory.detail + (f" Its folder '{folder.name}' syncs {place}." if place else ""),
            )
        found = here.place_of(folder.project, self._service.config.project_links)
        if place is not None:
            state, detail = ProjectState.PLACED, f"'{folder.name}' syncs {place}."
        elif found is not None:
            place, state = str(found), ProjectState.PLACED
            detail = f"'{folder.name}' will sync {found} from the next sync on."
        else:
            state, detail = (
                ProjectState.WAITING,
                f"'{folder.name}' waits until {identity.name} is on this laptop "
                f"(or tell memtray where it is: memtray projects link {folder.project} PATH).",
            )
        return ProjectInfo(
            folder.project, identity.name, identity.describe(), _remote(identity), place, None, state, detail
        )

    def _info(self, key: str) -> ProjectInfo:
        return next(info for info in self._listing(self._look(search=False, keep=True)) if info.project_id == key)

    def _resolve(self, project_id: str) -> str:
        """The key of the project called ``project_id`` (its key, or a name only one project has)."""
        listed = self._listing(self._look(search=False, keep=True))
        if any(info.project_id == project_id for info in listed):
            return project_id
        named = [info for info in listed if info.name.lower() == project_id.lower()]
        if len(named) == 1:
            return named[0].project_id
        if named:
            ids = ", ".join(info.project_id for info in named)
            raise UsageError(f"Several projects are called '{project_id}'. Use one of their ids: {ids}.")
        raise UsageError(f"There is no project called '{project_id}'. 'memtray projects' lists them.")

    def _check_same_project(self, key: str, place: Path) -> None:
        """A folder of another repository is never linked to a project: two projects must never share memory."""
        identity = ProjectIdentity.from_key(key)
        if identity is None or identity.kind != "git":
            return
        try:
            actual = identity_of(place, Path.home())
        except UsageError:
            return
        if actual.kind == "git" and actual.value != identity.value:
            raise UsageError(
                f"{place} is the repository {actual.value}, not {identity.value}, so memtray did not link it. "
                f"Give the folder where {identity.name} is checked out."
            )


def _ambiguous(key: str, claimants: list[LocalProject]) -> ProjectInfo:
    identity = ProjectIdentity.from_key(key)
    describe = identity.describe() if identity is not None else key
    name = identity.name if identity is not None else key
    count = {2: "Two", 3: "Three"}.get(len(claimants), str(len(claimants)))
    return ProjectInfo(
        key,
        name,
        describe,
        _remote(identity) if identity is not None else None,
        None,
        None,
        ProjectState.AMBIGUOUS,
        f"{count} folders on this laptop belong to {describe}: choose one with "
        f"'memtray projects link {key} PATH'. Until then each keeps its own memory.",
    )


def _remote(identity: ProjectIdentity) -> str | None:
    return identity.value if identity.kind == "git" else None


def meta_object(text: str | None) -> dict[str, Any]:
    """The JSON object stored in an index meta value, or an empty one when it is absent or not an object."""
    try:
        loaded = json.loads(text or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
