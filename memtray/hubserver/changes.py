"""Wake long-polling clients the moment their vault changes, without polling the database.

Each vault has one ``asyncio.Event`` that is set (and replaced) on every change. A waiter
takes the current event *before* reading the counter, so a change that commits between the
read and the wait still wakes it. Only this process's writes are seen; a multi-process
deployment would feed ``notify`` from the database (e.g. PostgreSQL LISTEN/NOTIFY).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable


class ChangeNotifier:
    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}

    def notify(self, vault_id: str) -> None:
        event = self._events.pop(vault_id, None)
        if event is not None:
            event.set()

    async def wait(self, vault_id: str, current: Callable[[], Awaitable[int]], cursor: int, timeout: float) -> int:
        """Return the vault's counter as soon as it differs from ``cursor``, or after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._events.setdefault(vault_id, asyncio.Event())
            counter = await current()
            remaining = deadline - loop.time()
            if counter != cursor or remaining <= 0:
                return counter
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
