"""What the HTTP-based hubs (the memtray hub, WebDAV) share about trying a request again."""

from __future__ import annotations

from collections.abc import Mapping

LONGEST_RETRY_AFTER = 24 * 3600.0


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a server asked for in its Retry-After header, in seconds; None if absent, a date or absurd."""
    try:
        seconds = float(headers.get("Retry-After", ""))
    except ValueError:
        return None
    return seconds if 0 <= seconds < LONGEST_RETRY_AFTER else None
