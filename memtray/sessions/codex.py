"""Codex sessions: what to send from ``~/.codex`` and where the other laptops' records go here.

Codex keeps one *rollout* file per session, ``$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl``
(``CODEX_HOME`` defaults to ``~/.codex``). Its first line is ``session_meta`` (the session's ``id`` and ``cwd``,
the folder it ran in); the others are ``response_item``, ``event_msg``, ``turn_context`` (with ``cwd``) and
``compacted`` records. Records carry no id, so a record is the same record when its line is (records.record_key).
``$CODEX_HOME/history.jsonl`` holds one line per prompt: ``{"session_id", "ts", "text"}``.

A rollout belongs to the project its ``session_meta`` cwd is (memtray.projects.identify, as the memory sync
names projects). Chunks go to ``codex/<project key>/<session id>/`` (chunks.py). Another laptop writes the records
at the same place under its own ``sessions/`` folder (dates and names are the same everywhere), with the
sending laptop's project folder rewritten to its own, in ``cwd`` and every text, also inside a tool call's
``arguments`` (a JSON text of its own). A laptop where the project has no place keeps the session's chunks
waiting (parked).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memtray.errors import UsageError
from memtray.projects.identify import identity_of
from memtray.projects.identity import ProjectIdentity
from memtray.sessions.chunks import CODEX, CODEX_HISTORY, Header, chunks_in, read_chunk, session_dirs, signature
from memtray.sessions.export import Source
from memtray.sessions.here import ProjectsHere
from memtray.sessions.merge import Outcome, history_line_key, merge_files, merge_into
from memtray.sessions.records import parse
from memtray.sessions.rewrite import Rewriter
from memtray.sessions.state import ExportState

OPT_IN = "codex_sessions"
SECRETS = "codex_sessions_secrets"
HISTORY = "history.jsonl"
_ROLLOUT = re.compile(r"[0-9]{4}/[0-9]{2}/[0-9]{2}/rollout-[A-Za-z0-9_.-]{1,200}\.jsonl")
_SESSION = re.compile(r"[A-Za-z0-9_.-]{1,128}")


def codex_home() -> Path:
    """Codex's own folder on this laptop: ``$CODEX_HOME``, else ``~/.codex``."""
    configured = os.environ.get("CODEX_HOME")
    return Path(configured) if configured else Path.home() / ".codex"


@dataclass(frozen=True)
class Rollout:
    path: Path
    file: str
    """Relative to ``sessions/``: "2026/12/02/rollout-2026-12-02T09-15-00-<id>.jsonl"."""
    session: str
    cwd: str
    key: str


@dataclass
class CodexMerged:
    sessions: set[str] = field(default_factory=set)
    parked: set[str] = field(default_factory=set)
    busy: int = 0


class CodexRewriter(Rewriter):
    """The bridge's rewriting, also inside a tool call's ``arguments``: a JSON text whose paths are rewritten
    as values, so a project folder whose name holds a quote or a backslash cannot break it."""

    def value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: self._arguments(item) if key == "arguments" else self.value(item) for key, item in value.items()
            }
        return super().value(value)

    def _arguments(self, text: Any) -> Any:
        if not isinstance(text, str):
            return self.value(text)
        try:
            inner = json.loads(text)
        except (ValueError, RecursionError):
            return self.text(text)
        rewritten = self.value(inner)
        if rewritten == inner:
            return text
        plain = self.text(text)
        try:
            if json.loads(plain) == rewritten:
                return plain  # as Codex wrote it, only the paths changed
        except (ValueError, RecursionError):
            pass
        return json.dumps(rewritten, ensure_ascii=False, separators=(",", ":"))


class CodexSessions:
    def __init__(self, here: ProjectsHere, codex_dir: Path | None = None) -> None:
        self.here = here
        self.codex_dir = codex_dir if codex_dir is not None else codex_home()
        self.home = Path.home()
        self._own: dict[str, str] | None = None

    @property
    def sessions_dir(self) -> Path:
        return self.codex_dir / "sessions"

    def rollouts(self, cutoff: float = 0.0) -> list[Rollout]:
        """This laptop's rollouts changed since ``cutoff`` whose project memtray can name."""
        found = []
        for path in sorted(self.sessions_dir.glob("[0-9]*/[0-9]*/[0-9]*/rollout-*.jsonl")):
            file = path.relative_to(self.sessions_dir).as_posix()
            if not _ROLLOUT.fullmatch(file) or not _changed_since(path, cutoff):
                continue
            meta = _session_meta(path)
            cwd = meta.get("cwd") if meta else None
            session = meta.get("id") if meta else None
            if not isinstance(cwd, str) or not os.path.isabs(cwd):
                continue
            session = session if isinstance(session, str) and _SESSION.fullmatch(session) else path.stem
            key = _project_key(cwd, self.home)
            if key is not None and file.endswith(f"{session}.jsonl"):
                found.append(Rollout(path, file, session, cwd, key))
        return found

    def sources(self, staging: Path, cutoff: float) -> list[Source]:
        home = str(self.home)
        sources = [
            Source(r.path, staging / CODEX / r.key / r.session, Header(CODEX, r.file, r.cwd, home))
            for r in self.rollouts(cutoff)
        ]
        history = self.codex_dir / HISTORY
        if history.is_file():
            sources.append(Source(history, staging / CODEX_HISTORY, Header(CODEX, HISTORY, "", home), history=True))
        return sources

    def root_of(self, key: str) -> str:
        """The project's folder on this laptop: as the Claude Code side knows it, else a folder this laptop's own
        Codex sessions ran in, else the same place under the home folder; "" when it has none (parked)."""
        root = self.here.root_of(key)
        if root:
            return root
        if self._own is None:
            self._own = {}
            for rollout in self.rollouts():
                if os.path.isdir(rollout.cwd):
                    self._own.setdefault(rollout.key, rollout.cwd)
        if key in self._own:
            return self._own[key]
        identity = ProjectIdentity.from_key(key)
        if identity is not None and identity.kind == "home":
            candidate = self.home / identity.value
            if candidate.is_dir() and _project_key(str(candidate), self.home) == key:
                return str(candidate)
        return ""

    def merge(self, staging: Path, me: str, state: ExportState, done: dict[str, str], merged: CodexMerged) -> None:
        for key, session, directory in session_dirs(staging, CODEX):
            self._merge_session(key, session, directory, me, state, done, merged)
        chunks = [chunk for chunk in chunks_in(staging / CODEX_HISTORY) if chunk.device != me]
        mark = signature(chunks)
        if not chunks or done.get(str(staging / CODEX_HISTORY)) == mark:
            return
        lines = []
        for chunk in chunks:
            read = read_chunk(chunk.path)
            if read is not None and read[0].agent == CODEX and read[0].file == HISTORY:
                lines.extend(read[1])
        if merge_into(self.codex_dir / HISTORY, lines, history_line_key, state) is Outcome.BUSY:
            merged.busy += 1
        else:
            done[str(staging / CODEX_HISTORY)] = mark

    def _merge_session(
        self,
        key: str,
        session: str,
        directory: Path,
        me: str,
        state: ExportState,
        done: dict[str, str],
        merged: CodexMerged,
    ) -> None:
        chunks = [chunk for chunk in chunks_in(directory) if chunk.device != me]
        mark = signature(chunks)
        if not chunks or done.get(str(directory)) == mark:
            return
        root = self.root_of(key)
        if not root:
            merged.parked.add(key)
            return
        by_file: dict[str, list[bytes]] = {}
        for chunk in chunks:
            read = read_chunk(chunk.path)
            if read is None or read[0].agent != CODEX or not _belongs(read[0].file, session):
                continue
            rewriter = CodexRewriter(read[0].root, root)
            by_file.setdefault(read[0].file, []).extend(rewriter.line(line) for line in read[1])
        busy, written = merge_files(by_file, lambda file: self.sessions_dir / file, state)
        if written:
            merged.sessions.add(session)
        if busy:
            merged.busy += 1
        else:
            done[str(directory)] = mark


def _session_meta(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            record = parse(handle.readline())
    except OSError:
        return None
    payload = record.get("payload") if record is not None and record.get("type") == "session_meta" else None
    return payload if isinstance(payload, dict) else None


def _project_key(cwd: str, home: Path) -> str | None:
    try:
        return identity_of(Path(cwd), home).key
    except (UsageError, OSError, ValueError):
        return None


def _belongs(file: str, session: str) -> bool:
    """A chunk's file is its own session's rollout under ``sessions/`` (nothing elsewhere)."""
    return bool(_ROLLOUT.fullmatch(file)) and file.endswith(f"{session}.jsonl") and ".." not in file.split("/")


def _changed_since(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime >= cutoff
    except OSError:
        return False
