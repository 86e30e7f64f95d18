"""Wake long-polling clients the moment their vault changes, without polling the database.

Each vault has one ``asyncio.Event`` that is set (and replaced) on every change. A waiter
takes the current event *before* reading the counter, so a change that commits between the
read and the wait still wakes it. This process's writes call ``notify`` directly; with PostgreSQL,
a ``ChangeFeed`` (``pg_changes``) also feeds it every other process's writes.

Waits are capped in total and per device, so long-polls can never hold every connection the
hub has; past a cap a wait is refused at once. ``end_device`` ends a revoked device's waits.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Protocol

DEFAULT_MAX_WAITS = 500
MAX_WAITS_PER_DEVICE = 4


class TooManyWaitsError(Exception):
    """The hub, or this device, already has as many long-polls open as allowed."""


class WaitEndedError(Exception):
    """The waiting device was revoked."""


class ChangeFeed(Protocol):
    """Changes made by other hub processes (PostgreSQL's LISTEN/NOTIFY), fed into this process's notifier."""

    async def start(self, notifier: ChangeNotifier) -> None: ...

    async def stop(self) -> None: ...


class ChangeNotifier:
    def __init__(self, max_waits: int = DEFAULT_MAX_WAITS, max_waits_per_device: int = MAX_WAITS_PER_DEVICE) -> None:
        self.max_waits = max_waits
        self.max_waits_per_device = max_waits_per_device
        self._events: dict[str, asyncio.Event] = {}
        self._ended: dict[tuple[str, str], asyncio.Event] = {}
        self._waits: Counter[tuple[str, str]] = Counter()

    def notify(self, vault_id: str) -> None:
        event = self._events.pop(vault_id, None)
        if event is not None:
            event.set()

    def notify_all(self) -> None:
        """Wake every waiter (each rereads its vault's counter): for when changes may have gone unheard."""
        events, self._events = self._events, {}
        for event in events.values():
            event.set()

    def end_device(self, vault_id: str, device_id: str) -> None:
        ended = self._ended.get((vault_id, device_id))
        if ended is not None:
            ended.set()

    async def wait(
        self, vault_id: str, device_id: str, current: Callable[[], Awaitable[int]], cursor: int, timeout: float
    ) -> int:
        """Return the vault's counter as soon as it differs from ``cursor``, or after ``timeout``."""
        device = (vault_id, device_id)
        if self._waits.total() >= self.max_waits or self._waits[device] >= self.max_waits_per_device:
            raise TooManyWaitsError("too many waits")
        self._waits[device] += 1
        ended = self._ended.setdefault(device, asyncio.Event())
        try:
            return await self._wait(vault_id, ended, current, cursor, timeout)
        finally:
            self._waits[device] -= 1
            if not self._waits[device]:
                del self._waits[device]
                self._ended.pop(device, None)

    async def _wait(
        self, vault_id: str, ended: asyncio.Event, current: Callable[[], Awaitable[int]], cursor: int, timeout: float
    ) -> int:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._events.setdefault(vault_id, asyncio.Event())
            counter = await current()
            if ended.is_set():
                raise WaitEndedError("device revoked")
            remaining = deadline - loop.time()
            if counter != cursor or remaining <= 0:
                return counter
            woken = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(ended.wait())]
            try:
                await asyncio.wait(woken, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for future in woken:
                    future.cancel()
