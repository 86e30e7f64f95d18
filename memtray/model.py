"""Plain data the service layer returns to the CLI and the tray app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FolderInfo:
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
class DeviceInfo:
    device_id: str
    name: str
    platform: str
    last_seen: float | None
    this_device: bool
    revoked: bool = False


@dataclass(frozen=True)
class FileProblem:
    folder: str
    path: str
    message: str


@dataclass(frozen=True)
class ConflictInfo:
    conflict_id: int
    folder: str
    path: str
    copy_path: str | None
    time: float
    other_device: str
    resolved: bool


@dataclass(frozen=True)
class ActivityItem:
    time: float
    kind: str
    folder: str
    path: str
    detail: str


@dataclass(frozen=True)
class VersionInfo:
    version_id: int
    folder: str
    path: str
    time: float
    device_name: str
    size: int
    deleted: bool
    current: bool


@dataclass
class SyncResult:
    uploaded: int = 0
    downloaded: int = 0
    deleted_here: int = 0
    merged: int = 0
    conflicts: list[ConflictInfo] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    new_devices: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line a person can read, e.g. 'Synced: 2 sent, 1 received, 1 conflict.'"""
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
    phase: str
    done: int
    total: int


ProgressCallback = Callable[[SyncProgress], None]


@dataclass(frozen=True)
class Status:
    set_up: bool
    vault_id: str | None = None
    device_id: str | None = None
    device_name: str | None = None
    hub_url: str | None = None
    hub_kind: str | None = None
    folders: tuple[FolderInfo, ...] = ()
    last_sync: float | None = None
    last_error: str | None = None
    pending_changes: int = 0
    open_conflicts: int = 0
    problems: tuple[FileProblem, ...] = ()
    paused: bool = False


@dataclass(frozen=True)
class InitResult:
    vault_id: str
    device_id: str
    recovery_key: str


@dataclass(frozen=True)
class JoinResult:
    vault_id: str
    device_id: str
    folders: tuple[FolderInfo, ...]
