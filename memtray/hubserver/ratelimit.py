"""Per-client token buckets: ``rate`` requests a minute with a burst of ten seconds' worth."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

MAX_TRACKED = 10_000


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.refill = per_minute / 60.0
        self.capacity = max(1.0, per_minute / 6.0)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, client: str) -> float | None:
        """Spend one request for ``client``; None if allowed, else seconds until one is allowed."""
        now = self._clock()
        with self._lock:
            tokens, stamp = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.refill)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                self._prune(now)
                return None
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self.refill

    def _prune(self, now: float) -> None:
        if len(self._buckets) <= MAX_TRACKED:
            return
        full_after = self.capacity / self.refill
        for client, (_, stamp) in list(self._buckets.items()):
            if now - stamp >= full_after:
                del self._buckets[client]


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
