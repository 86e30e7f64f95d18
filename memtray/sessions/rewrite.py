"""Paths of the sending laptop's project, rewritten to where the project is on this laptop.

A record's ``cwd`` and the paths in its texts (tool inputs such as ``file_path``, tool results, messages) that are
the sending laptop's project folder or lie inside it become the same paths under this laptop's project folder, so
a resumed session works on files that exist here. Every other path (the sending laptop's home, system folders,
other projects) stays as it is.
"""

from __future__ import annotations

import re
from typing import Any

from memtray.sessions.records import dump, parse

# A path starts and ends where a path character can no longer follow: "/srv/app" must not rewrite "/srv/application".
_START = r"(?<![\w./~-])"
_END = r"(?![^\s/\\\"'`:;,)\]}>|])"


class Rewriter:
    """Rewrites paths under ``source`` (the sending laptop's project folder) to ``target`` (this laptop's)."""

    def __init__(self, source: str, target: str) -> None:
        self._active = bool(source) and bool(target) and source != target
        self._source, self._target = source.rstrip("/") or source, target.rstrip("/") or target
        self._pattern = re.compile(_START + re.escape(self._source) + _END)

    def line(self, line: bytes) -> bytes:
        """The record on ``line`` with its paths rewritten; the line itself when nothing needs to change."""
        if not self._active or self._source.encode("utf-8") not in line:
            return line
        record = parse(line)
        if record is None:
            return line
        return dump(self.value(record))

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        return value

    def text(self, text: str) -> str:
        if not self._active or self._source not in text:
            return text
        return self._pattern.sub(lambda _: self._target, text)
