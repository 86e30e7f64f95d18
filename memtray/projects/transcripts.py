"""The working folders Claude Code recorded in a project folder's transcripts (``<session>.jsonl``).

Each line of a transcript is one JSON record; most carry ``"cwd"``, the folder the session ran in (which can
change when a session moves into a sub-folder). Only a ``cwd`` that Claude's naming rule maps to this very folder
counts. Reading is bounded: the newest few non-empty transcripts, a prefix of each, and a cap on the folder
listing; lines that are not JSON objects, or are cut off by the prefix, are skipped.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path

from memtray.projects.claude_names import names_path

MAX_TRANSCRIPTS = 5
MAX_PREFIX_BYTES = 64 << 10
MAX_LISTING = 10_000
# A record cut off by the prefix still shows its cwd when only plain values come before it, as in Claude's own
# records ({"parentUuid":…,"isSidechain":false,"userType":"external","cwd":"…",…): then it is a top-level key.
_LEADING_CWD = re.compile(
    rb'^\{(?:"[A-Za-z_]+":(?:null|true|false|-?[0-9.]+|"(?:[^"\\]|\\.)*"),)*"cwd":("(?:[^"\\]|\\.)*")'
)


def recorded_folders(folder: Path) -> list[str]:
    """Distinct recorded folders that name ``folder`` (newest transcript first, at most one per transcript)."""
    found: list[str] = []
    for transcript in _newest_transcripts(folder):
        cwd = _first_matching_cwd(transcript, folder.name)
        if cwd is not None and cwd not in found:
            found.append(cwd)
    return found


def _newest_transcripts(folder: Path) -> list[Path]:
    dated: list[tuple[float, str]] = []
    try:
        with os.scandir(folder) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_LISTING:
                    break
                if entry.name.endswith(".jsonl") and entry.is_file(follow_symlinks=False):
                    try:
                        stat = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if stat.st_size:
                        dated.append((stat.st_mtime, entry.name))
    except OSError:
        return []
    dated.sort(key=lambda item: (-item[0], item[1]))
    return [folder / name for _, name in dated[:MAX_TRANSCRIPTS]]


def _first_matching_cwd(transcript: Path, folder_name: str) -> str | None:
    try:
        with transcript.open("rb") as handle:
            prefix = handle.read(MAX_PREFIX_BYTES + 1)
    except OSError:
        return None
    lines = prefix[:MAX_PREFIX_BYTES].split(b"\n")
    cut_off = lines.pop() if len(prefix) > MAX_PREFIX_BYTES else b""
    candidates = itertools.chain((_cwd_of(line) for line in lines), (_leading_cwd(line) for line in (cut_off,)))
    return next((cwd for cwd in candidates if cwd is not None and names_path(folder_name, cwd)), None)


def _cwd_of(line: bytes) -> str | None:
    if b'"cwd"' not in line:
        return None
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return _text(record.get("cwd")) if isinstance(record, dict) else None


def _leading_cwd(line: bytes) -> str | None:
    match = _LEADING_CWD.match(line)
    if match is None:
        return None
    try:
        return _text(json.loads(match.group(1)))
    except ValueError:
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
