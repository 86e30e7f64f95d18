"""Strangers' enrollment requests cost the hub almost nothing: small bodies, refused before reading.

The attack this answers: 40 concurrent 30 MiB bodies to the enrollment endpoint took the hub from
60 to 1,108 MB. Here they come from 40 different loopback addresses, so no per-address limit helps.
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from memtray.hubs.http import HttpHub
from tests.hubserver.conftest import new_id
from tests.hubserver.hub_process import peak_rss_mb, serve_hub

SENDERS = 40
BODY = 30 * 1024 * 1024
CHUNK = 64 * 1024
SENT_BOUND = 16 * 1024 * 1024
RSS_GROWTH_BOUND_MB = 100.0
PROMPT = 5.0


def flood_one(port: int, source: str, chunked: bool) -> tuple[int | None, int]:
    """Send a 30 MiB enrollment body until the hub stops taking it; (HTTP status or None, bytes sent)."""
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {BODY}"
    head = f"POST /v1/vaults HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n{length}\r\n\r\n".encode()
    payload = b'{"invite": "' + b"a" * CHUNK
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, CHUNK)
        with contextlib.suppress(OSError):
            sock.sendall(head)
            while sent < BODY:
                piece = payload[: min(CHUNK, BODY - sent)]
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        answer = b""
        with contextlib.suppress(OSError):
            answer = sock.recv(4096)
    status = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    return (int(status.group(1)) if status else None), sent


def test_forty_30_mib_enrollment_bodies_are_refused_early_with_bounded_memory(tmp_path: Path) -> None:
    with serve_hub(tmp_path / "hub") as served:
        pid = served.hub.process.pid
        before = peak_rss_mb(pid)
        port = served.host_port[1]
        with ThreadPoolExecutor(SENDERS) as pool:
            declared = list(pool.map(lambda i: flood_one(port, f"127.0.1.{i + 1}", False), range(SENDERS)))
            streamed = list(pool.map(lambda i: flood_one(port, f"127.0.2.{i + 1}", True), range(SENDERS)))
        growth = peak_rss_mb(pid) - before
        print(f"hub peak RSS grew {growth:.1f} MB from {before:.1f} MB")
        for status, sent in declared + streamed:
            assert status in (413, None), status
            assert sent < SENT_BOUND, f"the hub read {sent} bytes of a body it should refuse"
        assert [status for status, _ in declared].count(413) >= SENDERS // 2
        assert [status for status, _ in streamed].count(413) >= SENDERS // 2
        assert growth < RSS_GROWTH_BOUND_MB
        assert served.hub.process.poll() is None
        assert served.laptop_log_bytes() == 0


def head_only(port: int, head: str) -> tuple[bytes, float]:
    """Send a request's head and no body; the hub's first answer and how long it took."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        started = time.monotonic()
        sock.sendall(head.encode())
        return sock.recv(4096), time.monotonic() - started


def test_a_declared_length_over_the_limit_is_refused_before_any_body_arrives(tmp_path: Path) -> None:
    with serve_hub(tmp_path / "hub", "--max-body", "4096") as served:
        port = served.host_port[1]
        vault_id = new_id()
        with HttpHub(served.hub.url) as laptop:
            laptop.create_vault(served.hub.new_invite(), vault_id, new_id(), "laptop")
            token = laptop.token
        enrollment = f"POST /v1/vaults HTTP/1.1\r\nHost: hub\r\nContent-Length: {BODY}\r\n\r\n"
        upload = (
            f"PUT /v1/vaults/{vault_id}/objects/blob/big HTTP/1.1\r\nHost: hub\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: 4097\r\n\r\n"
        )
        for head in (enrollment, upload):
            answer, took = head_only(port, head)
            assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
            assert took < PROMPT
