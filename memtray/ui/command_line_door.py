"""The tray app answers a command line's ``memtray sync`` (see memtray/control.py) with a sync of its own,
the same as a click on "Sync now": the tray shows it, the notices follow it, and nothing is unlocked twice.

A request arrives on the door's thread and is handed to the UI thread; the door's thread then waits for the result of
the first sync that starts after it asked (a sync already running may have missed the person's latest edit). A
command line that allows a mass delete is not answered here (the tray asks the person itself), so it syncs itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal, Slot

from memtray.cli.sync_report import answer_sync
from memtray.control import REPLY_SECONDS, ControlServer, Reply, Request
from memtray.errors import MemtrayError
from memtray.model import SyncResult
from memtray.paths import Home
from memtray.ui.sync_controller import SyncController


@dataclass
class _Waiter:
    done: threading.Event = field(default_factory=threading.Event)
    result: SyncResult | None = None
    error: MemtrayError | None = None


class CommandLineDoor(QObject):
    _asked = Signal(object)

    def __init__(self, home: Home, controller: SyncController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._before_start: list[_Waiter] = []
        self._running: list[_Waiter] = []
        self._asked.connect(self._on_asked)
        controller.started.connect(self._on_started)
        controller.finished.connect(self._on_finished)
        controller.failed.connect(self._on_failed)
        self._answer_sync = answer_sync(self._sync_for_command_line)
        self._server = ControlServer(home, self._answer)

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()
        for waiter in self._before_start + self._running:
            waiter.error = MemtrayError("memtray quit before it could sync.")
            waiter.done.set()

    def _answer(self, request: Request) -> Reply:
        if request.get("allow_mass_delete") is True:
            return {"decline": True}
        return self._answer_sync(request)

    def _sync_for_command_line(self, _allow_mass_delete: bool) -> SyncResult:
        waiter = _Waiter()
        self._asked.emit(waiter)
        if not waiter.done.wait(REPLY_SECONDS):
            raise MemtrayError("The running memtray did not finish its sync in time. Try again in a moment.")
        if waiter.error is not None:
            raise waiter.error
        assert waiter.result is not None
        return waiter.result

    @Slot(object)
    def _on_asked(self, waiter: _Waiter) -> None:
        self._before_start.append(waiter)
        self._controller.request()

    def _on_started(self) -> None:
        self._running += self._before_start
        self._before_start = []

    def _on_finished(self, result: SyncResult) -> None:
        for waiter in self._running:
            waiter.result = result
            waiter.done.set()
        self._running = []

    def _on_failed(self, error: MemtrayError) -> None:
        for waiter in self._running:
            waiter.error = error
            waiter.done.set()
        self._running = []
