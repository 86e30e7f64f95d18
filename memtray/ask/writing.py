"""The one write an agent may make: to the memory of the project it works in, and nowhere else.

The calling project is the folder the agent started ``memtray mcp`` in (agents start an MCP server in their
working folder; ``--project DIR`` names it where an agent does not), identified as memtray identifies every
project (memtray/projects/identify.py). Its memory is Claude Code's memory folder for that project,
``<Claude Code folder>/projects/<project>/memory/`` in the vault: the file the agent names must be a plain ``.md``
file there (``MEMORY.md`` when it names none). The text is written to this laptop's disk through memtray's checked
writer (never over an edit made meanwhile), so it syncs like any edit, and the write is recorded in Activity.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from memtray.ask.vault_view import AskError, VaultView, describe_project
from memtray.errors import UsageError
from memtray.projects.identify import identity_of
from memtray.projects.pathmap import PROJECTS
from memtray.service.projects import is_claude_folder
from memtray.sync import containment, localfs
from memtray.sync.records import DiskStamp, FolderDef

MEMORY_FILE = "MEMORY.md"
ACTIVITY_KIND = "agent-wrote"
ACTIVITY_DETAIL = "written by an agent through memtray"
MAX_WRITE = 256 * 1024


@dataclass(frozen=True)
class CallingProject:
    key: str
    name: str
    place: Path


@dataclass(frozen=True)
class Written:
    name: str
    size: int


def calling_project(place: Path) -> CallingProject:
    """The project the agent works in, from its working folder."""
    try:
        identity = identity_of(place, Path.home())
    except UsageError as exc:
        raise AskError(exc.message) from exc
    return CallingProject(identity.key, identity.name, place)


class MemoryWriter:
    def __init__(self, view: VaultView, project: CallingProject) -> None:
        self._view = view
        self.project = project

    def claude_folder(self) -> FolderDef:
        folder = next((f for f in self._view.folders().values() if is_claude_folder(f)), None)
        if folder is None:
            raise AskError(
                "memtray does not sync Claude Code's memory folder, so there is no project memory to add to."
            )
        return folder

    def target(self, name: str | None) -> tuple[FolderDef, str]:
        """The folder and vault path ``name`` means, if it is the calling project's memory; else AskError."""
        folder = self.claude_folder()
        memory = f"{PROJECTS}/{self.project.key}/memory/"
        own = f"{folder.name}/{memory}"
        chosen = name or own + MEMORY_FILE
        file_name = chosen[len(own) :] if chosen.startswith(own) else chosen
        if "/" in file_name or "\\" in file_name or not file_name.endswith(".md") or file_name.startswith("."):
            project_name = describe_project(self.project.key)[0]
            raise AskError(
                f"memtray lets an agent write only to its own project's memory ({project_name}: {own}), "
                f"so '{chosen}' was not changed."
            )
        return folder, memory + file_name

    def write(self, text: str, *, name: str | None = None, replace: str | None = None) -> Written:
        """Add ``text`` at the end of the memory file, or put it in place of the text ``replace``."""
        if len(text.encode("utf-8")) > MAX_WRITE:
            raise AskError("That text is too long for a memory note; keep it under 256 KB.")
        folder, path = self.target(name)
        root = self._view.root(folder.folder_id)
        disk_path = self._view.disk_path(folder.folder_id, path)
        shown = f"{folder.name}/{path}"
        if root is None or disk_path is None:
            raise AskError(
                f"This project has no memory folder on this laptop yet, so memtray cannot write {shown}. "
                "Open the project in Claude Code once, then try again."
            )
        current, expected = _current(root, disk_path)
        data = _changed(current, text, replace, shown)
        outcome = localfs.write_checked(
            root, disk_path, data, hashlib.sha256(data).hexdigest(), {}, expected, durable=True
        )
        if isinstance(outcome, str):
            raise AskError(f"{shown} {outcome}.")
        self._view.service.index.add_activity(ACTIVITY_KIND, folder.folder_id, path, ACTIVITY_DETAIL)
        return Written(shown, len(data))


def _current(root: Path, disk_path: str) -> tuple[bytes, DiskStamp | None]:
    """The file's bytes now and its stamp (None when it does not exist yet)."""
    target = root.joinpath(*disk_path.split("/"))
    try:
        before = os.lstat(target)
        data = containment.read_bytes(root, disk_path)
    except FileNotFoundError:
        return b"", None
    except OSError as exc:
        raise AskError(f"memtray could not read {disk_path} on this laptop ({exc.strerror or 'error'}).") from exc
    sha = hashlib.sha256(data).hexdigest()
    return data, DiskStamp(sha, before.st_size, before.st_mtime_ns, before.st_ino, {})


def _changed(current: bytes, text: str, replace: str | None, shown: str) -> bytes:
    old = current.decode("utf-8", errors="replace")
    if replace is None:
        if old and not old.endswith("\n"):
            old += "\n"
        return (old + text + ("" if text.endswith("\n") else "\n")).encode("utf-8")
    if not replace:
        raise AskError("Say which text to replace, or leave it out to add to the end.")
    count = old.count(replace)
    if count == 0:
        raise AskError(f"The text to replace is not in {shown}, so nothing was changed.")
    if count > 1:
        raise AskError(f"The text to replace appears {count} times in {shown}; give more of it, so it is found once.")
    return old.replace(replace, text).encode("utf-8")
