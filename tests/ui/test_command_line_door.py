"""The tray app answers a command line's `memtray sync` with a sync of its own: the same sync controller a click
runs, reported back as the command line's lines; a mass delete the command line allows is left to the command line."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from memtray.cli.sync_report import sync_request
from memtray.control import Reply, ask_running
from memtray.model import SyncResult
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.ui.client import ServiceClient
from memtray.ui.command_line_door import CommandLineDoor
from memtray.ui.sync_controller import SyncController
from tests.ui.conftest import PASSPHRASE

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def laptop() -> Iterator[tuple[Service, Path]]:
    """A laptop with a short home path (a Unix socket's path is limited) and a vault on a folder hub."""
    with tempfile.TemporaryDirectory(prefix="mt-tray-door-", dir="/tmp") as scratch:
        root = Path(scratch)
        folder = root / "notes"
        folder.mkdir()
        (folder / "CLAUDE.md").write_text("# Memory\n", encoding="utf-8")
        service = Service(resolve_home(root / "home"))
        service.init(str(root / "hub"), PASSPHRASE, device_name="Laptop A")
        service.add_folder("notes", str(folder), include=("*.md",))
        service.sync()
        yield service, folder
        service.close()


@pytest.fixture
def tray(laptop: tuple[Service, Path]) -> Iterator[tuple[ServiceClient, SyncController, list[SyncResult]]]:
    """The tray's sync controller with its command-line door open, and the results the controller finished with."""
    client = ServiceClient(laptop[0])
    controller = SyncController(client)
    door = CommandLineDoor(laptop[0].home, controller)
    finished: list[SyncResult] = []
    controller.finished.connect(finished.append)
    door.start()
    yield client, controller, finished
    door.stop()
    client.wait()


def _ask_in_background(request: dict[str, object], home) -> tuple[threading.Thread, list[Reply | None]]:  # type: ignore[no-untyped-def]
    replies: list[Reply | None] = []
    asking = threading.Thread(target=lambda: replies.append(ask_running(home, request)))
    asking.start()
    return asking, replies


def test_the_tray_syncs_for_the_command_line_through_its_own_controller(qtbot, laptop, tray) -> None:
    service, folder = laptop
    _client, _controller, finished = tray
    (folder / "AGENTS.md").write_text("Run the tests first.\n", encoding="utf-8")
    asking, replies = _ask_in_background(sync_request(False), service.home)
    qtbot.waitUntil(lambda: bool(replies), timeout=30000)
    asking.join(5)
    assert replies[0] == {"lines": [[False, "Synced: 1 sent."]]}
    assert [result.uploaded for result in finished] == [1], "the tray's own controller ran the sync"

    asking, replies = _ask_in_background(sync_request(True), service.home)
    qtbot.waitUntil(lambda: bool(replies), timeout=30000)
    asking.join(5)
    assert replies == [None], "a mass delete the command line allows is the command line's own sync"
    assert len(finished) == 1


def test_a_request_during_a_running_sync_gets_the_next_sync(qtbot, laptop, tray) -> None:
    service, folder = laptop
    client, controller, finished = tray
    gate = threading.Event()
    client.call(lambda _service: gate.wait(30), lambda _done: None, lambda _error: None)
    controller.request()  # waits behind the gate: a sync already under way when the command line asks
    (folder / "GEMINI.md").write_text("Be brief.\n", encoding="utf-8")
    asking, replies = _ask_in_background(sync_request(False), service.home)
    qtbot.waitUntil(controller.has_queued, timeout=30000)
    gate.set()
    qtbot.waitUntil(lambda: bool(replies), timeout=30000)
    asking.join(5)
    assert [result.uploaded for result in finished] == [1, 0]
    assert replies[0] == {"lines": [[False, finished[1].summary()]]}, "the reply is the sync after the ask"
