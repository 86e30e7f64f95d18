"""The memtray hub client never reads more than it should: a size cap per object kind, refused on the
announced length first and enforced while streaming, and a cap on every other answer.

The real hub serves the over-cap objects placed in its database; for a hub that lies about the length (or
announces none) a small HTTP server on 127.0.0.1 answers the one route the client asks.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from memtray.errors import HubError, ObjectTooLargeError
from memtray.hubs.base import max_object_size
from memtray.hubs.http import HttpHub
from tests.hubserver.conftest import make_vault, new_id
from tests.servers import HubEndpoint
from tests.servers.http_hub import REPO_ROOT, RunningHub, SQLiteRawStore
from tests.support.laptops import Laptop

TOKEN = "mt_" + "x" * 43
OVERSIZED_KEYFILE = "vault/keyfile/00000000000000ff"
LOG_KEY = "log/" + "d" * 32 + "/0000000000000001"
ENDLESS_BYTES = 1024 * 1024 * 1024
CHUNK = 256 * 1024
QUICKLY = 20.0
PEAK_RSS_MB = 300


def test_real_hub_object_over_its_cap_is_refused_by_name(hub: RunningHub) -> None:
    vault = make_vault(hub)
    oversized = b"k" * (max_object_size(OVERSIZED_KEYFILE) + 1)
    SQLiteRawStore(hub.db_path, vault.vault_id).write(OVERSIZED_KEYFILE, oversized)
    with pytest.raises(ObjectTooLargeError) as caught:
        vault.b.get(OVERSIZED_KEYFILE)
    assert OVERSIZED_KEYFILE in caught.value.message
    vault.a.close()
    vault.b.close()


def test_joining_laptop_names_the_oversized_key_file(hub: RunningHub, tmp_path: Path) -> None:
    endpoint = HubEndpoint(kind="memtray", url=hub.url, raw=SQLiteRawStore(hub.db_path), new_invite=hub.new_invite)
    a, b = Laptop("Laptop-A", tmp_path / "a", endpoint), Laptop("Laptop-B", tmp_path / "b", endpoint)
    a.init()
    vault_id = json.loads((a.home / "config" / "config.json").read_text())["vault_id"]
    SQLiteRawStore(hub.db_path, vault_id).write(OVERSIZED_KEYFILE, b"k" * (max_object_size(OVERSIZED_KEYFILE) + 1))
    code = a.run("setup-code").stdout.strip().splitlines()[-1]
    done = b.run("join", code, check=False)
    assert done.returncode == 4, done.stderr
    assert OVERSIZED_KEYFILE in done.stderr and "larger than memtray accepts" in done.stderr


class _LyingHub(http.server.BaseHTTPRequestHandler):
    """Answers every GET the way ``self.server.mode`` says; stops when the client hangs up."""

    protocol_version = "HTTP/1.1"
    server: _LyingServer

    def do_GET(self) -> None:
        mode = self.server.mode
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if mode == "announces_2gb":
            self.send_header("Content-Length", str(2 * 1024**3))
            self.end_headers()
            self._write(b"\0" * CHUNK)
            self.server.released.wait(60)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = 0
        while sent < ENDLESS_BYTES and not self.server.released.is_set():
            if not self._write(b"%x\r\n%s\r\n" % (CHUNK, b"\0" * CHUNK)):
                return
            sent += CHUNK
        self._write(b"0\r\n\r\n")

    def _write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            return False
        return True

    def log_message(self, *_: object) -> None:
        return


class _LyingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _LyingHub)
        self.mode = mode
        self.released = threading.Event()


@pytest.fixture
def lying_hub(request: pytest.FixtureRequest) -> Iterator[str]:
    server = _LyingServer(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.released.set()
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.mark.parametrize("lying_hub", ["announces_2gb"], indirect=True)
def test_announced_length_over_the_cap_is_refused_before_reading(lying_hub: str) -> None:
    hub = HttpHub(lying_hub, vault_id=new_id(), device_id=new_id(), token=TOKEN, max_tries=1)
    started = time.monotonic()
    with pytest.raises(ObjectTooLargeError) as caught:
        hub.get(LOG_KEY)
    assert time.monotonic() - started < QUICKLY
    assert LOG_KEY in caught.value.message
    hub.close()


CHILD = """
import json, sys
from memtray.hubs.http import HttpHub
hub = HttpHub(sys.argv[1], vault_id="a" * 32, device_id="b" * 32, token="mt_" + "x" * 43, max_tries=1)
try:
    hub.get(sys.argv[2])
    outcome = {"error": None, "message": ""}
except Exception as exc:
    outcome = {"error": type(exc).__name__, "message": str(exc)}
# VmHWM belongs to this program alone; ru_maxrss would carry over the high-water mark of pytest, which forked it.
status = open("/proc/self/status").read()
outcome["peak_rss_mb"] = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps(outcome))
"""


@pytest.mark.parametrize("lying_hub", ["endless_chunked"], indirect=True)
def test_endless_object_without_a_length_stops_at_the_cap_with_bounded_memory(lying_hub: str) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, lying_hub, LOG_KEY],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    elapsed = time.monotonic() - started
    outcome = json.loads(done.stdout)
    print(f"endless object refused after {elapsed:.1f} s, child peak RSS {outcome['peak_rss_mb']:.0f} MB")
    assert outcome["error"] == "ObjectTooLargeError", outcome
    assert LOG_KEY in outcome["message"]
    assert outcome["peak_rss_mb"] < PEAK_RSS_MB
    assert elapsed < 120


@pytest.mark.parametrize("lying_hub", ["endless_chunked"], indirect=True)
def test_endless_listing_answer_is_cut_off(lying_hub: str) -> None:
    hub = HttpHub(lying_hub, vault_id=new_id(), device_id=new_id(), token=TOKEN, max_tries=1)
    with pytest.raises(HubError) as caught:
        hub.list("log/")
    assert "much longer answer" in caught.value.message
    hub.close()
