"""The real hub application served over real HTTP on 127.0.0.1 from a thread of the test process.

Used where a test has to move the hub's time: ``HubTime`` is both the hub's wall clock (invite
expiry) and the clock of its rate limits. ``post_from`` sends a request from any 127.0.0.0/8 source
address, which a server bound to 127.0.0.1 accepts, so tests can play many different clients.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from memtray.hubserver.app import create_app
from memtray.hubserver.sqlite_store import SQLiteStorage

START_SECONDS = 30.0
STOP_SECONDS = 10.0


class HubTime:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class InProcessHub:
    url: str
    port: int
    time: HubTime
    storage: SQLiteStorage


@contextlib.contextmanager
def hub_in_process(data_dir: Path) -> Iterator[InProcessHub]:
    storage = SQLiteStorage(data_dir / "hub.sqlite3")
    clock = HubTime()
    app = create_app(storage, clock=clock, monotonic=clock)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the hub did not start"
            time.sleep(0.02)
        port = int(sock.getsockname()[1])
        yield InProcessHub(f"http://127.0.0.1:{port}", port, clock, storage)
    finally:
        server.should_exit = True
        thread.join(STOP_SECONDS)
        sock.close()
        storage.close()


def post_from(source: str, port: int, path: str, body: dict[str, Any], token: str | None = None) -> tuple[int, Any]:
    """POST ``body`` as JSON to the hub on 127.0.0.1 from source address ``source``; (status, JSON answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request("POST", path, body=json.dumps(body).encode(), headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()
