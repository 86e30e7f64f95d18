"""Sessions of the last N days stay on the hub; older ones stay only on the laptops that have them.

The laptop that wrote a chunk deletes it once the newest record of its session (of any laptop) is older than the
retention; the deletion syncs like any other. Transcripts in the agents' own folders are never deleted. A sync
asks before deleting more than half of a folder's files, so retention deletes at most that many per sync and
carries on at the next.
"""

from __future__ import annotations

from pathlib import Path

from memtray.sessions.chunks import AGENTS, Chunk, chunks_in, read_header, session_dirs
from memtray.sync.engine import MASS_DELETE_MIN

DAY = 24 * 60 * 60


def expire(staging: Path, device: str, days: int, now: float) -> int:
    """Delete this laptop's chunks of sessions quiet for more than ``days`` days; how many were deleted."""
    cutoff = now - days * DAY
    doomed: list[Chunk] = []
    total = 0
    for agent, history_dir in AGENTS:
        for _, _, directory in session_dirs(staging, agent):
            chunks = chunks_in(directory)
            total += len(chunks)
            newest = max((_newest(chunk) for chunk in chunks), default=0.0)
            if newest < cutoff:
                doomed.extend(chunk for chunk in chunks if chunk.device == device)
        history = chunks_in(staging / history_dir)
        total += len(history)
        doomed.extend(chunk for chunk in history if chunk.device == device and _newest(chunk) < cutoff)
    allowed = max(MASS_DELETE_MIN - 1, total // 2)
    deleted = 0
    for chunk in doomed[:allowed]:
        try:
            chunk.path.unlink()
        except OSError:
            continue
        deleted += 1
    return deleted


def _newest(chunk: Chunk) -> float:
    header = read_header(chunk.path)
    return header.newest if header is not None else float("inf")
