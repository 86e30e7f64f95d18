"""A bounded pool of PostgreSQL connections for one hub process, and how to name a database safely.

At most ``size`` connections are open at once; a request that finds them all taken waits up to
``wait_seconds`` and then gives up with ``StorageBusyError`` (the hub answers 503, retry later).
A connection that broke (server restarted, network cut) is dropped and replaced on next use.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import conninfo_to_dict

from memtray.hubserver.storage import StorageBusyError

CONNECT_SECONDS = 10


@dataclass(frozen=True)
class PoolLimits:
    """``size`` connections at most; a request waits ``wait_seconds`` for one and ``lock_seconds`` for a row lock.

    Past either wait the request ends as busy (503, retry later) instead of holding a request forever.
    """

    size: int = 10
    wait_seconds: float = 10.0
    lock_seconds: float = 10.0
    statement_seconds: float = 30.0


DEFAULT_LIMITS = PoolLimits()


class DatabaseUnreachableError(Exception):
    """The hub could not open a connection to its PostgreSQL database; the message is safe to show."""


def describe(url: str) -> str:
    """``user@host:port/dbname`` of a connection URL, never its password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "an unreadable database address"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"{user}{parts.get('host') or 'localhost'}{port}/{parts.get('dbname') or ''}"


def connect(
    url: str, *, autocommit: bool = False, limits: PoolLimits = DEFAULT_LIMITS
) -> psycopg.Connection[tuple[object, ...]]:
    """Open one connection, or raise DatabaseUnreachableError with a plain, password-free reason."""
    settings = {
        "lock_timeout": limits.lock_seconds,
        "statement_timeout": limits.statement_seconds,
        "idle_in_transaction_session_timeout": 2 * limits.statement_seconds,
    }
    try:
        return psycopg.connect(
            url,
            autocommit=autocommit,
            connect_timeout=CONNECT_SECONDS,
            options=" ".join(f"-c {name}={round(seconds * 1000)}" for name, seconds in settings.items()),
            application_name="memtray-hub",
        )
    except psycopg.Error as exc:
        raise DatabaseUnreachableError(
            f"The hub cannot open its PostgreSQL database {describe(url)}: {_reason(exc)}."
        ) from None


def _reason(exc: psycopg.Error) -> str:
    # A failed connection carries no SQLSTATE, only libpq's (English) message.
    said = str(exc)
    if exc.sqlstate in ("28P01", "28000") or "authentication failed" in said or "no password supplied" in said:
        return "the user name or password was not accepted"
    if exc.sqlstate == "3D000" or ("database" in said and "does not exist" in said):
        return "that database does not exist"
    if exc.sqlstate == "53300" or "too many clients" in said or "too many connections" in said:
        return "the database has too many connections open"
    if isinstance(exc, psycopg.ProgrammingError):
        return "the address is not a valid postgresql:// address"
    return "nothing answered there (is PostgreSQL running, and are the host and port right?)"


class ConnectionPool:
    def __init__(self, url: str, limits: PoolLimits = DEFAULT_LIMITS) -> None:
        self._url = url
        self._limits = limits
        self._idle: list[psycopg.Connection[tuple[object, ...]]] = []
        self._open = 0
        self._closed = False
        self._changed = threading.Condition()

    @property
    def open_connections(self) -> int:
        with self._changed:
            return self._open

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        conn = self._take()
        try:
            yield conn
        finally:
            self._give_back(conn)

    def close(self) -> None:
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._open -= len(idle)
            self._changed.notify_all()
        for conn in idle:
            conn.close()

    def _take(self) -> psycopg.Connection[tuple[object, ...]]:
        with self._changed:
            if not self._changed.wait_for(
                lambda: self._closed or self._idle or self._open < self._limits.size, self._limits.wait_seconds
            ):
                raise StorageBusyError("every database connection stayed in use")
            if self._closed:
                raise StorageBusyError("the hub is shutting down")
            if self._idle:
                return self._idle.pop()
            self._open += 1
        try:
            return connect(self._url, autocommit=True, limits=self._limits)
        except BaseException:
            with self._changed:
                self._open -= 1
                self._changed.notify()
            raise

    def _give_back(self, conn: psycopg.Connection[tuple[object, ...]]) -> None:
        healthy = not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with self._changed:
            keep = healthy and not self._closed
            if keep:
                self._idle.append(conn)
            else:
                self._open -= 1
            self._changed.notify()
        if not keep:
            conn.close()
