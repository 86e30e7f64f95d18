"""Edits that never pause still sync: the file-event debounce waits for quiet, but at most 2 s.

A person (or an agent) saving a memory file ten times a second for five seconds never leaves the
300 ms of quiet the debounce waits for. The 2 s cap must start a sync anyway, while the edits are
still arriving. Real parts: a real vault on a folder hub, the real watcher on the real folder, the
real scheduler and sync controller, edits written by another thread.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from memtray.errors import MemtrayError
from memtray.model import SyncResult
from memtray.ui.client import ServiceClient
from memtray.ui.network import AssumeOnline
from memtray.ui.scheduler import MAX_DELAY_MSECS, Scheduler, Trigger
from memtray.ui.sync_controller import SyncController

pytestmark = pytest.mark.usefixtures("qapp")

EDIT_EVERY_SECONDS = 0.1
STREAM_SECONDS = 5.0
# Room for a loaded machine between a write and the watcher's timer starting; without the cap the
# first sync comes only after the stream ends (5 s + 300 ms of quiet), well past this bound.
SLACK_SECONDS = 1.5


class EditStream(threading.Thread):
    """Rewrites ``path`` every 100 ms for 5 s, on a fixed schedule; remembers when the first and last edits landed."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="edit-stream", daemon=True)
        self.path = path
        self.first_edit: float | None = None
        self.last_edit: float | None = None

    def run(self) -> None:
        start = time.monotonic()
        for n in range(int(STREAM_SECONDS / EDIT_EVERY_SECONDS)):
            time.sleep(max(0.0, start + n * EDIT_EVERY_SECONDS - time.monotonic()))
            self.path.write_text(f"# Memory\n\nEdit number {n}.\n", encoding="utf-8")
            self.last_edit = time.monotonic()
            if self.first_edit is None:
                self.first_edit = self.last_edit


def test_a_stream_of_edits_without_a_pause_syncs_within_two_seconds(qtbot, vault_home):
    client = ServiceClient(vault_home.service)
    controller = SyncController(client)
    scheduler = Scheduler(controller, AssumeOnline())
    file_syncs: list[float] = []
    finished: list[SyncResult] = []
    failed: list[MemtrayError] = []

    def note(trigger: Trigger) -> None:
        if trigger is Trigger.FILES:
            file_syncs.append(time.monotonic())

    scheduler.triggered.connect(note)
    controller.finished.connect(finished.append)
    controller.failed.connect(failed.append)
    scheduler.set_folders(vault_home.service.folders())
    assert scheduler.watcher.watched() == (str(vault_home.folder),)
    stream = EditStream(vault_home.folder / "CLAUDE.md")
    try:
        stream.start()
        qtbot.waitUntil(lambda: bool(file_syncs), timeout=int((STREAM_SECONDS + 10) * 1000))
        assert stream.first_edit is not None
        waited = file_syncs[0] - stream.first_edit
        assert waited <= MAX_DELAY_MSECS / 1000 + SLACK_SECONDS, (
            f"the first sync started {waited:.2f} s after the first edit; edits kept coming, so only the cap "
            "could start it"
        )
        stream.join(STREAM_SECONDS + 30)
        assert stream.last_edit is not None and file_syncs[0] < stream.last_edit, (
            "the sync waited for the edits to stop"
        )
        qtbot.waitUntil(lambda: file_syncs[-1] > (stream.last_edit or 0) and not controller.is_running(), timeout=60000)
    finally:
        scheduler.stop()
        qtbot.waitUntil(lambda: not controller.is_running(), timeout=60000)
        client.wait()
    assert not failed, [error.message for error in failed]
    assert finished and finished[0].uploaded == 1
