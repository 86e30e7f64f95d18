"""The hub under connection abuse, as a stranger on the network would try it.

A real ``memtray hub serve`` runs under ``ulimit -n 1024`` (soft and hard), so nothing can be raised
past it; 1,100 connections that send half a request line (or, for https, never finish a TLS
handshake) must not stop a laptop with a token from syncing, nor kill the hub, nor reach the log of
the laptop whose command line started the hub.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from memtray.hubs.http import HttpHub
from tests.hubserver.conftest import new_id, seq_key
from tests.hubserver.hub_process import ServedHub, serve_hub, soft_open_file_limit

FLOOD = 1100
OPEN_FILES = (1024, 1024)
ANSWER_SECONDS = 10.0
REQUEST_SECONDS = 2.0
UPLOAD_PAUSE_SECONDS = 3 * REQUEST_SECONDS
HALF_REQUEST = {"http": b"GET /v1/vaults HT", "https": b"\x16\x03\x01"}


@contextlib.contextmanager
def half_open(host: str, port: int, count: int, first_bytes: bytes) -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.create_connection((host, port), timeout=10)
            with contextlib.suppress(OSError):  # the hub may already have closed an old one
                sock.sendall(first_bytes)
            opened.append(sock)
        yield opened
    finally:
        for sock in opened:
            sock.close()


def laptop_pair(served: ServedHub) -> tuple[HttpHub, HttpHub]:
    """Laptop A creates a vault, laptop B joins it; both pin the hub's certificate when it has one."""
    vault_id = new_id()
    a = HttpHub(served.hub.url, tls_fingerprint=served.fingerprint)
    a.create_vault(served.hub.new_invite(), vault_id, new_id(), "laptop A")
    b = HttpHub(served.hub.url, tls_fingerprint=served.fingerprint)
    b.join_vault(a.create_invite(), vault_id, new_id(), "laptop B")
    return a, b


def closed_by_hub(sock: socket.socket, seconds: float) -> bool:
    readable, _, _ = select.select([sock], [], [], seconds)
    if not readable:
        return False
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True


def assert_clean_logs(served: ServedHub) -> None:
    assert served.laptop_log_bytes() == 0, "the hub wrote into the laptop's own files"
    log = served.hub.log_text()
    assert "Too many open files" not in log
    assert "Traceback" not in log


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_laptop_syncs_through_1100_half_open_connections(tmp_path: Path, scheme: str) -> None:
    tls = ("--tls-self-signed",) if scheme == "https" else ()
    slow_headers = ("--request-timeout", "300")  # only the connection cap can save the laptop here
    with serve_hub(tmp_path / "hub", *tls, *slow_headers, open_files=OPEN_FILES) as served:
        pid = served.hub.process.pid
        assert soft_open_file_limit(pid) == OPEN_FILES[0]
        a, b = laptop_pair(served)
        with half_open(*served.host_port, FLOOD, HALF_REQUEST[scheme]):
            started = time.monotonic()
            with HttpHub(
                served.hub.url,
                vault_id=a.vault_id,
                device_id=a.device_id,
                token=a.token,
                tls_fingerprint=served.fingerprint,
                max_tries=1,
            ) as fresh_a:
                fresh_a.put_new(seq_key(a.device_id or "", 1), b"an edit during the flood")
            assert b.get(seq_key(a.device_id or "", 1)) == b"an edit during the flood"
            assert time.monotonic() - started < ANSWER_SECONDS
            assert len(os.listdir(f"/proc/{pid}/fd")) < OPEN_FILES[0]
            assert served.hub.process.poll() is None
        assert b.list("log/") == [seq_key(a.device_id or "", 1)]
        a.close()
        b.close()
        assert served.hub.process.poll() is None
        assert_clean_logs(served)
        assert "the most allowed" in served.hub.log_text()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_half_sent_requests_and_stalled_handshakes_are_closed_after_the_header_timeout(
    tmp_path: Path, scheme: str
) -> None:
    tls = ("--tls-self-signed",) if scheme == "https" else ()
    with serve_hub(tmp_path / "hub", *tls, "--request-timeout", str(REQUEST_SECONDS)) as served:
        with half_open(*served.host_port, 3, HALF_REQUEST[scheme]) as stalled:
            started = time.monotonic()
            assert all(closed_by_hub(sock, REQUEST_SECONDS + ANSWER_SECONDS) for sock in stalled)
            waited = time.monotonic() - started
        assert REQUEST_SECONDS * 0.5 <= waited < REQUEST_SECONDS + ANSWER_SECONDS
        if not tls:
            host, port = served.host_port
            with socket.create_connection((host, port), timeout=10) as kept_alive:
                kept_alive.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                answer = b""
                while not answer.endswith(b'{"status":"ok"}'):
                    chunk = kept_alive.recv(4096)
                    assert chunk, answer
                    answer += chunk
                assert answer.startswith(b"HTTP/1.1 200")
                kept_alive.sendall(HALF_REQUEST["http"])
                started = time.monotonic()
                assert closed_by_hub(kept_alive, REQUEST_SECONDS + ANSWER_SECONDS)
                assert time.monotonic() - started >= REQUEST_SECONDS * 0.5
        verify = str(tmp_path / "hub" / "tls" / "hub-cert.pem") if tls else True
        assert requests.get(f"{served.hub.url}/healthz", timeout=30, verify=verify).status_code == 200
        assert_clean_logs(served)


def slow_request(host: str, port: int, head: str, first_bytes: bytes) -> tuple[bytes, float]:
    """Send a request's head and the start of its body, then stall; the hub's answer and when it came."""
    with socket.create_connection((host, port), timeout=REQUEST_SECONDS + ANSWER_SECONDS * 3) as sock:
        sock.sendall(head.encode() + first_bytes)
        started = time.monotonic()
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer, time.monotonic() - started


def test_stalled_bodies_are_answered_408_and_closed(tmp_path: Path) -> None:
    with serve_hub(tmp_path / "hub", "--request-timeout", str(REQUEST_SECONDS)) as served:
        a, b = laptop_pair(served)
        host, port = served.host_port
        enrollment = f"POST /v1/vaults HTTP/1.1\r\nHost: {host}\r\nContent-Length: 300\r\n\r\n"
        answer, waited = slow_request(host, port, enrollment, b'{"invite": "mti_')
        assert answer.startswith(b"HTTP/1.1 408") and b'"too_slow"' in answer
        assert REQUEST_SECONDS * 0.5 <= waited < REQUEST_SECONDS + ANSWER_SECONDS

        upload = (
            f"PUT /v1/vaults/{a.vault_id}/objects/blob/stalled HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {a.token}\r\nContent-Length: 100000\r\n\r\n"
        )
        answer, waited = slow_request(host, port, upload, b"x" * 1000)
        assert answer.startswith(b"HTTP/1.1 408")
        assert UPLOAD_PAUSE_SECONDS * 0.5 <= waited < UPLOAD_PAUSE_SECONDS + ANSWER_SECONDS
        assert b.list("blob/") == []
        a.close()
        b.close()


def test_the_soft_open_file_limit_is_raised_to_the_hard_limit(tmp_path: Path) -> None:
    with serve_hub(tmp_path / "hub", open_files=(256, 2048)) as served:
        assert soft_open_file_limit(served.hub.process.pid) == 2048


def test_a_client_hanging_up_mid_upload_is_not_an_error(tmp_path: Path) -> None:
    with serve_hub(tmp_path / "hub") as served:
        a, b = laptop_pair(served)
        host, port = served.host_port
        request = (
            f"PUT /v1/vaults/{a.vault_id}/objects/blob/cut HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {a.token}\r\nContent-Length: 100000\r\n\r\n"
        ).encode()
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(request + b"x" * 1000)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and "ClientDisconnect" not in served.hub.log_text():
            time.sleep(0.1)
        assert b.list("blob/") == []
        log = served.hub.log_text()
        assert "ClientDisconnect" not in log and "ERROR" not in log
        a.close()
        b.close()
