"""The model's dataclasses that no sync uses (memtray/model.py hands them out on first use): what the other
commands return, about folders, laptops, conflicts, history and setup."""

from __future__ import annotations

from dataclasses import dataclass

from memtray.model import FileProblem, FolderInfo, HeldFile


@dataclass(frozen=True)
class DeviceInfo:
    """A laptop of the vault, as the roster and this laptop's index know it."""

    device_id: str
    name: str
    platform: str
    last_seen: float | None
    this_device: bool
    revoked: bool = False
    fingerprint: str = ""
    """Its laptop key's fingerprint (see memtray/membership/laptop_key.py); "" until it has one in the roster."""
    member: bool = True
    """False once it was removed, or for a laptop on an older memtray after a removal (its changes are refused)."""


@dataclass(frozen=True)
class ConflictTexts:
    """What the conflict view shows, each exactly what its button keeps: ``kept`` is the file's content now
    (keeping it leaves the file alone), ``other`` the text "keep the other" writes, ``proposal`` both texts
    combined (what "keep both" writes and "edit, then keep" starts from). ``kept_from`` / ``other_from`` name
    the laptop each text came from, in words to show ("this laptop" for this one)."""

    kept: str
    other: str
    kept_from: str
    other_from: str
    proposal: str


@dataclass(frozen=True)
class ActivityItem:
    """One line of the activity list: something a sync did to a file."""

    time: float
    kind: str
    folder: str
    path: str
    detail: str


@dataclass(frozen=True)
class VersionInfo:
    """One version of a file that this laptop keeps, as its history lists it."""

    version_id: int
    folder: str
    path: str
    time: float
    device_name: str
    size: int
    deleted: bool
    current: bool


@dataclass(frozen=True)
class Status:
    """How this laptop stands: ``memtray status`` and the tray's menu show it."""

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
    held: tuple[HeldFile, ...] = ()


@dataclass(frozen=True)
class InitResult:
    """A new vault: its id, this laptop's id, and the recovery key to show once."""

    vault_id: str
    device_id: str
    recovery_key: str


@dataclass(frozen=True)
class JoinResult:
    """A vault joined: its id, this laptop's id, and the vault's folders."""

    vault_id: str
    device_id: str
    folders: tuple[FolderInfo, ...]


@dataclass(frozen=True, repr=False)
class RemovalResult:
    """A laptop removed: its name, and the new recovery key to show once (the old one may have been seen on it)."""

    name: str
    recovery_key: str

    def __repr__(self) -> str:
        return f"RemovalResult(name={self.name!r})"
