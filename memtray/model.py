"""Plain data the service layer returns to the CLI and the tray app.

What a sync uses is made here, at import; the rest (memtray/model_other.py) is loaded on first use, since every
dataclass takes a fraction of a millisecond to make and a command-line sync pays for each.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from memtray.model_other import ActivityItem as ActivityItem
    from memtray.model_other import ConflictTexts as ConflictTexts
    from memtray.model_other import DeviceInfo as DeviceInfo
    from memtray.model_other import InitResult as InitResult
    from memtray.model_other import JoinResult as JoinResult
    from memtray.model_other import RemovalResult as RemovalResult
    from memtray.model_other import Status as Status
    from memtray.model_other import VersionInfo as VersionInfo

OTHER = frozenset(
    (
        "ActivityItem",
        "ConflictTexts",
        "DeviceInfo",
        "InitResult",
        "JoinResult",
        "RemovalResult",
        "Status",
        "VersionInfo",
    )
)


@dataclass(frozen=True)
class FolderInfo:
    """A synced folder: where it is on this laptop (None while it waits for a place), what it includes and
    excludes, and how many files it holds."""

    folder_id: str
    name: str
    path: str | None
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    file_count: int

    @property
    def waiting(self) -> bool:
        """Defined in the vault but not yet given a place on this laptop."""
        return self.path is None


@dataclass(frozen=True)
class FileProblem:
    """A file a sync skipped, and why, in plain words."""

    folder: str
    path: str
    message: str


@dataclass(frozen=True)
class ConflictInfo:
    """Two laptops changed the same lines of a file: one text stayed in the file, the other was set aside in
    ``copy_path``. ``kept_from`` and ``other_device`` name the laptop each text came from (this laptop's own
    name included); ``kept_is_mine`` / ``other_is_mine`` say which of them is this laptop."""

    conflict_id: int
    folder: str
    path: str
    copy_path: str | None
    time: float
    other_device: str
    resolved: bool
    kept_from: str = ""
    kept_is_mine: bool = False
    other_is_mine: bool = False

    @property
    def other_from(self) -> str:
        return self.other_device


@dataclass(frozen=True)
class FileNotice:
    """Something a sync did to one file that the person should hear about once (see SyncResult)."""

    folder: str
    path: str
    other_device: str


@dataclass(frozen=True)
class HeldFile:
    """A file the secret guard kept on this laptop: what it found where (never the secret itself)."""

    folder_id: str
    folder: str
    path: str
    line: int
    finding: str


class ProjectState(enum.Enum):
    PLACED = "placed"
    """Its memory lives in this laptop's own Claude Code folder for the project."""
    WAITING = "waiting"
    """Its memory is in the vault, but the project is not on this laptop (yet)."""
    AMBIGUOUS = "ambiguous"
    """Several folders on this laptop claim it; the person chooses one (``projects link``)."""


@dataclass(frozen=True)
class ProjectInfo:
    """One project as memtray matches it across laptops: by repository, else by its place in the home folder."""

    project_id: str
    name: str
    identity: str
    remote: str | None
    local_path: str | None
    claude_folder: str | None
    state: ProjectState
    detail: str


class DeletedBy(enum.Enum):
    THIS_LAPTOP = "this laptop"
    ANOTHER_LAPTOP = "another laptop"


@dataclass(frozen=True)
class MassDeleteQuestion:
    """A sync stopped before deleting most of a folder (at least 3 files and more than half of them); nothing
    was sent and nothing was deleted. The caller asks the person, and a yes is a sync that passes this question
    back: it allows deletions in this folder, by the same side, of at most this many files."""

    folder_id: str
    folder: str
    deleted: int
    files: int
    deleted_by: DeletedBy

    def message(self, how_to_agree: str = "choose Sync anyway in memtray's menu") -> str:
        if self.deleted_by is DeletedBy.THIS_LAPTOP:
            return (
                f"{self.deleted} of {self.files} files in '{self.folder}' are missing on this laptop. If you deleted "
                f"them on purpose, {how_to_agree}; otherwise put them back. Nothing was sent."
            )
        return (
            f"Another laptop deleted {self.deleted} of the {self.files} files in '{self.folder}'. memtray paused "
            f"before deleting them here. If that is what you want, {how_to_agree}. Nothing was changed on this laptop."
        )

    def allowed_by(self, yes: MassDeleteQuestion | None) -> bool:
        return (
            yes is not None
            and yes.folder_id == self.folder_id
            and yes.deleted_by is self.deleted_by
            and self.deleted <= yes.deleted
        )


@dataclass
class SyncResult:
    """What one sync did; or, when ``mass_delete`` is set, that it stopped before changing anything."""

    uploaded: int = 0
    downloaded: int = 0
    deleted_here: int = 0
    merged: int = 0
    conflicts: list[ConflictInfo] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    new_devices: list[str] = field(default_factory=list)
    seconds: float = 0.0
    mass_delete: MassDeleteQuestion | None = None
    combined: list[FileNotice] = field(default_factory=list)
    """Files two laptops each had, with no earlier version in common: both texts were kept, combined."""
    displaced: list[FileNotice] = field(default_factory=list)
    """Files whose text from this laptop is no longer in the file (it is kept aside as a conflict copy)."""
    held: list[HeldFile] = field(default_factory=list)
    """Files the secret guard kept on this laptop instead of sending them."""
    joined: list[str] = field(default_factory=list)
    """Laptops the roster added since the last sync, by name: every laptop says "A new laptop joined: NAME"."""
    left: list[str] = field(default_factory=list)
    """Laptops the roster removed since the last sync, by name."""
    refused: list[str] = field(default_factory=list)
    """Plain sentences, one per laptop whose new changes were not applied (removed, or never a member)."""

    def quiet(self) -> bool:
        """Nothing was done, and there is nothing to tell: no change either way, no question, nothing held back."""
        return not any(getattr(self, item.name) for item in fields(self) if item.name != "seconds")

    def summary(self) -> str:
        """One line a person can read, e.g. 'Synced: 2 sent, 1 received, 1 conflict.'"""
        held = self.mass_delete
        if held is not None:
            return f"Nothing was synced: {held.deleted} of {held.files} files in '{held.folder}' would be deleted."
        parts = []
        if self.uploaded:
            parts.append(f"{self.uploaded} sent")
        if self.downloaded:
            parts.append(f"{self.downloaded} received")
        if self.deleted_here:
            parts.append(f"{self.deleted_here} deleted here")
        if self.merged:
            parts.append(f"{self.merged} merged")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflict" + ("s" if len(self.conflicts) > 1 else ""))
        if self.problems:
            parts.append(f"{len(self.problems)} file" + ("s" if len(self.problems) > 1 else "") + " skipped")
        return "Synced: " + (", ".join(parts) if parts else "everything up to date") + "."


@dataclass(frozen=True)
class SyncProgress:
    """How far a sync has come in its current phase."""

    phase: str
    done: int
    total: int


ProgressCallback = Callable[[SyncProgress], None]


def __getattr__(name: str) -> Any:
    if name in OTHER:
        from memtray import model_other

        return getattr(model_other, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
