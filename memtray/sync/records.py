"""The records sync works with: file versions, what is on disk, folder definitions, and the rows of the index."""

from __future__ import annotations

from dataclasses import dataclass, field

from memtray.sync.vectors import VersionVector

EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# With slots: a sync of a large vault holds one version, stamp and row per file (less memory, faster to build).
@dataclass(slots=True)
class FileVersion:
    """One version of one file, as every laptop agrees on it."""

    folder: str
    path: str
    vv: VersionVector
    deleted: bool
    sha: str
    size: int
    mtime: float
    origin: str
    resolved: bool = False
    blob: str | None = None
    combined: bool = False
    """Made by combining two laptops' texts that shared no earlier version (see reconcile.py): each laptop
    whose text it replaces says so once (see settle.py)."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.folder, self.path)

    def winner_key(self) -> tuple[float, str]:
        """Orders concurrent versions the same way on every laptop: later edit first, then device id."""
        return (self.mtime, self.origin)


@dataclass(slots=True)
class DiskStamp:
    """What this laptop last saw on disk for a file, and which version that was."""

    sha: str
    size: int
    mtime_ns: int
    inode: int
    vv: VersionVector

    def same_file(self, size: int, mtime_ns: int, inode: int) -> bool:
        return self.size == size and self.mtime_ns == mtime_ns and self.inode == inode


@dataclass(slots=True)
class FileRow:
    """The version this laptop holds, what its disk has, and whether the version still has to be sent."""

    version: FileVersion
    disk: DiskStamp | None
    pending: bool = False


@dataclass
class FolderDef:
    """A folder as the vault knows it; its place on each laptop is local config."""

    folder_id: str
    name: str
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    removed: bool = False
    stamp: tuple[float, str] = (0.0, "")
    preset: str = ""
    """The agent preset it was made from ("claude-code", …; see memtray.presets), "" for any other folder."""
    project: str = ""
    """The identity key of the project it lives in (see memtray.projects), "" when it is no project folder."""

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.folder_id,
            "name": self.name,
            "include": self.include,
            "exclude": self.exclude,
            "removed": self.removed,
            "stamp": [self.stamp[0], self.stamp[1]],
        }
        # Only when set, so a folder's JSON stays exactly what laptops running an older memtray wrote.
        data.update({key: value for key, value in self.tags().items() if value})
        return data

    def tags(self) -> dict[str, str]:
        """What the folder is beyond its files: the preset it came from, the project it belongs to."""
        return {"preset": self.preset, "project": self.project}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FolderDef:
        stamp = data["stamp"]
        assert isinstance(stamp, list)
        include, exclude = data.get("include", []), data.get("exclude", [])
        assert isinstance(include, list) and isinstance(exclude, list)
        return cls(
            folder_id=str(data["id"]),
            name=str(data["name"]),
            include=[str(item) for item in include],
            exclude=[str(item) for item in exclude],
            removed=bool(data.get("removed", False)),
            stamp=(float(stamp[0]), str(stamp[1])),
            preset=str(data.get("preset", "")),
            project=str(data.get("project", "")),
        )


@dataclass(frozen=True)
class StoredVersion:
    """A version in this laptop's history of a file, with when it was recorded here."""

    version_id: int
    version: FileVersion
    recorded: float


@dataclass(frozen=True)
class DeviceRecord:
    """A laptop of the vault as its log describes it: how far it wrote, and what it has applied from others."""

    device_id: str
    name: str
    platform: str
    last_seq: int
    last_seen: float | None
    acks: dict[str, int]


@dataclass(frozen=True)
class ActivityRecord:
    """One thing sync did to a file (``folder`` is the folder's id)."""

    time: float
    kind: str
    folder: str
    path: str
    detail: str


@dataclass(frozen=True)
class ConflictRecord:
    """Two laptops edited a file at once; ``current_sha`` is the text kept in place, ``other_sha`` the other one.
    ``kept_from`` / ``other_from`` are the ids of the laptops the two texts came from ("" in older indexes);
    ``other_device`` is the other text's laptop by name, as it was when the conflict happened."""

    conflict_id: int
    time: float
    folder: str
    path: str
    copy_path: str | None
    current_sha: str
    other_sha: str
    other_device: str
    resolved: bool
    kept_from: str = ""
    other_from: str = ""

    def same_texts(self, folder: str, path: str, sha_a: str, sha_b: str) -> bool:
        """The same conflict as another laptop's: same file, same two texts (in either role)."""
        return (self.folder, self.path) == (folder, path) and {self.current_sha, self.other_sha} == {sha_a, sha_b}


@dataclass(frozen=True)
class ProblemRecord:
    """A file the last sync of its folder had to skip, and why."""

    folder: str
    path: str
    message: str
