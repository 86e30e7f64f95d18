"""Start a real server process on 127.0.0.1, wait (bounded) until it accepts connections, stop it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(
    command: Sequence[str], port: int, log: Path, env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` with output in ``log`` until the block exits; fail if it never listens on ``port``."""
    with logged(command, log, {**os.environ, **(env or {})}) as process:
        _wait_listening(process, port, log)
        yield process


@contextlib.contextmanager
def logged(
    command: Sequence[str], log: Path, env: Mapping[str, str] | None = None, timeout: float = STOP_TIMEOUT
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` with output in ``log`` and exactly ``env`` (None: this process's) until the block exits."""
    with open(log, "ab") as output:
        process = subprocess.Popen(
            list(command), stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
    try:
        yield process
    finally:
        stop(process, timeout)


def stop(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """Stop a process this test started (by its own handle): politely, then for sure."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


def _wait_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}:\n{_tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{process.args!r} did not listen on port {port} within {START_TIMEOUT:.0f} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:] if log.exists() else ""
