"""Turning what grew in this laptop's transcripts into new chunks (run before each sync).

Only complete lines are taken: a line the agent is still writing waits for the next sync. A transcript that only
grew sends its new lines; one that changed otherwise (see state.py), or that this laptop has not sent before,
sends only the records that no chunk of its session holds yet, so records that came from other laptops are not
sent back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from memtray.sessions.chunks import Header, chunks_in, read_chunk, write_chunks
from memtray.sessions.records import complete_lines, history_key, parse, record_key
from memtray.sessions.redact import REDACT, redact_lines
from memtray.sessions.state import ExportState, sent_up_to


@dataclass(frozen=True)
class Source:
    """One file to send: a transcript (or ``history.jsonl``) and where its chunks go."""

    path: Path
    directory: Path
    header: Header
    history: bool = False


@dataclass
class Exported:
    chunks: int = 0
    records: int = 0
    redacted: int = 0
    expired: int = 0
    """Chunks retention deleted."""

    @property
    def changed(self) -> bool:
        """True when the staging folder changed (chunks written or deleted)."""
        return bool(self.chunks or self.expired)


def export(source: Source, state: ExportState, device: str, secrets: str, done: Exported) -> None:
    """Write the chunk(s) for what ``source`` gained since it was last sent; record how far it was sent."""
    sent = state.get(source.path)
    if state.unchanged(source.path, sent):
        return
    tail_only = sent is not None and state.still_prefix(source.path, sent)
    start = sent.offset if tail_only and sent is not None else 0
    try:
        with source.path.open("rb") as handle:
            handle.seek(start)
            data = handle.read()
    except OSError:
        return
    lines, used = complete_lines(data)
    if not tail_only:
        known = _known_keys(source)
        lines = [line for line in lines if _key(source, line) not in known]
    if lines:
        if secrets == REDACT:
            lines, removed = redact_lines(lines)
            done.redacted += removed
        done.chunks += len(write_chunks(source.directory, device, source.header, lines))
        done.records += len(lines)
    state.put(source.path, sent_up_to(source.path, start + used))


def _key(source: Source, line: bytes) -> str:
    record = parse(line)
    if source.history:
        return history_key(record) if record is not None else record_key(line, None)
    return record_key(line, record)


def _known_keys(source: Source) -> set[str]:
    """The keys of the records every laptop's chunks already hold for the same file."""
    known: set[str] = set()
    for chunk in chunks_in(source.directory):
        read = read_chunk(chunk.path)
        if read is not None and read[0].file == source.header.file:
            known.update(_key(source, line) for line in read[1])
    return known
