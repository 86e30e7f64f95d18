"""Token buckets: ``rate`` requests a minute with a burst of ten seconds' worth, per client key.

``RedemptionLimits`` guards invite redemption, the one place a stranger can guess a secret: per
address and per invite prefix (so neither many addresses nor many guesses at one code get far),
and a hub-wide budget of failed redemptions.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

from memtray.hubserver import auth

MAX_TRACKED = 10_000
REDEEMS_PER_ADDRESS_PER_MINUTE = 120
REDEEMS_PER_INVITE_PREFIX_PER_MINUTE = 30
FAILED_REDEEMS_PER_MINUTE = 60
INVITE_PREFIX_CHARS = 8

log = logging.getLogger("memtray.hubserver")


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
            tokens = self._tokens(client, now)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                self._prune(now)
                return None
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self.refill

    def wait_needed(self, client: str) -> float | None:
        """Like ``acquire`` but spends nothing."""
        with self._lock:
            tokens = self._tokens(client, self._clock())
        return None if tokens >= 1.0 else (1.0 - tokens) / self.refill

    def _tokens(self, client: str, now: float) -> float:
        tokens, stamp = self._buckets.get(client, (self.capacity, now))
        return min(self.capacity, tokens + (now - stamp) * self.refill)

    def _prune(self, now: float) -> None:
        if len(self._buckets) <= MAX_TRACKED:
            return
        full_after = self.capacity / self.refill
        for client, (_, stamp) in list(self._buckets.items()):
            if now - stamp >= full_after:
                del self._buckets[client]


class RedemptionLimits:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_address = RateLimiter(REDEEMS_PER_ADDRESS_PER_MINUTE, clock)
        self.per_prefix = RateLimiter(REDEEMS_PER_INVITE_PREFIX_PER_MINUTE, clock)
        self.failures = RateLimiter(FAILED_REDEEMS_PER_MINUTE, clock)
        self._warned = False

    def admit_address(self, address: str) -> float | None:
        """Checked before a redemption's body is read: this address's budget and the hub-wide failure budget."""
        return self.failures.wait_needed("hub") or self.per_address.acquire(address)

    def admit_invite(self, code: str) -> float | None:
        return self.per_prefix.acquire(code[: len(auth.INVITE_PREFIX) + INVITE_PREFIX_CHARS])

    def failed(self) -> None:
        self.failures.acquire("hub")
        exhausted = self.failures.wait_needed("hub") is not None
        if exhausted and not self._warned:
            log.warning("many wrong invite codes: redemptions are paused for everyone for up to a minute")
        self._warned = exhausted


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
