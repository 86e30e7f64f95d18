"""File operations inside a synced folder that can never leave it.

The folder's root is used as the person gave it: it may itself be a link (``~/.claude`` pointing
elsewhere is their choice). Below the root, nothing that is a link is ever followed, for reading,
writing or deleting: not a symbolic link, not a Windows junction or any other name-surrogate reparse
point. Ordinary reparse points, such as OneDrive's files-on-demand, are not links.

Every operation walks its path from the root one folder at a time. Where the OS allows it (Linux,
macOS, the BSDs) each folder is opened with ``O_NOFOLLOW`` and the next step is taken relative to that
open folder (``openat`` and friends), so a folder swapped for a link between the scan and a write
cannot redirect the write. Elsewhere (Windows) each step is checked with ``lstat`` right before it.
Path parts are single names: ``..``, ``.``, separators and NUL are refused.

A link inside a synced folder is skipped: the scan reports it as a per-file problem ("is a link to
somewhere else; memtray does not follow links") and derives no deletion for anything below it, and a
write, delete or conflict copy whose way crosses a link is refused with the same kind of message.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Self

LINK_PROBLEM = "is a link to somewhere else; memtray does not follow links"
NAME_SURROGATE = 0x20000000
USE_DIR_FD = (
    hasattr(os, "O_NOFOLLOW")
    and hasattr(os, "O_DIRECTORY")
    and {os.open, os.mkdir, os.unlink, os.rmdir, os.rename, os.stat} <= os.supports_dir_fd
    and os.scandir in os.supports_fd
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_COMMON_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class LinkInTheWay(OSError):
    """A link stands at ``link`` (relative to the folder root) on the way to a path."""

    def __init__(self, link: str) -> None:
        super().__init__(errno.ELOOP, f"'{link}' {LINK_PROBLEM}")
        self.link = link

    def problem_for(self, path: str) -> str:
        """The per-file message for ``path``, which is the link itself or lies below it."""
        return LINK_PROBLEM if path == self.link else f"is inside '{self.link}', which {LINK_PROBLEM}"


def link_by_attributes(mode: int, attributes: int, reparse_tag: int) -> bool:
    """A symbolic link, or a Windows reparse point that stands for another name (junction, symlink)."""
    if stat.S_ISLNK(mode):
        return True
    return bool(attributes & stat.FILE_ATTRIBUTE_REPARSE_POINT) and bool(reparse_tag & NAME_SURROGATE)


def is_link(status: os.stat_result) -> bool:
    """``status`` comes from an ``lstat``: is it a link memtray must not follow?"""
    attributes = getattr(status, "st_file_attributes", 0)
    return link_by_attributes(status.st_mode, attributes, getattr(status, "st_reparse_tag", 0))


def entry_is_link(entry: os.DirEntry[str]) -> bool:
    return entry.is_symlink() or (entry.is_dir(follow_symlinks=False) and is_link(entry.stat(follow_symlinks=False)))


def _check_name(name: str) -> None:
    if name in ("", ".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise PermissionError(errno.EACCES, "the path leaves its folder")


class Folder:
    """One open folder at or below a synced folder's root; names passed to it are single path parts."""

    def __init__(self, fd: int | None, path: str, relative: str) -> None:
        self.fd = fd
        self.path = path
        self.relative = relative

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def below(self, name: str) -> str:
        return f"{self.relative}/{name}" if self.relative else name

    def _at(self, name: str) -> tuple[str, int | None]:
        _check_name(name)
        if self.fd is not None:
            return name, self.fd
        return os.path.join(self.path, name), None

    def lstat(self, name: str) -> os.stat_result | None:
        """The entry ``name`` itself (never what a link points to), or None if there is none."""
        target, fd = self._at(name)
        try:
            return os.stat(target, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def refuse_link(self, name: str) -> os.stat_result | None:
        """What stands at ``name`` now (None if nothing); LinkInTheWay if that is a link."""
        status = self.lstat(name)
        if status is not None and is_link(status):
            raise LinkInTheWay(self.below(name))
        return status

    def child(self, name: str, *, create: bool = False) -> Folder:
        """The sub-folder ``name``, made first if ``create``; LinkInTheWay if it is a link."""
        target, fd = self._at(name)
        if fd is None:
            return self._child_checked(name, target, create)
        try:
            return Folder(os.open(target, _DIR_FLAGS, dir_fd=fd), os.path.join(self.path, name), self.below(name))
        except FileNotFoundError:
            if not create:
                raise
        except OSError:
            self.refuse_link(name)
            raise
        with suppress(FileExistsError):
            os.mkdir(target, dir_fd=fd)
        return self.child(name)

    def _child_checked(self, name: str, target: str, create: bool) -> Folder:
        status = self.lstat(name)
        if status is None and create:
            with suppress(FileExistsError):
                os.mkdir(target)
            status = self.lstat(name)
        if status is None:
            raise FileNotFoundError(errno.ENOENT, "no such folder", target)
        if is_link(status):
            raise LinkInTheWay(self.below(name))
        if not stat.S_ISDIR(status.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", target)
        return Folder(None, target, self.below(name))

    def open_file(self, name: str, flags: int) -> int:
        """``os.open`` of ``name`` in this folder; LinkInTheWay if it is a link."""
        target, fd = self._at(name)
        if fd is None:
            self.refuse_link(name)
            return os.open(target, flags | _COMMON_FLAGS, 0o666)
        try:
            return os.open(target, flags | _NOFOLLOW | _COMMON_FLAGS, 0o666, dir_fd=fd)
        except OSError:
            self.refuse_link(name)
            raise

    def replace(self, source: str, name: str) -> None:
        """Move ``source`` over ``name`` (the entry itself is replaced, never what a link points to)."""
        source_path, fd = self._at(source)
        target, _ = self._at(name)
        os.replace(source_path, target, src_dir_fd=fd, dst_dir_fd=fd)

    def unlink(self, name: str) -> None:
        target, fd = self._at(name)
        os.unlink(target, dir_fd=fd)

    def rmdir(self, name: str) -> None:
        target, fd = self._at(name)
        os.rmdir(target, dir_fd=fd)

    def scandir(self) -> list[os.DirEntry[str]]:
        """Every entry; with an open folder their ``stat`` is relative to it, so use it while open."""
        with os.scandir(self.fd if self.fd is not None else self.path) as entries:
            return list(entries)


def open_root(root: Path) -> Folder:
    """The synced folder's root (followed if it is itself a link: that is the person's choice)."""
    if USE_DIR_FD:
        return Folder(os.open(root, _DIR_FLAGS & ~_NOFOLLOW), str(root), "")
    if not root.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(root))
    return Folder(None, str(root), "")


def _open_chain(root: Path, relative_dir: str, create: bool) -> list[Folder]:
    names = relative_dir.split("/") if relative_dir else []
    for name in names:
        _check_name(name)
    chain = [open_root(root)]
    try:
        for name in names:
            chain.append(chain[-1].child(name, create=create))
    except BaseException:
        _close_all(chain)
        raise
    return chain


def _close_all(chain: list[Folder]) -> None:
    for folder in chain:
        folder.close()


@contextmanager
def folders_to(root: Path, relative_dir: str, *, create: bool = False) -> Iterator[list[Folder]]:
    """Every folder from the root down to ``relative_dir`` ("" for the root), open; made if ``create``."""
    chain = _open_chain(root, relative_dir, create)
    try:
        yield chain
    finally:
        _close_all(chain)


@contextmanager
def parent_of(root: Path, relative: str, *, create: bool = False) -> Iterator[tuple[Folder, str]]:
    """The open folder holding ``relative``, and the file's name in it."""
    with OpenFolders(root) as folders:
        yield folders.parent(relative, create=create)


class OpenFolders:
    """The folders of one synced folder down to the last file used, kept open while the next files are in the same
    folder (a scan's reads, a pull's writes). Only open folders are kept: a folder known by its path alone is checked
    again every time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._directory: str | None = None
        self._chain: list[Folder] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        _close_all(self._chain)
        self._chain, self._directory = [], None

    def parent(self, relative: str, *, create: bool = False) -> tuple[Folder, str]:
        """The open folder holding ``relative`` (made if ``create``), and the file's name in it."""
        directory, _, name = relative.rpartition("/")
        _check_name(name)
        if directory != self._directory or self._chain[-1].fd is None:
            self.close()
            self._chain, self._directory = _open_chain(self.root, directory, create), directory
        return self._chain[-1], name


class Reader(OpenFolders):
    """Reads regular files of one synced folder."""

    def read(self, relative: str) -> bytes:
        """The content of ``relative``; OSError (maybe LinkInTheWay) if it is not a regular file here."""
        folder, name = self.parent(relative)
        descriptor = folder.open_file(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise IsADirectoryError(errno.EISDIR, "not a regular file", relative)
            return stream.read()


def read_bytes(root: Path, relative: str) -> bytes:
    """The content of the regular file ``relative``; OSError (maybe LinkInTheWay) if it can't be read."""
    with Reader(root) as reader:
        return reader.read(relative)


def unlink(root: Path, relative: str) -> None:
    """Delete the file ``relative`` if it is there; one behind a link is left alone (a link itself goes)."""
    with suppress(FileNotFoundError, LinkInTheWay), parent_of(root, relative) as (folder, name):
        folder.unlink(name)
