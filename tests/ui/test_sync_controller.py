"""The sync controller: off the UI thread, one at a time, typed signals, a hung hub never freezes the UI."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThread, QTimer

from memtray.errors import HubUnreachableError, MemtrayError
from memtray.model import Status, SyncProgress, SyncResult
from memtray.service import Service
from memtray.ui.client import ServiceClient, Snapshot
from memtray.ui.sync_controller import SyncController
from tests.servers.http_hub import run_hub_server
from tests.ui.conftest import PASSPHRASE

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def client(vault_home):
    client = ServiceClient(vault_home.service)
    yield client
    client.wait()


@pytest.fixture
def controller(client):
    return SyncController(client)


def test_a_sync_reports_progress_and_result_on_the_ui_thread(qtbot, client, controller, vault_home):
    (vault_home.folder / "GEMINI.md").write_text("Be brief.\n", encoding="utf-8")
    progress: list[tuple[SyncProgress, bool]] = []
    snapshots: list[Snapshot] = []
    controller.progress.connect(lambda p: progress.append((p, QThread.currentThread() is controller.thread())))
    client.snapshot_changed.connect(snapshots.append)

    with qtbot.waitSignal(controller.finished, timeout=20000) as done:
        controller.request()

    result = done.args[0]
    assert isinstance(result, SyncResult)
    assert result.uploaded == 1
    assert progress and all(isinstance(p, SyncProgress) and on_ui for p, on_ui in progress)
    assert snapshots, "the snapshot is read again with the sync, before it reports"
    assert snapshots[-1].status.last_sync is not None
    assert client.snapshot is snapshots[-1]
    assert not controller.is_running()


def test_a_failure_arrives_as_a_memtray_error(qtbot, controller, vault_home):
    vault_home.hub.rename(vault_home.hub.with_name("hub-unplugged"))
    with qtbot.waitSignal(controller.failed, timeout=20000) as failed:
        controller.request()
    error = failed.args[0]
    assert isinstance(error, HubUnreachableError)
    assert "storage folder" in error.message


@contextlib.contextmanager
def stopped(process: subprocess.Popen[bytes]) -> Iterator[None]:
    """The hub server frozen with SIGSTOP: connections are accepted by the kernel, but nothing answers."""
    os.kill(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)


def test_the_ui_keeps_running_while_the_hub_hangs_and_requests_queue_once(qtbot, tmp_path, make_home):
    with run_hub_server(tmp_path / "server") as hub:
        folder = tmp_path / "notes"
        folder.mkdir()
        service = Service(make_home("laptop-a"))
        service.init(hub.url, PASSPHRASE, invite=hub.new_invite(), device_name="Laptop A")
        service.add_folder("notes", str(folder))
        service.sync()
        client = ServiceClient(service)
        controller = SyncController(client)
        started: list[None] = []
        finished: list[SyncResult] = []
        failed: list[MemtrayError] = []
        status_seen: list[Status] = []
        other_job: list[object] = []
        controller.started.connect(lambda: started.append(None))
        controller.finished.connect(finished.append)
        controller.failed.connect(failed.append)
        (folder / "AGENTS.md").write_text("Written while the hub hangs.\n", encoding="utf-8")
        try:
            with stopped(hub.process):
                controller.request()
                ticks: list[int] = []
                timer = QTimer()
                timer.setInterval(10)
                timer.timeout.connect(lambda: ticks.append(threading.get_ident()))
                timer.start()
                qtbot.waitUntil(lambda: len(ticks) >= 20, timeout=10000)
                timer.stop()
                assert controller.is_running() and not finished and not failed, (
                    "the sync is stuck on the frozen hub while the event loop ran 20 timer ticks"
                )
                assert set(ticks) == {threading.get_ident()}

                client.snapshot_changed.connect(lambda snapshot: status_seen.append(snapshot.status))
                controller.request()
                controller.request()
                controller.request()
                assert controller.has_queued()
                assert started == [None]
                client.call(lambda service: service.status(), other_job.append, other_job.append)
                qtbot.wait(50)
                assert other_job == [], "service calls wait for the stuck sync instead of running beside it"

            qtbot.waitUntil(lambda: len(finished) + len(failed) == 2 and not controller.is_running(), timeout=60000)
            assert not failed, [error.message for error in failed]
            assert [result.uploaded for result in finished] == [1, 0]
            assert len(other_job) == 1 and isinstance(other_job[0], Status)
            assert len(started) == 2
            assert not controller.has_queued()
            assert status_seen
        finally:
            client.wait()
            service.close()
