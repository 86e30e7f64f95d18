"""Transcript lines as memtray handles them: complete lines only, a key per record, and when a record was made."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

NEWLINE = b"\n"


def complete_lines(data: bytes) -> tuple[list[bytes], int]:
    """The complete lines of ``data`` (each without its newline, empty ones left out) and how many bytes they
    take; a last line without its newline is being written and is not taken."""
    end = data.rfind(NEWLINE) + 1
    return [line for line in data[:end].split(NEWLINE) if line.strip()], end


def parse(line: bytes) -> dict[str, Any] | None:
    """The JSON object on ``line``; None when it is not one."""
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def record_key(line: bytes, record: dict[str, Any] | None) -> str:
    """What makes a record the same record on every laptop: its ``uuid``, else the line itself (by its hash)."""
    if record is not None:
        uuid = record.get("uuid")
        if isinstance(uuid, str) and uuid:
            return uuid
    return "sha256:" + hashlib.sha256(line).hexdigest()


def history_key(record: dict[str, Any]) -> str:
    """A line of ``history.jsonl`` is the same line when its time, text and project are (Codex's: its session,
    time and text)."""
    if "session_id" in record and "display" not in record:
        return json.dumps([record.get("session_id"), record.get("ts"), record.get("text")], sort_keys=True)
    return json.dumps([record.get("timestamp"), record.get("display"), record.get("project")], sort_keys=True)


def made_at(record: dict[str, Any] | None) -> float | None:
    """When a record was made, in seconds since 1970: an ISO ``timestamp`` (transcripts) or milliseconds
    (Claude Code's ``history.jsonl``; Codex's ``ts`` in seconds); None when it says nothing readable."""
    if record is None:
        return None
    stamp = record.get("timestamp")
    seconds = record.get("ts")  # Codex's history.jsonl: seconds
    if stamp is None and isinstance(seconds, int | float) and not isinstance(seconds, bool):
        return float(seconds)
    if isinstance(stamp, bool):
        return None
    if isinstance(stamp, int | float):
        return float(stamp) / 1000.0
    if isinstance(stamp, str):
        try:
            return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def dump(record: dict[str, Any]) -> bytes:
    """One record as Claude Code writes it: compact JSON on one line, non-ASCII text as it is."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
