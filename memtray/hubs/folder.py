"""A hub that is just a folder: a cloud-drive folder, a NAS share or a USB stick.

Objects are files named by their key. A write goes to a hidden temp file in the same folder,
is flushed, and is then hard-linked into place, which fails if the name exists: readers never see
a half-written object and a create never replaces one. Where the file system has no hard links,
Windows' rename (which refuses to replace) or a checked rename takes over; the latter is safe
because every laptop writes only its own keys under a per-home lock.

Reads and writes stay inside the hub folder: an object is read only if it is a regular file (never
a FIFO, device or symlink: it is opened without following a final symlink and without blocking, then
checked on the open handle), no bigger than ``max_object_size`` for its key, and reached through no
symlinked or junctioned folder; writes and deletes refuse such folders too.
"""

from __future__ import annotations

import builtins
import errno
import os
import stat
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from memtray.errors import (
    HubError,
    HubFullError,
    HubUnreachableError,
    ObjectExistsError,
    ObjectMissingError,
    UsageError,
)
from memtray.hubs.base import READ_CHUNK, check_declared_size, read_capped
from memtray.hubs.keys import is_valid_key

TEMP_PREFIX = ".tmp-"
NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
READ_FLAGS = os.O_RDONLY | NO_FOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _path_from_url(url: str) -> Path:
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    return Path(url)


class FolderHub:
    def __init__(self, url: str) -> None:
        self.url = url
        self.root = _path_from_url(url)

    def __repr__(self) -> str:
        return f"FolderHub({str(self.root)!r})"

    def create_root(self) -> None:
        """Make the hub folder (used when a vault is created there)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._error(exc, "create the storage folder") from exc

    def _require_root(self) -> None:
        if not self.root.is_dir():
            raise HubUnreachableError(
                f"The storage folder {self.root} is not there. If it is on a removable or network drive, connect it."
            )

    def _path(self, key: str) -> Path:
        if not is_valid_key(key):
            raise UsageError(f"'{key}' is not a valid name for a stored item.")
        return self.root.joinpath(*key.split("/"))

    def _require_inside(self, path: Path, key: str) -> None:
        """Refuse ``path`` when a symlink or junction in its folders leads out of the hub folder."""
        real_root = os.path.realpath(self.root)
        if os.path.realpath(path.parent) != os.path.join(real_root, *key.split("/")[:-1]):
            raise HubError(
                f"The stored item {key} is reached through a link to another folder, which memtray does not follow. "
                f"Replace the link in {self.root} with a real folder."
            )

    def put_new(self, key: str, data: bytes) -> None:
        self._require_root()
        target = self._path(key)
        temp = target.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
        try:
            self._require_inside(target, key)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(temp, "xb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            self._place(temp, target, key)
            _fsync_dir(target.parent)
        except (ObjectExistsError, HubError):
            raise
        except OSError as exc:
            raise self._error(exc, "write to the storage folder") from exc
        finally:
            temp.unlink(missing_ok=True)

    def _place(self, temp: Path, target: Path, key: str) -> None:
        try:
            os.link(temp, target)
            return
        except FileExistsError as exc:
            raise ObjectExistsError(f"Your storage already has {key}.") from exc
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
                raise
        if sys.platform != "win32" and target.exists():
            raise ObjectExistsError(f"Your storage already has {key}.")
        try:
            os.rename(temp, target)
        except FileExistsError as exc:
            raise ObjectExistsError(f"Your storage already has {key}.") from exc

    def get(self, key: str) -> bytes:
        self._require_root()
        path = self._path(key)
        try:
            self._require_inside(path, key)
            handle = os.open(path, READ_FLAGS)
        except FileNotFoundError as exc:
            raise ObjectMissingError(f"Your storage is missing {key}.") from exc
        except OSError as exc:
            if os.path.islink(path):
                raise _not_a_file(key) from exc
            raise self._error(exc, "read the storage folder") from exc
        try:
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode) or (not NO_FOLLOW and os.path.islink(path)):
                raise _not_a_file(key)
            check_declared_size(key, info.st_size)
            return read_capped(_chunks(handle), key)
        except OSError as exc:
            raise self._error(exc, "read the storage folder") from exc
        finally:
            os.close(handle)

    def list(self, prefix: str, after: str | None = None) -> builtins.list[str]:
        self._require_root()
        directory, _, _ = prefix.rpartition("/")
        start = self.root.joinpath(*directory.split("/")) if directory else self.root
        found: builtins.list[str] = []
        try:
            self._collect(start, directory, prefix, after, found)
        except OSError as exc:
            raise self._error(exc, "list the storage folder") from exc
        found.sort()
        return found

    def _collect(self, folder: Path, key_dir: str, prefix: str, after: str | None, found: builtins.list[str]) -> None:
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            key = f"{key_dir}/{entry.name}" if key_dir else entry.name
            if entry.is_dir(follow_symlinks=False):
                if key.startswith(prefix) or prefix.startswith(key + "/"):
                    self._collect(Path(entry.path), key, prefix, after, found)
            elif key.startswith(prefix) and (after is None or key > after) and is_valid_key(key):
                found.append(key)

    def delete(self, key: str) -> None:
        self._require_root()
        path = self._path(key)
        try:
            self._require_inside(path, key)
            path.unlink()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._error(exc, "delete from the storage folder") from exc

    def remove_stale_temps(self, older_than: float, now: float | None = None) -> int:
        """Delete the hub's temp files untouched for ``older_than`` seconds (left by killed writes of any laptop;
        a write in progress keeps its file fresh); how many went. Links are never followed."""
        self._require_root()
        cutoff = (time.time() if now is None else now) - older_than
        removed = 0
        for folder, dirs, names in os.walk(self.root, followlinks=False):
            dirs[:] = [name for name in dirs if not name.startswith(".")]
            for name in names:
                path = os.path.join(folder, name)
                if not name.startswith(TEMP_PREFIX):
                    continue
                try:
                    info = os.lstat(path)
                    if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                        os.unlink(path)
                        removed += 1
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise self._error(exc, "tidy the storage folder") from exc
        return removed

    def close(self) -> None:
        return None

    def _error(self, exc: OSError, doing: str) -> HubError:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return HubFullError(f"memtray could not {doing}: the disk holding {self.root} is full.")
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return HubError(f"memtray could not {doing}: permission denied for {self.root}.")
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ENODEV, errno.EIO, errno.ESTALE):
            return HubUnreachableError(f"memtray could not {doing} at {self.root}. Is the drive connected?")
        return HubError(f"memtray could not {doing} at {self.root} ({exc.strerror or type(exc).__name__}).")


def _not_a_file(key: str) -> HubError:
    return HubError(
        f"The stored item {key} is not an ordinary file (it is a link, a pipe or a device), so memtray did not read it."
    )


def _chunks(handle: int) -> Iterator[bytes]:
    while chunk := os.read(handle, READ_CHUNK):
        yield chunk


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
