"""Runs ``Service.sync`` off the UI thread, one at a time, and reports through typed signals.

Rules:
- At most one sync runs. A request while one runs queues exactly one more (however many
  requests arrive), so an edit made during a sync is never left behind.
- ``request(allow_mass_delete=True)`` is the person's yes to a large delete; it applies to the
  next sync only.
- Every signal is emitted on the UI thread: ``started``, ``progress(SyncProgress)``,
  ``finished(SyncResult)`` or ``failed(MemtrayError)``, then ``status_changed(Status)``.
- The service is only ever used from one thread at a time: every call goes through a
  ``ServiceRunner``, whose jobs take one shared lock. A hub that hangs stalls that job,
  never the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from memtray.errors import MemtrayError
from memtray.model import Status, SyncProgress, SyncResult
from memtray.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from memtray.service import Service


class ServiceRunner(TaskRunner):
    """A ``TaskRunner`` whose jobs never overlap, because a ``Service`` serves one thread at a time."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service_lock = threading.Lock()

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[MemtrayError], None],
    ) -> None:
        def serialised() -> Any:
            with self._service_lock:
                return work()

        super().run(serialised, on_done, on_error)


class SyncController(QObject):
    started = Signal()
    progress = Signal(SyncProgress)
    finished = Signal(SyncResult)
    failed = Signal(MemtrayError)
    status_changed = Signal(Status)
    running_changed = Signal(bool)

    _progress_from_worker = Signal(SyncProgress)

    def __init__(self, service: Service, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._running = False
        self._queued = False
        self._allow_mass_delete = False
        self._progress_from_worker.connect(self._relay_progress)

    def is_running(self) -> bool:
        return self._running

    def has_queued(self) -> bool:
        return self._queued

    def request(self, *, allow_mass_delete: bool = False) -> None:
        """Sync now, or right after the running sync if one is under way."""
        self._allow_mass_delete = self._allow_mass_delete or allow_mass_delete
        if self._running:
            self._queued = True
            return
        self._start()

    def refresh_status(self) -> None:
        """Ask the service for its status (cheap, no network) and emit ``status_changed``."""
        self._runner.run(self._service.status, self._on_status, self._on_status_error)

    def _start(self) -> None:
        self._running = True
        self._queued = False
        self.running_changed.emit(True)
        self.started.emit()
        allow, self._allow_mass_delete = self._allow_mass_delete, False
        self._runner.run(lambda: self._work(allow), self._on_done, self._on_error)

    def _work(self, allow_mass_delete: bool) -> tuple[SyncResult, Status]:
        result = self._service.sync(progress=self._progress_from_worker.emit, allow_mass_delete=allow_mass_delete)
        return result, self._service.status()

    @Slot(SyncProgress)
    def _relay_progress(self, progress: SyncProgress) -> None:
        self.progress.emit(progress)

    def _on_done(self, outcome: tuple[SyncResult, Status]) -> None:
        result, status = outcome
        self.finished.emit(result)
        self.status_changed.emit(status)
        self._settle()

    def _on_error(self, error: MemtrayError) -> None:
        self.failed.emit(error)
        self._settle()
        if not self._running:
            self.refresh_status()

    def _on_status(self, status: Status) -> None:
        self.status_changed.emit(status)

    def _on_status_error(self, error: MemtrayError) -> None:
        """A failing status read changes nothing the person can act on; the next sync reports the cause."""

    def _settle(self) -> None:
        if self._queued:
            self._start()
            return
        self._running = False
        self.running_changed.emit(False)
