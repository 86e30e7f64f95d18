"""Secrets in transcripts: removed from what is sent ("redact"), or the chunk is held ("hold").

Transcripts are full of pasted tokens and ``.env`` contents. The secret guard's own detectors
(memtray.sync.secret_guard) find them. With "redact", each text inside a record that holds one has the line with
the secret replaced by a note saying what was removed (a private key from its first line to its last); the record
is otherwise kept as it was. With "hold", nothing is changed here: the chunk is written as it is and the sync's
secret guard holds it back like any file with a secret, so the person is told which session and can choose.
Whatever redaction cannot remove (a secret spread over a record's names and values) stays in the chunk, which the
sync's guard then holds: a secret is never sent silently.
"""

from __future__ import annotations

from typing import Any

from memtray.sessions.records import dump, parse
from memtray.sync.secret_guard import first_finding

REDACT = "redact"
HOLD = "hold"
PRIVATE_KEY = "a private key"
_MAX_ROUNDS = 50


def redact_lines(lines: list[bytes]) -> tuple[list[bytes], int]:
    """``lines`` with the secrets found in them removed, and how many secrets were removed."""
    cleaned = list(lines)
    removed = 0
    start = 0
    while start < len(cleaned):
        finding = first_finding(b"\n".join(cleaned[start:]))
        if finding is None:
            break
        position = start + finding.line - 1
        line, count = redact_line(cleaned[position])
        cleaned[position] = line
        removed += count
        start = position + 1
    return cleaned, removed


def redact_line(line: bytes) -> tuple[bytes, int]:
    """One record with the secrets in its texts removed, and how many were; a line that is not a JSON record is
    returned as it is (the sync's guard holds its chunk)."""
    record = parse(line)
    if record is None:
        return line, 0
    counter = [0]
    cleaned = _walk(record, counter)
    return (dump(cleaned), counter[0]) if counter[0] else (line, 0)


def _walk(value: Any, counter: list[int]) -> Any:
    if isinstance(value, str):
        return _clean_text(value, counter)
    if isinstance(value, list):
        return [_walk(item, counter) for item in value]
    if isinstance(value, dict):
        return {key: _walk(item, counter) for key, item in value.items()}
    return value


def _clean_text(text: str, counter: list[int]) -> str:
    for _ in range(_MAX_ROUNDS):
        finding = first_finding(text.encode("utf-8"))
        if finding is None:
            return text
        lines = text.split("\n")
        first = min(finding.line - 1, len(lines) - 1)
        last = first
        if finding.kind == PRIVATE_KEY:
            last = next((n for n in range(first, len(lines)) if "-----END" in lines[n]), len(lines) - 1)
        lines[first : last + 1] = [f"[memtray removed {finding.kind} here]"]
        text = "\n".join(lines)
        counter[0] += 1
    return text
