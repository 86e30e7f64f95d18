"""The records sync works with: file versions, what is on disk, folder definitions."""

from __future__ import annotations

from dataclasses import dataclass, field

from memtray.sync.vectors import VersionVector

EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
# File systems with coarse timestamps (FAT: 2 s; HFS+, ext3, many network shares: 1 s) can change a
# file twice without changing its size, mtime or inode. A file modified this close to when its stamp
# was taken is compared by content, not by its stamp.
RACY_NS = 2_000_000_000


@dataclass
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

    @property
    def key(self) -> tuple[str, str]:
        return (self.folder, self.path)

    def winner_key(self) -> tuple[float, str]:
        """Orders concurrent versions the same way on every laptop: later edit first, then device id."""
        return (self.mtime, self.origin)


@dataclass
class DiskStamp:
    """What this laptop last saw on disk for a file, and which version that was."""

    sha: str
    size: int
    mtime_ns: int
    inode: int
    vv: VersionVector

    def same_file(self, size: int, mtime_ns: int, inode: int) -> bool:
        return self.size == size and self.mtime_ns == mtime_ns and self.inode == inode


@dataclass
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

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.folder_id,
            "name": self.name,
            "include": self.include,
            "exclude": self.exclude,
            "removed": self.removed,
            "stamp": [self.stamp[0], self.stamp[1]],
        }

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
        )
