"""Claude Code's own rule for naming a project's folder under ``~/.claude/projects``.

Claude Code runs ``path.replace(/[^a-zA-Z0-9]/g, "-")`` on the path exactly as it sees it (no resolving, no
case folding: ``C:\\Users\\a\\x`` -> ``C--Users-a-x``, ``/mnt/c/x`` -> ``-mnt-c-x``). JavaScript strings are UTF-16,
so a character outside the Basic Multilingual Plane (an emoji) becomes two dashes. A name longer than 200
characters is cut to 200 and gets ``-`` plus a hash of the path; that hash differs between Claude Code builds,
so memtray never computes such a name and only recognises existing ones (``names_path``, ``NameIndex``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_NAME_LENGTH = 200
_CLAUDE_NAME = re.compile(r"[A-Za-z0-9-]+")
_HASH_SUFFIX = re.compile(r"-[0-9a-z]+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_OTHER = re.compile("[^A-Za-z0-9]")


def sanitised(path: str) -> str:
    """Every character that is not an ASCII letter or digit as "-" (two for astral characters), any length."""
    return _OTHER.sub("-", _ASTRAL.sub("--", path))


def claude_dir_name(path: str) -> str | None:
    """The folder Claude Code makes for ``path``; None when Claude would add a hash suffix (over 200 chars)."""
    if not path:
        return None
    name = sanitised(path)
    return name if len(name) <= MAX_NAME_LENGTH else None


def is_claude_name(name: str) -> bool:
    """True for names Claude's rule can produce: ASCII letters, digits and "-" only."""
    return _CLAUDE_NAME.fullmatch(name) is not None


def names_path(name: str, path: str) -> bool:
    """True when Claude Code would keep ``path``'s project in the folder called ``name``: its plain name, or its
    name with Claude's hash suffix. Folders made by older Claude Code versions, which replaced fewer characters,
    match too."""
    return name in NameIndex([name]).names_for(path)


class NameIndex:
    """Claude folder names, looked up by the path they stand for: its plain name, or its hash-suffixed name."""

    def __init__(self, names: Iterable[str]) -> None:
        self._plain: dict[str, list[str]] = {}
        self._hashed: dict[str, list[str]] = {}
        for name in names:
            plain = sanitised(name)
            if len(plain) <= MAX_NAME_LENGTH:
                self._plain.setdefault(plain, []).append(name)
            elif is_claude_name(name) and _HASH_SUFFIX.fullmatch(name[MAX_NAME_LENGTH:]) is not None:
                self._hashed.setdefault(name[:MAX_NAME_LENGTH], []).append(name)

    def names_for(self, path: str) -> list[str]:
        """The indexed names Claude Code would give ``path``'s folder (several only for look-alike names)."""
        full = sanitised(path)
        if len(full) <= MAX_NAME_LENGTH:
            return list(self._plain.get(full, ()))
        return list(self._hashed.get(full[:MAX_NAME_LENGTH], ()))
