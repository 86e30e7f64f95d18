"""Writing other laptops' records into this laptop's transcripts (run after each sync).

A transcript is a set of records keyed by id (records.record_key; history lines by time, text and project). The
records the file lacks are added: a missing file is created whole; an existing one gets them appended at its
end, and only when it is *quiet* (unchanged for ``QUIET_SECONDS`` and ending with a complete line), so a file
the agent is writing is never touched under it. Claude Code reads a transcript as records linked by
``parentUuid``, so records appended at the end take their place in the conversation wherever they belong.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path

from memtray.paths import write_private_atomic
from memtray.sessions.records import NEWLINE, complete_lines, history_key, parse, record_key
from memtray.sessions.state import ExportState, sent_up_to

QUIET_SECONDS = 5.0


class Outcome(Enum):
    CREATED = "created"
    APPENDED = "appended"
    UNCHANGED = "unchanged"
    BUSY = "busy"
    """The agent wrote the file a moment ago, or is writing a line: tried again at the next sync."""


def transcript_key(line: bytes) -> str:
    return record_key(line, parse(line))


def history_line_key(line: bytes) -> str:
    record = parse(line)
    return history_key(record) if record is not None else record_key(line, None)


def merge_into(
    target: Path, lines: Iterable[bytes], key: Callable[[bytes], str], state: ExportState, now: float | None = None
) -> Outcome:
    """Add to ``target`` the ``lines`` whose key it does not hold yet, in their order. When this laptop had sent
    all of ``target`` before, it counts as sent with the added lines too (they came from other laptops)."""
    wanted = _unique(lines, key)
    try:
        stat = os.stat(target)
    except FileNotFoundError:
        if not wanted:
            return Outcome.UNCHANGED
        write_private_atomic(target, b"".join(line + NEWLINE for line in wanted))
        state.put(target, sent_up_to(target, os.path.getsize(target)))
        return Outcome.CREATED
    if not _quiet(target, stat, now if now is not None else time.time()):
        return Outcome.BUSY
    data = target.read_bytes()
    present, _ = complete_lines(data)
    held = {key(line) for line in present}
    missing = [line for line in wanted if key(line) not in held]
    if not missing:
        return Outcome.UNCHANGED
    sent = state.get(target)
    fully_sent = sent is not None and sent.offset == len(data) and state.still_prefix(target, sent)
    with target.open("ab") as handle:
        if os.fstat(handle.fileno()).st_size != len(data):
            return Outcome.BUSY
        handle.write(b"".join(line + NEWLINE for line in missing))
    if fully_sent:
        state.put(target, sent_up_to(target, os.path.getsize(target)))
    return Outcome.APPENDED


def merge_files(by_file: dict[str, list[bytes]], place: Callable[[str], Path], state: ExportState) -> tuple[bool, bool]:
    """Each session file's ``lines`` merged into its ``place`` here (see ``merge_into``): (whether any file was
    busy, whether any was created or added to)."""
    busy = written = False
    for file, lines in by_file.items():
        target = place(file)
        target.parent.mkdir(parents=True, exist_ok=True)
        outcome = merge_into(target, lines, transcript_key, state)
        busy = busy or outcome is Outcome.BUSY
        written = written or outcome in (Outcome.CREATED, Outcome.APPENDED)
    return busy, written


def _unique(lines: Iterable[bytes], key: Callable[[bytes], str]) -> list[bytes]:
    seen: set[str] = set()
    unique = []
    for line in lines:
        name = key(line)
        if name not in seen:
            seen.add(name)
            unique.append(line)
    return unique


def _quiet(target: Path, stat: os.stat_result, now: float) -> bool:
    if stat.st_mtime > now - QUIET_SECONDS:
        return False
    if stat.st_size == 0:
        return True
    with target.open("rb") as handle:
        handle.seek(stat.st_size - 1)
        return handle.read(1) == NEWLINE
