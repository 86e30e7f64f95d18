"""The files of the "Agent sessions" vault folder: append-only chunks, never edited once written.

Layout inside the staging folder (the same on every laptop)::

    claude/<project identity key>/<session id>/<device id>-<n:06d>.jsonl   records of one session's transcripts
    claude-history/<device id>-<n:06d>.jsonl                               lines of ~/.claude/history.jsonl
    codex/<project identity key>/<session id>/<device id>-<n:06d>.jsonl    records of one Codex rollout
    codex-history/<device id>-<n:06d>.jsonl                                lines of ~/.codex/history.jsonl

A chunk's first line is its header (``Header``): which agent and which file of the session it continues (the
session's transcript or one of its sub-agents'), the sending laptop's project root and home folder, and the time
of its newest record. Then come the records that were new since the laptop's previous chunk, one per line,
exactly as the agent wrote them (secrets redacted). A chunk holds at most ``CHUNK_MAX`` bytes of records.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from memtray.paths import write_private_atomic
from memtray.sessions.records import NEWLINE, made_at, parse

CHUNK_MAX = 1 << 20
CLAUDE = "claude"
CLAUDE_HISTORY = "claude-history"
CODEX = "codex"
CODEX_HISTORY = "codex-history"
AGENTS = ((CLAUDE, CLAUDE_HISTORY), (CODEX, CODEX_HISTORY))
_NAME = re.compile(r"([0-9a-f]{32})-([0-9]{6,})\.jsonl")


@dataclass(frozen=True)
class Header:
    agent: str
    file: str
    """Which file the records continue, relative to the project's folder ("<session>.jsonl", a sub-agent's
    "<session>/subagents/agent-<id>.jsonl"), or "history.jsonl"."""
    root: str
    """The sending laptop's project folder ("" when it does not know it): paths under it are rewritten."""
    home: str
    newest: float = 0.0
    """When the newest record in the chunk was made (seconds since 1970; 0 when none says)."""
    roots: dict[str, str] = field(default_factory=dict)
    """For history chunks: project identity key -> that project's folder on the sending laptop."""

    def to_line(self) -> bytes:
        return json.dumps({"memtray_chunk": 1, **asdict(self)}, sort_keys=True).encode("utf-8")

    @classmethod
    def from_line(cls, line: bytes) -> Header | None:
        data = parse(line)
        if data is None or data.get("memtray_chunk") != 1:
            return None
        try:
            roots = data.get("roots") or {}
            header = cls(
                str(data["agent"]),
                str(data["file"]),
                str(data["root"]),
                str(data["home"]),
                float(data.get("newest") or 0.0),
                {str(k): str(v) for k, v in roots.items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return header


@dataclass(frozen=True)
class Chunk:
    path: Path
    device: str
    number: int


def chunks_in(directory: Path) -> list[Chunk]:
    """The chunks in ``directory``, by device then number (files that are not chunks left out)."""
    found = []
    try:
        names = [entry.name for entry in directory.iterdir() if entry.is_file()]
    except OSError:
        return []
    for name in names:
        match = _NAME.fullmatch(name)
        if match is not None:
            found.append(Chunk(directory / name, match.group(1), int(match.group(2))))
    return sorted(found, key=lambda chunk: (chunk.device, chunk.number))


def session_dirs(staging: Path, agent: str = CLAUDE) -> Iterator[tuple[str, str, Path]]:
    """(project key, session id, folder) of every session of ``agent`` with chunks in the staging folder."""
    agent_dir = staging / agent
    try:
        projects = sorted(entry for entry in agent_dir.iterdir() if entry.is_dir())
    except OSError:
        return
    for project in projects:
        for session in sorted(entry for entry in project.iterdir() if entry.is_dir()):
            yield project.name, session.name, session


def signature(chunks: list[Chunk]) -> str:
    """What the chunks of a session are now (names and sizes): merged once, not again until they change."""
    digest = hashlib.sha256()
    for chunk in chunks:
        try:
            digest.update(f"{chunk.path.name}:{chunk.path.stat().st_size}\n".encode())
        except OSError:
            continue
    return digest.hexdigest()


def read_chunk(path: Path) -> tuple[Header, list[bytes]] | None:
    """A chunk's header and records; None when it cannot be read or is not a chunk."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    first, _, rest = data.partition(NEWLINE)
    header = Header.from_line(first)
    if header is None:
        return None
    return header, [line for line in rest.split(NEWLINE) if line.strip()]


def read_header(path: Path) -> Header | None:
    try:
        with path.open("rb") as handle:
            return Header.from_line(handle.readline())
    except OSError:
        return None


def write_chunks(directory: Path, device: str, header: Header, lines: list[bytes]) -> list[Path]:
    """Write ``lines`` as this laptop's next chunks in ``directory`` (several when they exceed ``CHUNK_MAX``)."""
    written: list[Path] = []
    number = max((chunk.number for chunk in chunks_in(directory) if chunk.device == device), default=0)
    for group in _groups(lines):
        number += 1
        times = [stamp for stamp in (made_at(parse(line)) for line in group) if stamp is not None]
        stamped = Header(header.agent, header.file, header.root, header.home, max(times, default=0.0), header.roots)
        path = directory / f"{device}-{number:06d}.jsonl"
        write_private_atomic(path, stamped.to_line() + NEWLINE + b"".join(line + NEWLINE for line in group))
        written.append(path)
    return written


def _groups(lines: list[bytes]) -> Iterator[list[bytes]]:
    group: list[bytes] = []
    size = 0
    for line in lines:
        if group and size + len(line) + 1 > CHUNK_MAX:
            yield group
            group, size = [], 0
        group.append(line)
        size += len(line) + 1
    if group:
        yield group
