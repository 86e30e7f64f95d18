"""Runs ``Service.sync`` through the ``ServiceClient``, one at a time, and reports through typed signals.

Rules:
- At most one sync runs. A request while one runs queues exactly one more (however many
  requests arrive), so an edit made during a sync is never left behind.
- A sync that stopped before a mass delete finishes with a result that carries the question
  (``SyncResult.mass_delete``). ``request(allowed_delete=question)`` is the person's yes to it;
  it applies to the next sync only.
- Every signal is emitted on the UI thread: ``started``, ``progress(SyncProgress)``, then
  ``finished(SyncResult)`` or ``failed(MemtrayError)``. The client's snapshot is read again in
  the same job, so it is new by the time ``finished`` or ``failed`` arrives.
- The sync is a client call like any other: it runs on the client's worker, after the calls
  asked before it. A hub that hangs stalls that worker, never the UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from memtray.errors import MemtrayError
from memtray.model import MassDeleteQuestion, SyncProgress, SyncResult
from memtray.sync.watch_changes import ReportedChanges
from memtray.ui.client import ServiceClient


class SyncController(QObject):
    started = Signal()
    progress = Signal(SyncProgress)
    finished = Signal(SyncResult)
    failed = Signal(MemtrayError)
    running_changed = Signal(bool)

    _progress_from_worker = Signal(SyncProgress)

    def __init__(self, client: ServiceClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._running = False
        self._queued = False
        self._allowed_delete: MassDeleteQuestion | None = None
        self._progress_from_worker.connect(self._relay_progress)
        self.changes: ReportedChanges | None = None
        """The watcher's reported paths (the scheduler's): each sync looks only at those (see watch_changes.py)."""

    def is_running(self) -> bool:
        return self._running

    def has_queued(self) -> bool:
        return self._queued

    def request(self, *, allowed_delete: MassDeleteQuestion | None = None) -> None:
        """Sync now, or right after the running sync if one is under way."""
        self._allowed_delete = allowed_delete or self._allowed_delete
        if self._running:
            self._queued = True
            return
        self._start()

    def _start(self) -> None:
        self._running = True
        self._queued = False
        self.running_changed.emit(True)
        self.started.emit()
        allowed, self._allowed_delete = self._allowed_delete, None
        report = self._progress_from_worker.emit
        changes = self.changes
        self._client.call(
            lambda service: service.sync(progress=report, allowed_delete=allowed, changes=changes),
            self._on_done,
            self._on_error,
            refresh=True,
        )

    @Slot(SyncProgress)
    def _relay_progress(self, progress: SyncProgress) -> None:
        self.progress.emit(progress)

    def _on_done(self, result: SyncResult) -> None:
        self.finished.emit(result)
        self._settle()

    def _on_error(self, error: MemtrayError) -> None:
        self.failed.emit(error)
        self._settle()

    def _settle(self) -> None:
        if self._queued:
            self._start()
            return
        self._running = False
        self.running_changed.emit(False)
