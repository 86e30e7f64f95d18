"""Every hub kind reads at most its cap for an object, checked before reading, and names the object it refused.

Real parts: a real folder (with a 2 GiB sparse file, a FIFO, a /dev/zero link and a symlinked folder),
real WebDAV servers (rclone, WsgiDAV) and moto's S3 server holding over-cap objects, and small socket
servers that lie: a Content-Length far over the cap, an endless chunked body, a gzip bomb. Memory is
the peak RSS of a real process doing one ``get``, measured with ``wait4``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from memtray.errors import HubError, ObjectMissingError, ObjectTooLargeError
from memtray.hubs import open_hub
from memtray.hubs.base import MIB, max_object_size
from memtray.hubs.folder import FolderHub
from memtray.hubs.webdav import LISTING_MAX
from tests.core.test_bounded_objects import PEAK_RSS_MB, run_measured, zlib_bomb
from tests.servers import HubEndpoint
from tests.servers.s3_moto import s3_moto_endpoint
from tests.servers.webdav_rclone import webdav_rclone_endpoint
from tests.servers.webdav_wsgidav import webdav_wsgidav_endpoint
from tests.support.laptops import REPO

DEVICE = "a" * 32
LOG = f"log/{DEVICE}/0000000000000001"
KEYFILE = "vault/keyfile/0000000000000001"
SPARSE_SIZE = 2 * 1024 * 1024 * 1024
QUICK = 30.0
IN_A_PROCESS = """
import json, os, sys
from memtray.errors import MemtrayError
from memtray.hubs import open_hub
hub = open_hub(sys.argv[1], secret=os.environ.get("MEMTRAY_HUB_SECRET"))
try:
    if sys.argv[3] == "get":
        print(json.dumps({"read": len(hub.get(sys.argv[2]))}))
    else:
        hub.put_new(sys.argv[2], b"sealed")
        print(json.dumps({"written": True}))
except MemtrayError as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
"""


def in_a_process(url: str, key: str, secret: str | None = None, action: str = "get") -> tuple[dict[str, object], float]:
    """``hub.get(key)`` (or ``put_new``) in a real process: its outcome and its peak RSS in MB."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "MEMTRAY_HUB_SECRET": secret or ""}
    done = run_measured([sys.executable, "-c", IN_A_PROCESS, url, key, action], env, deadline=QUICK * 2)
    assert done.seconds < QUICK * 2, f"{action} was still running after {done.seconds:.0f} s"
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.peak_mb


def sparse(path: Path, size: int = SPARSE_SIZE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        stream.truncate(size)


# --- the folder hub -------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> FolderHub:
    root = tmp_path / "hub"
    root.mkdir()
    return FolderHub(root.as_uri())


def bytes_read_so_far() -> int:
    """What this process has passed through read() since it started (Linux's /proc/self/io ``rchar``)."""
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["rchar"])


def test_folder_hub_refuses_a_sparse_2gib_object_before_reading_it(folder: FolderHub) -> None:
    sparse(folder.root / LOG)
    outcome, peak = in_a_process(folder.url, LOG)
    assert outcome.get("error") == "ObjectTooLargeError"
    assert LOG in str(outcome["message"]) and "64 MB" in str(outcome["message"])
    assert peak < PEAK_RSS_MB
    before = bytes_read_so_far()
    with pytest.raises(ObjectTooLargeError):
        folder.get(LOG)
    assert bytes_read_so_far() - before < MIB, "the object was read although its size was known to be over the cap"


def test_folder_hub_reads_an_object_exactly_at_its_cap(folder: FolderHub) -> None:
    sparse(folder.root / KEYFILE, max_object_size(KEYFILE))
    assert folder.get(KEYFILE) == bytes(max_object_size(KEYFILE))
    sparse(folder.root / KEYFILE, max_object_size(KEYFILE) + 1)
    with pytest.raises(ObjectTooLargeError, match=KEYFILE):
        folder.get(KEYFILE)


def test_folder_hub_refuses_a_fifo_without_blocking(folder: FolderHub) -> None:
    (folder.root / LOG).parent.mkdir(parents=True)
    os.mkfifo(folder.root / LOG)
    started = time.monotonic()
    outcome, _ = in_a_process(folder.url, LOG)
    assert outcome.get("error") == "HubError"
    assert "not an ordinary file" in str(outcome["message"]) and LOG in str(outcome["message"])
    assert time.monotonic() - started < QUICK


@pytest.mark.parametrize("target", ["/dev/zero", "regular"])
def test_folder_hub_does_not_follow_a_symlinked_object(folder: FolderHub, tmp_path: Path, target: str) -> None:
    if target == "regular":
        target = str(tmp_path / "elsewhere.bin")
        Path(target).write_bytes(b"outside the hub")
    (folder.root / LOG).parent.mkdir(parents=True)
    os.symlink(target, folder.root / LOG)
    outcome, peak = in_a_process(folder.url, LOG)
    assert outcome.get("error") == "HubError"
    assert "not an ordinary file" in str(outcome["message"]) and LOG in str(outcome["message"])
    assert peak < PEAK_RSS_MB


def test_folder_hub_keeps_out_of_a_symlinked_folder(folder: FolderHub, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / DEVICE).mkdir(parents=True)
    (elsewhere / DEVICE / "0000000000000001").write_bytes(b"outside the hub")
    os.symlink(elsewhere, folder.root / "log")
    with pytest.raises(HubError, match="link to another folder") as refused:
        folder.get(LOG)
    assert LOG in str(refused.value)
    with pytest.raises(HubError, match="link to another folder"):
        folder.put_new(f"log/{DEVICE}/0000000000000002", b"sealed")
    with pytest.raises(HubError, match="link to another folder"):
        folder.put_new("log/b/0000000000000001", b"sealed")
    with pytest.raises(HubError, match="link to another folder"):
        folder.delete(LOG)
    assert sorted(path.relative_to(elsewhere).as_posix() for path in elsewhere.rglob("*")) == [
        DEVICE,
        f"{DEVICE}/0000000000000001",
    ]
    assert (elsewhere / DEVICE / "0000000000000001").read_bytes() == b"outside the hub"


def test_folder_hub_still_reads_writes_and_deletes_ordinary_objects(folder: FolderHub) -> None:
    folder.put_new(LOG, b"sealed")
    assert folder.get(LOG) == b"sealed"
    folder.delete(LOG)
    with pytest.raises(ObjectMissingError):
        folder.get(LOG)


# --- real WebDAV and S3 servers holding over-cap objects ------------------------------------------

WEBDAV = {"rclone": webdav_rclone_endpoint, "wsgidav": webdav_wsgidav_endpoint}


@pytest.fixture(scope="module", params=sorted(WEBDAV))
def webdav(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubEndpoint]:
    with WEBDAV[request.param](tmp_path_factory.mktemp(request.param)) as found:
        yield found


def served(url: str, secret: str | None, key: str) -> Exception | bytes:
    """What ``get(key)`` gives once the server has noticed the object (rclone caches folders for 100 ms)."""
    hub = open_hub(url, secret=secret)
    deadline = time.monotonic() + QUICK
    try:
        while True:
            try:
                return hub.get(key)
            except ObjectMissingError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
            except HubError as exc:
                return exc
    finally:
        hub.close()


def test_a_real_webdav_server_with_a_2gib_object_is_refused_before_download(webdav: HubEndpoint) -> None:
    root = webdav.raw.root  # type: ignore[attr-defined]
    sparse(root / LOG)
    try:
        assert isinstance(served(webdav.url, webdav.secret, LOG), ObjectTooLargeError)
        outcome, peak = in_a_process(webdav.url, LOG, webdav.secret)
    finally:
        (root / LOG).unlink()
    assert outcome.get("error") == "ObjectTooLargeError", outcome
    assert LOG in str(outcome["message"])
    assert peak < PEAK_RSS_MB


def test_a_real_webdav_server_with_an_oversized_key_file_is_refused(webdav: HubEndpoint) -> None:
    webdav.raw.write(KEYFILE, bytes(100 * 1024))
    try:
        refused = served(webdav.url, webdav.secret, KEYFILE)
    finally:
        webdav.raw.delete(KEYFILE)
    assert isinstance(refused, ObjectTooLargeError)
    assert KEYFILE in str(refused)


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubEndpoint]:
    with s3_moto_endpoint(tmp_path_factory.mktemp("moto")) as found:
        yield found


def test_moto_s3_with_oversized_objects_is_refused(moto: HubEndpoint) -> None:
    moto.raw.write(KEYFILE, bytes(100 * 1024))
    moto.raw.write(LOG, bytes(max_object_size(LOG) + 1))
    try:
        hub = open_hub(moto.url, secret=moto.secret)
        with pytest.raises(ObjectTooLargeError, match=KEYFILE):
            hub.get(KEYFILE)
        hub.close()
        outcome, peak = in_a_process(moto.url, LOG, moto.secret)
    finally:
        moto.raw.delete(KEYFILE)
        moto.raw.delete(LOG)
    assert outcome.get("error") == "ObjectTooLargeError", outcome
    assert LOG in str(outcome["message"])
    assert peak < PEAK_RSS_MB


# --- servers that lie about what they send --------------------------------------------------------


@contextlib.contextmanager
def lying_server(head: bytes, body: Callable[[], Iterable[bytes]] = list) -> Iterator[int]:
    """Answers every HTTP request with ``head`` then the chunks of a fresh ``body()``, then closes the connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def answer(connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):
            connection.settimeout(QUICK)
            request = b""
            while b"\r\n\r\n" not in request:
                received = connection.recv(65536)
                if not received:
                    return
                request += received
            connection.sendall(head)
            for chunk in body():
                if stop.is_set():
                    return
                connection.sendall(chunk)

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def chunked(total: int | None, piece: bytes = bytes(MIB)) -> Callable[[], Iterable[bytes]]:
    """A chunked-encoding body of ``total`` bytes (a multiple of ``piece``; endless for None), length unstated."""
    frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    if total is None:
        return lambda: itertools.repeat(frame)
    return lambda: [*([frame] * (total // len(piece))), b"0\r\n\r\n"]


CLAIMS_2GIB = (
    f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {SPARSE_SIZE}\r\n\r\n"
).encode()
STREAMS = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"


def webdav_url(port: int) -> str:
    return f"webdav://127.0.0.1:{port}/dav/hub"


def s3_url(port: int) -> str:
    return f"s3://memtray-hub/v?endpoint={quote(f'http://127.0.0.1:{port}')}&region=us-east-1"


URLS = {"webdav": webdav_url, "s3": s3_url}


@pytest.mark.parametrize("kind", sorted(URLS))
def test_a_declared_length_over_the_cap_is_refused_before_any_body_is_read(kind: str) -> None:
    with lying_server(CLAIMS_2GIB, lambda: [b"sealed bytes"]) as port:
        hub = open_hub(URLS[kind](port), secret="key-id:secret" if kind == "s3" else None)
        started = time.monotonic()
        with pytest.raises(ObjectTooLargeError, match=LOG):
            hub.get(LOG)
        assert time.monotonic() - started < QUICK
        hub.close()


@pytest.mark.parametrize("kind", sorted(URLS))
def test_a_body_longer_than_the_cap_without_a_length_is_cut_off(kind: str) -> None:
    with lying_server(STREAMS, chunked(max_object_size(LOG) + 8 * MIB)) as port:
        outcome, peak = in_a_process(URLS[kind](port), LOG, "key-id:secret" if kind == "s3" else None)
    assert outcome.get("error") == "ObjectTooLargeError", outcome
    assert LOG in str(outcome["message"])
    assert peak < PEAK_RSS_MB


def test_a_gzip_bomb_from_a_webdav_server_stays_bounded() -> None:
    bomb = zlib_bomb(b"", 1024, gzip=True)
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Encoding: gzip\r\n"
        f"Content-Length: {len(bomb)}\r\n\r\n"
    ).encode()
    with lying_server(head, lambda: [bomb]) as port:
        outcome, peak = in_a_process(webdav_url(port), LOG)
    assert outcome.get("error") == "ObjectTooLargeError", outcome
    assert peak < PEAK_RSS_MB


def test_a_webdav_folder_listing_longer_than_its_cap_is_cut_off() -> None:
    head = b"HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
    with lying_server(head, chunked(LISTING_MAX + 8 * MIB, b" " * MIB)) as port:
        hub = open_hub(webdav_url(port))
        with pytest.raises(HubError, match="folder listing larger than memtray reads"):
            hub.list("log/")
        hub.close()


def test_an_endless_answer_to_a_write_is_not_read_to_its_end() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    with lying_server(head, chunked(None)) as port:
        outcome, peak = in_a_process(webdav_url(port), LOG, action="put")
    assert outcome.get("error") == "HubError", outcome
    assert peak < PEAK_RSS_MB
