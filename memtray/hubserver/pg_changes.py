"""The change feed across hub processes: every process LISTENs on PostgreSQL and wakes its own long-polls.

``pg_store`` sends ``NOTIFY memtray_hub_changes, '<vault id>'`` in the same transaction as each
change, so PostgreSQL delivers it once the change is visible to every process. A thread here keeps
one connection listening and hands each vault id to the event loop, where ``ChangeNotifier`` wakes
that vault's waiters (which then read the counter, exactly as with SQLite), or ends a revoked
device's waits. If the connection drops, notifications may be lost while it is down: on
reconnecting the feed wakes every waiter, and each rereads its vault's counter, so no change is
missed, only a few waiters wake for nothing.
"""

from __future__ import annotations

import asyncio
import logging
import threading

import psycopg

from memtray.hubserver.changes import ChangeNotifier
from memtray.hubserver.pg_pool import CONNECT_SECONDS, DatabaseUnreachableError, connect
from memtray.hubserver.pg_store import CHANGES_CHANNEL

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
RECONNECT_SECONDS = (0.2, 5.0)


class PostgresChangeFeed:
    def __init__(self, url: str) -> None:
        self._url = url
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self._first_error: str | None = None

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    async def start(self, notifier: ChangeNotifier) -> None:
        """Listen from now on; raises DatabaseUnreachableError if the first connection fails."""
        loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._run, args=(loop, notifier), name="memtray-pg-changes", daemon=True)
        self._thread.start()
        if not await asyncio.to_thread(self._listening.wait, CONNECT_SECONDS + 5):
            await self.stop()
            raise DatabaseUnreachableError(self._first_error or "The hub could not listen for changes in time.")

    async def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, CONNECT_SECONDS + 5)

    def _run(self, loop: asyncio.AbstractEventLoop, notifier: ChangeNotifier) -> None:
        delay = RECONNECT_SECONDS[0]
        dropped = False
        while not self._stopping.is_set():
            try:
                with connect(self._url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANGES_CHANNEL}")
                    self._listening.set()
                    if dropped:
                        log.info("listening for changes again")
                        loop.call_soon_threadsafe(notifier.notify_all)
                    delay = RECONNECT_SECONDS[0]
                    self._relay(conn, loop, notifier)
            except (DatabaseUnreachableError, psycopg.Error) as exc:
                if self._first_error is None and isinstance(exc, DatabaseUnreachableError):
                    self._first_error = str(exc)
                if not self._stopping.is_set():
                    log.warning("lost the database's change feed; reconnecting")
                dropped = True
                self._listening.clear()
                self._stopping.wait(delay)
                delay = min(delay * 2, RECONNECT_SECONDS[1])

    def _relay(
        self, conn: psycopg.Connection[tuple[object, ...]], loop: asyncio.AbstractEventLoop, notifier: ChangeNotifier
    ) -> None:
        while not self._stopping.is_set():
            for note in conn.notifies(timeout=POLL_SECONDS):
                vault_id, _, revoked_device = note.payload.partition(" ")
                if revoked_device:
                    loop.call_soon_threadsafe(notifier.end_device, vault_id, revoked_device)
                else:
                    loop.call_soon_threadsafe(notifier.notify, vault_id)
