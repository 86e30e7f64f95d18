"""Include/exclude globs, gitignore-style.

A pattern without ``/`` matches a file name in any folder (``*.md``); a pattern with ``/`` matches
the whole path from the folder root (``memory/*.md``); ``**`` matches any number of folders.
memtray's own temp files and the conflicts folder are never tracked, whatever the globs say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

CONFLICTS_DIR = ".memtray-conflicts"
TEMP_PREFIX = ".memtray-tmp-"
DEFAULT_EXCLUDES = (".git/**", "**/.DS_Store", "**/Thumbs.db", "**/desktop.ini", "**/*.swp", "**/*~", "**/.~lock.*")


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
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
    return re.compile(f"^{prefix}{''.join(out)}{directory_suffix}$")


class GlobFilter:
    def __init__(self, include: Sequence[str], exclude: Sequence[str]) -> None:
        self._include = [_compile(pattern) for pattern in include] if include else None
        self._exclude = [_compile(pattern) for pattern in (*DEFAULT_EXCLUDES, *exclude)]

    def tracks(self, path: str) -> bool:
        first = path.split("/", 1)[0]
        if first == CONFLICTS_DIR or path.rsplit("/", 1)[-1].startswith(TEMP_PREFIX):
            return False
        if self._include is not None and not any(rule.match(path) for rule in self._include):
            return False
        return not any(rule.match(path) for rule in self._exclude)

    def may_contain(self, directory: str) -> bool:
        """False when nothing below ``directory`` can be tracked (lets the scan skip whole trees)."""
        if directory.split("/", 1)[0] == CONFLICTS_DIR:
            return False
        return not any(rule.match(directory) for rule in self._exclude)
