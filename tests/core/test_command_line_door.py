"""`memtray sync` asks the running memtray of its home (a `memtray sync --watch` here; the tray app in
tests/ui/test_command_line_door.py) to sync for it, through a private, bounded Unix socket; with nobody listening it
syncs itself, as before."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from memtray.cli.sync_report import answer_sync, sync_request, take_reply
from memtray.control import MAX_REQUEST, ControlServer, Reply, Request, ask_running, socket_path
from memtray.errors import MassDeleteError, MemtrayError
from memtray.model import DeletedBy, MassDeleteQuestion, SyncResult
from memtray.paths import Home, resolve_home
from tests.core.test_watch_policy import Watcher
from tests.servers import folder_endpoint
from tests.support.laptops import Laptop


@pytest.fixture
def short_root() -> Iterator[Path]:
    """A folder with a short path: a Unix socket's path is limited to about 100 bytes."""
    with tempfile.TemporaryDirectory(prefix="mt-door-", dir="/tmp") as root:
        yield Path(root)


@pytest.fixture
def home(short_root: Path) -> Home:
    home = resolve_home(short_root / "home")
    home.ensure()
    return home


def _cannot_unlock(laptop: Laptop) -> dict[str, str]:
    """An environment in which this laptop's own process could not unlock the vault: no passphrase, no keychain."""
    nowhere = laptop.root / "no-session-bus"
    nowhere.mkdir(exist_ok=True)
    return {"MEMTRAY_PASSPHRASE": "", "DBUS_SESSION_BUS_ADDRESS": f"unix:path={nowhere / 'bus'}"}


def test_a_command_line_sync_is_done_by_the_running_watcher_and_by_itself_once_it_stops(short_root: Path) -> None:
    laptop = Laptop("Laptop A", short_root / "a", folder_endpoint(short_root / "hub"))
    laptop.folder().mkdir(parents=True)
    (laptop.folder() / "CLAUDE.md").write_text("# Memory\n", encoding="utf-8")
    laptop.init()
    laptop.run("folder", "add", "memory", str(laptop.folder()))
    laptop.sync()
    watcher = Watcher(laptop)
    try:
        watcher.wait_for("Synced")
        assert socket_path(resolve_home(laptop.home)) is not None
        door = resolve_home(laptop.home).data_dir / "control.sock"
        for _ in range(200):
            if door.exists():
                break
            threading.Event().wait(0.05)
        assert stat.S_IMODE(door.stat().st_mode) == 0o600
        (laptop.folder() / "AGENTS.md").write_text("Run the tests first.\n", encoding="utf-8")
        done = laptop.run("sync", extra_env=_cannot_unlock(laptop))
        assert done.returncode == 0, done.stderr
        assert "Synced" in done.stdout
    finally:
        watcher.stop()
    assert ask_running(resolve_home(laptop.home), sync_request(False)) is None, "a stopped watcher answers nothing"
    (laptop.folder() / "GEMINI.md").write_text("Be brief.\n", encoding="utf-8")
    alone = laptop.run("sync", check=False, extra_env=_cannot_unlock(laptop))
    assert alone.returncode != 0, "with nobody listening the command line unlocks itself (and here it cannot)"
    assert "Synced" in laptop.sync()


def _serving(home: Home, handle) -> ControlServer:  # type: ignore[no-untyped-def]
    server = ControlServer(home, handle)
    server.start()
    assert server.listening
    return server


def test_the_door_is_private_bounded_and_one_per_home(home: Home) -> None:
    asked: list[Request] = []

    def handle(request: Request) -> Reply:
        asked.append(request)
        return {"lines": [[False, "Synced: nothing to do."]]}

    server = _serving(home, handle)
    try:
        path = socket_path(home)
        assert path is not None
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        second = ControlServer(home, handle)
        second.start()
        assert not second.listening, "a second memtray of the same home leaves the door to the first"

        oversized = json.dumps({"command": "sync", "pad": "x" * MAX_REQUEST}).encode() + b"\n"
        for request in (oversized, b"not json\n", b"[1, 2]\n"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.settimeout(10)
                client.connect(str(path))
                client.sendall(request)
                assert client.recv(100) == b"", "an oversized or malformed request gets no answer"
        assert asked == []

        assert ask_running(home, sync_request(False)) == {"lines": [[False, "Synced: nothing to do."]]}
        assert asked == [{"command": "sync", "allow_mass_delete": False}]
    finally:
        server.stop()
    assert ask_running(home, sync_request(False)) is None


def test_a_socket_left_by_a_process_that_ended_means_nobody_is_listening(home: Home) -> None:
    path = socket_path(home)
    assert path is not None
    left = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    left.bind(str(path))
    left.close()
    assert path.exists()
    assert ask_running(home, sync_request(False)) is None
    server = _serving(home, lambda _request: {"lines": []})
    try:
        assert ask_running(home, sync_request(False)) == {"lines": []}
    finally:
        server.stop()


def test_a_home_whose_socket_path_is_too_long_has_no_door(tmp_path: Path) -> None:
    home = resolve_home(tmp_path / ("long-" * 20) / "home")
    assert socket_path(home) is None
    assert ask_running(home, sync_request(False)) is None


def test_the_answer_carries_the_sync_lines_and_the_failure_kind_with_its_exit_code() -> None:
    result = SyncResult(uploaded=2, refused=["Laptop C was removed: its new changes were not applied."])
    reply = answer_sync(lambda allow: result)(sync_request(False))
    assert reply == {
        "lines": [(False, "Synced: 2 sent."), (True, "Laptop C was removed: its new changes were not applied.")]
    }
    assert take_reply(json.loads(json.dumps(reply))) == 0

    question = MassDeleteQuestion("f1", "memory", 5, 6, DeletedBy.THIS_LAPTOP)
    held = answer_sync(lambda allow: SyncResult(mass_delete=None if allow else question))
    failed = json.loads(json.dumps(held(sync_request(False))))
    with pytest.raises(MemtrayError) as raised:
        take_reply(failed)
    assert raised.value.exit_code == MassDeleteError.exit_code == 6
    assert "--allow-mass-delete" in raised.value.message
    assert "lines" in held(sync_request(True))

    def broken(_allow: bool) -> SyncResult:
        raise RuntimeError(f"token {os.urandom(4).hex()}")

    fault = answer_sync(broken)(sync_request(False))
    assert fault == {"error": {"kind": "MemtrayError", "message": "The running memtray could not sync (RuntimeError)."}}
    assert answer_sync(broken)({"command": "rm -rf"})["error"]["kind"] == "UsageError"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs to run a client as another user")
def test_another_user_gets_no_answer_even_through_an_opened_door(home: Home) -> None:
    asked: list[Request] = []
    server = _serving(home, lambda request: asked.append(request) or {"lines": []})
    try:
        path = socket_path(home)
        assert path is not None
        for opened in (home.data_dir.parent.parent, home.data_dir.parent, home.data_dir, path):
            opened.chmod(0o777)  # the permissions a careless person might set: the user id is checked too
        script = (
            "import os, socket, sys\n"
            "os.setgid(65534); os.setuid(65534)\n"
            "s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])\n"
            'try:\n    s.sendall(b\'{"command": "sync"}\\n\'); print(repr(s.recv(100)))\n'
            "except OSError:\n    print('closed')\n"
        )
        done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60)
        assert done.stdout.strip() in ("b''", "closed"), done.stderr
        assert asked == []
    finally:
        server.stop()
