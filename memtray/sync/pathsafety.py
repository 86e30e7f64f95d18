"""Paths inside a folder: NFC, ``/``-separated, relative, and never escaping the folder root.

A path from the hub is checked even though it decrypted fine: a laptop with a bug, or an old
version, must not be able to make another laptop write outside the folder.
"""

from __future__ import annotations

import re
import unicodedata

DRIVE = re.compile(r"^[A-Za-z]:([/\\]|$)")
MAX_PATH_CHARS = 1024


class UnsafePath(ValueError):
    """The path would leave the folder or cannot be represented."""


def normalise(path: str) -> str:
    return unicodedata.normalize("NFC", path)


def check_relative(path: str) -> str:
    """``path`` if it is a safe relative path, else UnsafePath with the reason."""
    if not path or len(path) > MAX_PATH_CHARS:
        raise UnsafePath("the path is empty or too long")
    if "\x00" in path:
        raise UnsafePath("the path contains a NUL character")
    if path.startswith(("/", "\\")) or DRIVE.match(path):
        raise UnsafePath("the path is absolute")
    if "\\" in path:
        raise UnsafePath("the path uses a backslash")
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise UnsafePath("the path leaves its folder or has an empty part")
    if normalise(path) != path:
        raise UnsafePath("the path is not in normal Unicode form")
    return path
