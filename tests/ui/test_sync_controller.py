"""The sync controller: off the UI thread, one at a time, typed signals, a hung hub never freezes the UI."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QThread, QTimer

from memtray.errors import HubUnreachableError, MemtrayError
from memtray.model import Status, SyncProgress, SyncResult
from memtray.ui.sync_controller import ServiceRunner, SyncController

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def runner():
    runner = ServiceRunner()
    yield runner
    runner.wait()


@pytest.fixture
def controller(vault_home, runner):
    return SyncController(vault_home.service, runner)


def stalled_log_entry(hub: Path) -> Path:
    """A log entry of a made-up laptop that is a FIFO: reading it blocks until someone writes to it."""
    fifo = hub / "log" / ("f" * 32) / f"{1:016x}"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    return fifo


def open_writer_once_read(fifo: Path) -> int | None:
    """A write end of ``fifo``, which only opens once a reader (the stuck sync) has it open."""
    try:
        return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            return None
        raise


def test_a_sync_reports_progress_and_result_on_the_ui_thread(qtbot, controller, vault_home):
    (vault_home.folder / "GEMINI.md").write_text("Be brief.\n", encoding="utf-8")
    progress: list[tuple[SyncProgress, bool]] = []
    statuses: list[Status] = []
    controller.progress.connect(lambda p: progress.append((p, QThread.currentThread() is controller.thread())))
    controller.status_changed.connect(statuses.append)

    with qtbot.waitSignal(controller.finished, timeout=20000) as done:
        controller.request()

    result = done.args[0]
    assert isinstance(result, SyncResult)
    assert result.uploaded == 1
    assert progress and all(isinstance(p, SyncProgress) and on_ui for p, on_ui in progress)
    qtbot.waitUntil(lambda: bool(statuses))
    assert statuses[-1].last_sync is not None
    assert not controller.is_running()


def test_a_failure_arrives_as_a_memtray_error(qtbot, controller, vault_home):
    vault_home.hub.rename(vault_home.hub.with_name("hub-unplugged"))
    with qtbot.waitSignal(controller.failed, timeout=20000) as failed:
        controller.request()
    error = failed.args[0]
    assert isinstance(error, HubUnreachableError)
    assert "hub folder" in error.message


def test_the_ui_keeps_running_while_the_hub_hangs_and_requests_queue_once(qtbot, controller, runner, vault_home):
    fifo = stalled_log_entry(vault_home.hub)
    started: list[None] = []
    finished: list[SyncResult] = []
    failed: list[MemtrayError] = []
    controller.started.connect(lambda: started.append(None))
    controller.finished.connect(finished.append)
    controller.failed.connect(failed.append)

    controller.request()
    writer: list[int] = []

    def sync_is_reading_the_fifo() -> bool:
        fd = open_writer_once_read(fifo)
        if fd is not None:
            writer.append(fd)
        return fd is not None

    qtbot.waitUntil(sync_is_reading_the_fifo, timeout=20000)
    assert controller.is_running()

    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(threading.get_ident()))
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= 20, timeout=10000)
    timer.stop()
    assert controller.is_running(), "the sync is still stuck in the hub while the event loop ran 20 timer ticks"
    assert set(ticks) == {threading.get_ident()}

    status_seen: list[Status] = []
    controller.status_changed.connect(status_seen.append)
    controller.request()
    controller.request()
    controller.request()
    assert controller.has_queued()
    assert started == [None]
    other_job: list[object] = []
    runner.run(vault_home.service.status, other_job.append, other_job.append)
    qtbot.wait(50)
    assert other_job == [], "service calls wait for the stuck sync instead of running beside it"

    fifo.unlink()
    os.write(writer[0], b"this is not a log entry")
    os.close(writer[0])

    qtbot.waitUntil(lambda: bool(finished), timeout=20000)
    assert len(failed) == 1
    assert isinstance(failed[0], MemtrayError)
    assert len(other_job) == 1 and isinstance(other_job[0], Status)
    assert len(started) == 2
    assert not controller.is_running()
    assert not controller.has_queued()
    assert status_seen
