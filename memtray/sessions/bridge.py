"""What a sync calls: ``before_sync`` (retention, then export) and ``after_sync`` (merge into this laptop).

Everything runs only on a laptop where the person turned "Also bring my Claude Code sessions" or "Also bring
my Codex sessions" on (each agent only when its own setting is on; Codex: codex.py). The first such
laptop adds the "Agent sessions" vault folder; every laptop that opts in places it in its own data folder. Two
laptops that add it at the same time make two such folders: each laptop writes into the one with the smaller id
and reads them all.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from memtray.paths import write_json_atomic
from memtray.presets import SESSIONS, sessions_preset
from memtray.sessions import codex
from memtray.sessions.chunks import CLAUDE, CLAUDE_HISTORY, Header, chunks_in, read_chunk, session_dirs
from memtray.sessions.chunks import signature as chunk_signature
from memtray.sessions.export import Exported, Source, export
from memtray.sessions.here import ProjectsHere
from memtray.sessions.merge import Outcome, history_line_key, merge_files, merge_into
from memtray.sessions.records import parse
from memtray.sessions.retention import DAY, expire
from memtray.sessions.rewrite import Rewriter
from memtray.sessions.state import ExportState
from memtray.sync.records import FolderDef

if TYPE_CHECKING:
    from memtray.service.base import ServiceBase

OPT_IN = "claude_sessions"
SECRETS = "claude_sessions_secrets"
DAYS = "sessions_days"
EXPORT_STATE = "sessions-export.json"
MERGE_STATE = "sessions-merged.json"
HISTORY = "history.jsonl"
_SAFE_PART = re.compile(r"[A-Za-z0-9_.-]{1,128}")
log = logging.getLogger(__name__)


@dataclass
class Merged:
    sessions: set[str] = field(default_factory=set)
    parked: set[str] = field(default_factory=set)
    busy: int = 0
    placed: bool = False
    """An "Agent sessions" folder another laptop added was placed here: its files arrive with another sync."""


class SessionBridge:
    def __init__(self, service: ServiceBase, claude_dir: Path | None = None, codex_dir: Path | None = None) -> None:
        self._service = service
        self._claude_dir = claude_dir if claude_dir is not None else Path.home() / ".claude"
        self._codex_dir = codex_dir

    def opted_in(self) -> bool:
        return self._claude_on() or self._codex_on()

    def _claude_on(self) -> bool:
        return bool(self._service.config.setting(OPT_IN))

    def _codex_on(self) -> bool:
        return bool(self._service.config.setting(codex.OPT_IN))

    def before_sync(self) -> Exported:
        """Delete this laptop's expired chunks, then write chunks for what its transcripts gained. A file that
        cannot be read or written is left for the next sync: the sync of everything else goes on."""
        done = Exported()
        if not self.opted_in():
            return done
        try:
            self._export(done)
        except OSError as exc:
            log.warning("Agent sessions were not all sent this time: %s", exc.strerror or type(exc).__name__)
        return done

    def _export(self, done: Exported) -> None:
        folders = self._placed_folders(create=True)
        config = self._service.config
        now = time.time()
        for staging in folders:
            done.expired += expire(staging, config.device_id, int(config.setting(DAYS)), now)
        here = ProjectsHere.look(self._service, self._claude_dir)
        state = ExportState(self._service.home.data_dir / EXPORT_STATE)
        cutoff = now - int(config.setting(DAYS)) * DAY
        if self._claude_on():
            for source in self._sources(here, folders[0], cutoff):
                export(source, state, config.device_id, str(config.setting(SECRETS)), done)
        if self._codex_on():
            for source in codex.CodexSessions(here, self._codex_dir).sources(folders[0], cutoff):
                export(source, state, config.device_id, str(config.setting(codex.SECRETS)), done)
        state.save()

    def after_sync(self) -> Merged:
        """Bring the other laptops' records into this laptop's transcripts and ``history.jsonl``."""
        merged = Merged()
        if not self.opted_in():
            return merged
        try:
            self._merge(merged)
        except OSError as exc:
            log.warning("Agent sessions were not all brought here: %s", exc.strerror or type(exc).__name__)
        return merged

    def _merge(self, merged: Merged) -> None:
        here = ProjectsHere.look(self._service, self._claude_dir)
        state = ExportState(self._service.home.data_dir / EXPORT_STATE)
        done_file = self._service.home.data_dir / MERGE_STATE
        done = _load(done_file)
        before = dict(done)
        known = set(self._service.config.folder_paths)
        folders = self._placed_folders(create=False)
        merged.placed = not known >= set(self._service.config.folder_paths)
        codex_sessions = codex.CodexSessions(here, self._codex_dir)
        from_codex = codex.CodexMerged()
        for staging in folders:
            if self._claude_on():
                for key, session, directory in session_dirs(staging):
                    self._merge_session(here, key, session, directory, state, done, merged)
                self._merge_history(here, staging / CLAUDE_HISTORY, state, done, merged)
            if self._codex_on():
                codex_sessions.merge(staging, self._service.config.device_id, state, done, from_codex)
        merged.parked |= from_codex.parked
        merged.busy += from_codex.busy
        state.save()
        if done != before:
            write_json_atomic(done_file, done)
        if merged.sessions:
            count = len(merged.sessions)
            self._service.index.add_activity(
                "sessions", "", "", f"{count} Claude Code session{'s' if count > 1 else ''} came from other laptops"
            )
        if from_codex.sessions:
            count = len(from_codex.sessions)
            self._service.index.add_activity(
                "sessions", "", "", f"{count} Codex session{'s' if count > 1 else ''} came from other laptops"
            )

    # The vault folder.

    def _placed_folders(self, *, create: bool) -> list[Path]:
        """The staging folders of the vault's "Agent sessions" folders, smallest id first; the folder is added
        to the vault (``create``) when it has none, and placed here when it is not yet."""
        service = self._service
        config = service.config
        preset = sessions_preset(service.home.data_dir)
        defs = sorted(
            (f for f in service.index.folder_defs().values() if f.preset == SESSIONS and not f.removed),
            key=lambda f: f.folder_id,
        )
        if not defs and create:
            folder = FolderDef(
                uuid.uuid4().hex, preset.folder_name, list(preset.include), [], False, (time.time(), config.device_id)
            )
            folder.preset = SESSIONS
            service.index.put_folder_def(folder, pending=True)
            defs = [folder]
        places = []
        changed = False
        for folder in defs:
            missing = [pattern for pattern in preset.include if pattern not in folder.include]
            if missing and create:  # a folder added before Codex sessions were brought: it takes their chunks too
                folder.include = [*folder.include, *missing]
                folder.stamp = (time.time(), config.device_id)
                service.index.put_folder_def(folder, pending=True)
            place = preset.path / folder.folder_id
            if config.folder_paths.get(folder.folder_id) != str(place):
                place.mkdir(parents=True, exist_ok=True)
                config.folder_paths[folder.folder_id] = str(place)
                changed = True
            places.append(place)
        if changed:
            service.save_config()
        return places

    # Export.

    def _sources(self, here: ProjectsHere, staging: Path, cutoff: float) -> list[Source]:
        home = str(Path.home())
        sources = []
        try:
            folders = sorted(entry for entry in here.projects_dir.iterdir() if entry.is_dir())
        except OSError:
            folders = []
        for folder in folders:
            key = here.key_of(folder.name)
            if key is None:
                continue
            root = here.root_of(key)
            for path in [*sorted(folder.glob("*.jsonl")), *sorted(folder.glob("*/subagents/*.jsonl"))]:
                file = path.relative_to(folder).as_posix()
                session = file.split("/", 1)[0].removesuffix(".jsonl")
                if not _safe(file) or not _recent(path, cutoff):
                    continue
                directory = staging / CLAUDE / key / session
                sources.append(Source(path, directory, Header(CLAUDE, file, root, home)))
        history = self._claude_dir / HISTORY
        if history.is_file():
            header = Header(CLAUDE, HISTORY, "", home, roots=here.roots())
            sources.append(Source(history, staging / CLAUDE_HISTORY, header, history=True))
        return sources

    # Merge.

    def _merge_session(
        self,
        here: ProjectsHere,
        key: str,
        session: str,
        directory: Path,
        state: ExportState,
        done: dict[str, str],
        merged: Merged,
    ) -> None:
        folder = here.folder_of(key)
        if folder is None:
            merged.parked.add(key)
            return
        me = self._service.config.device_id
        chunks = [chunk for chunk in chunks_in(directory) if chunk.device != me]
        signature = chunk_signature(chunks)
        if not chunks or done.get(str(directory)) == signature:
            return
        by_file: dict[str, list[bytes]] = {}
        local_root = here.root_of(key)
        for chunk in chunks:
            read = read_chunk(chunk.path)
            if read is None or not _belongs(read[0].file, session):
                continue
            rewriter = Rewriter(read[0].root, local_root)
            by_file.setdefault(read[0].file, []).extend(rewriter.line(line) for line in read[1])
        busy, written = merge_files(by_file, lambda file: here.projects_dir / folder / file, state)
        if written:
            merged.sessions.add(session)
        if busy:
            merged.busy += 1
        else:
            done[str(directory)] = signature

    def _merge_history(
        self, here: ProjectsHere, directory: Path, state: ExportState, done: dict[str, str], merged: Merged
    ) -> None:
        me = self._service.config.device_id
        chunks = [chunk for chunk in chunks_in(directory) if chunk.device != me]
        signature = chunk_signature(chunks)
        if not chunks or done.get(str(directory)) == signature:
            return
        lines = []
        local_roots = here.roots()
        for chunk in chunks:
            read = read_chunk(chunk.path)
            if read is None or read[0].file != HISTORY:
                continue
            for line in read[1]:
                lines.append(_localise_history(line, read[0].roots, local_roots))
        if merge_into(self._claude_dir / HISTORY, lines, history_line_key, state) is Outcome.BUSY:
            merged.busy += 1
        else:
            done[str(directory)] = signature


def _localise_history(line: bytes, roots: dict[str, str], local_roots: dict[str, str]) -> bytes:
    """A history line with its project's path rewritten to where the project is on this laptop."""
    record = parse(line)
    project = record.get("project") if record is not None else None
    if not isinstance(project, str):
        return line
    matching = [(root, key) for key, root in roots.items() if project == root or project.startswith(root + "/")]
    if not matching:
        return line
    root, key = max(matching)
    return Rewriter(root, local_roots.get(key, "")).line(line)


def _safe(file: str) -> bool:
    parts = file.split("/")
    return file.endswith(".jsonl") and all(_SAFE_PART.fullmatch(part) and part not in (".", "..") for part in parts)


def _belongs(file: str, session: str) -> bool:
    """A chunk's file is its session's transcript or one of its sub-agents' (nothing outside the project)."""
    return _safe(file) and (file == f"{session}.jsonl" or file.startswith(f"{session}/subagents/"))


def _recent(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime >= cutoff
    except OSError:
        return False


def _load(path: Path) -> dict[str, str]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
