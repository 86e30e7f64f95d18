"""Include/exclude globs, gitignore-style.

A pattern without ``/`` matches a file name in any folder (``*.md``); a pattern with ``/`` matches
the whole path from the folder root (``memory/*.md``); ``**`` matches any number of folders.
memtray's own temp files, the conflicts folder and credentials files (see ``is_credentials_file``) are never
tracked, whatever the globs say.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from functools import lru_cache

CONFLICTS_DIR = ".memtray-conflicts"
TEMP_PREFIX = ".memtray-tmp-"
DEFAULT_EXCLUDES = (".git/**", "**/.DS_Store", "**/Thumbs.db", "**/desktop.ini", "**/*.swp", "**/*~", "**/.~lock.*")
CREDENTIALS_NAMES = frozenset({".credentials.json", "auth.json"})


def is_credentials_file(path: str) -> bool:
    """A file that holds a login, in any folder: Claude Code's ``.credentials.json``, Codex's ``auth.json``, any
    ``*.pem``, and private SSH keys, named ``id_`` and something without an extension (``id_rsa``, ``id_ed25519``;
    ``id_rsa.pub`` is a public key and ``id_notes.md`` a note, so both sync)."""
    name = path[path.rfind("/") + 1 :].casefold()
    return name in CREDENTIALS_NAMES or name.endswith(".pem") or (name.startswith("id_") and "." not in name)


@lru_cache(maxsize=512)
def _expression(pattern: str) -> str:
    """The regular expression, as text, of one glob."""
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    out = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    directory_suffix = "(?:/.*)?"
    return f"^{prefix}{''.join(out)}{directory_suffix}$"


def _any_of(patterns: Sequence[str]) -> re.Pattern[str]:
    """One regular expression matching what any of ``patterns`` matches (one match call per path), compiled
    once: each glob's own expression is only text."""
    return re.compile("|".join(f"(?:{_expression(pattern)})" for pattern in patterns))


def _could_reach(pattern: str, directory: str) -> bool:
    """Can files matching the include ``pattern`` lie below ``directory``? Unanchored patterns can be anywhere."""
    if "/" not in pattern.rstrip("/"):
        return True
    wanted = pattern.strip("/").split("/")
    for depth, part in enumerate(directory.split("/")):
        if depth >= len(wanted) - 1 or wanted[depth] == "**":
            return depth < len(wanted) - 1 or wanted[-1] == "**"
        if not fnmatch.fnmatchcase(part, wanted[depth]):
            return False
    return True


class GlobFilter:
    def __init__(self, include: Sequence[str], exclude: Sequence[str]) -> None:
        self._include_patterns = tuple(include)
        self._include = _any_of(include) if include else None
        self._exclude = _any_of((*DEFAULT_EXCLUDES, *exclude))

    def tracks(self, path: str) -> bool:
        in_conflicts = path == CONFLICTS_DIR or path.startswith(f"{CONFLICTS_DIR}/")
        if in_conflicts or path[path.rfind("/") + 1 :].startswith(TEMP_PREFIX) or is_credentials_file(path):
            return False
        if self._include is not None and not self._include.match(path):
            return False
        return not self._exclude.match(path)

    def may_contain(self, directory: str) -> bool:
        """False when nothing below ``directory`` can be tracked (lets the scan skip whole trees)."""
        if directory.split("/", 1)[0] == CONFLICTS_DIR or self._exclude.match(f"{directory}/\x00"):
            return False
        return not self._include_patterns or any(_could_reach(p, directory) for p in self._include_patterns)
