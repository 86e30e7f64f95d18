"""Connections: the hub keeps answering while strangers hold sockets open.

- ``raise_open_file_limit`` lifts the soft open-file limit to the hard limit at start, and
  ``connection_cap`` keeps the number of connections comfortably below it, so accepting never fails:
  the event loop accepts ``ACCEPT_BATCH`` sockets a turn, and an evicted socket closes a turn or two later.
- ``GuardedH11Protocol`` is uvicorn's h11 protocol with a ``ConnectionGuard``: a new connection past the
  cap closes the oldest connection that is not in the middle of a request (still in its TLS handshake,
  still sending its request line and headers, or idle between requests); if every connection is busy,
  the new one is closed instead. A long-poll is busy, so ``changes.ChangeNotifier`` caps those.
- A request line and headers must arrive within ``header_seconds`` of the connection (or of the first
  byte of a later request on a kept-alive connection); the TLS handshake counts towards the first.
  uvicorn's ``timeout_keep_alive`` closes idle kept-alive connections.
- TLS is done here with ``loop.start_tls`` rather than by the event loop's server, so a connection that
  never finishes its handshake is counted, and closed, like any other.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

ACCEPT_BATCH = 32  # asyncio accepts up to its ``backlog`` sockets per loop turn before any protocol sees them
FD_RESERVE = 5 * ACCEPT_BATCH  # accepted batches in flight until evicted sockets close, plus the database
MIN_CONNECTIONS = 16
UNLIMITED_SOFT_LIMIT = 10240
WARN_EVERY_SECONDS = 60.0

log = logging.getLogger("memtray.hubserver")


def raise_open_file_limit() -> int | None:
    """Raise the soft open-file limit as far as allowed; the soft limit now in force (None where there is none)."""
    try:
        import resource
    except ImportError:  # Windows: no per-process descriptor limit to raise
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, UNLIMITED_SOFT_LIMIT)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return None if soft == resource.RLIM_INFINITY else soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError):
        return soft
    return wanted


def connection_cap(requested: int, open_files: int | None) -> int:
    if open_files is None:
        return requested
    return max(MIN_CONNECTIONS, min(requested, open_files - FD_RESERVE))


class ConnectionGuard:
    """The server's open connections in the order they came; lives on the event loop's thread."""

    def __init__(self, cap: int, header_seconds: float, ssl_context: ssl.SSLContext | None) -> None:
        self.cap = cap
        self.header_seconds = header_seconds
        self.ssl_context = ssl_context
        self._open: dict[GuardedH11Protocol, None] = {}
        self._warned_at = float("-inf")

    def admit(self, connection: GuardedH11Protocol) -> bool:
        """Count a new connection and make room past the cap; False when it is the one that had to go."""
        self._open[connection] = None
        if len(self._open) <= self.cap:
            return True
        if time.monotonic() - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = time.monotonic()
            log.warning("%d connections open, the most allowed: closing the oldest idle ones", self.cap)
        victim = next((c for c in self._open if c is not connection and c.evictable()), connection)
        victim.drop()
        return victim is not connection

    def release(self, connection: GuardedH11Protocol) -> None:
        self._open.pop(connection, None)


class GuardedH11Protocol(H11Protocol):
    guard: ClassVar[ConnectionGuard]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._raw: asyncio.Transport | None = None
        self._http_started = False
        self._header_timer: asyncio.TimerHandle | None = None
        self._handshake: asyncio.Task[None] | None = None
        self._early_data = b""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._raw = transport
        if not self.guard.admit(self):
            return
        self._arm_header_timer()
        if self.guard.ssl_context is None:
            self._start_http(transport)
        else:
            transport.pause_reading()
            self._handshake = self.loop.create_task(self._start_tls(transport, self.guard.ssl_context))

    async def _start_tls(self, raw: asyncio.Transport, context: ssl.SSLContext) -> None:
        tls: asyncio.Transport | None = None
        if not raw.is_closing():
            try:
                tls = await self.loop.start_tls(raw, self, context, server_side=True)
            except OSError:  # a failed or aborted handshake; the event loop closes the socket
                tls = None
        if tls is None:
            self.drop()
        else:
            self._start_http(tls)

    def _start_http(self, transport: asyncio.Transport) -> None:
        self._http_started = True
        super().connection_made(transport)
        if self._early_data:
            self.data_received(self._early_data)

    def data_received(self, data: bytes) -> None:
        if not self._http_started:  # TLS delivers data that came with the handshake before start_tls returns
            self._early_data += data
            return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._cancel_header_timer()
        elif self._header_timer is None:
            self._arm_header_timer()

    def evictable(self) -> bool:
        return not self._http_started or self.cycle is None or self.cycle.response_complete

    def drop(self) -> None:
        self.guard.release(self)
        self._cancel_header_timer()
        if self._raw is not None:
            self._raw.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.release(self)
        self._cancel_header_timer()
        if self._http_started:
            super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.guard.header_seconds, self.drop)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None


def guarded_protocol(guard: ConnectionGuard) -> type[GuardedH11Protocol]:
    """The protocol class uvicorn instantiates per connection, bound to this server's guard."""

    class Guarded(GuardedH11Protocol):
        pass

    Guarded.guard = guard
    return Guarded
