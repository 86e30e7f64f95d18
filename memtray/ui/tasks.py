"""Run service calls off the UI thread and deliver the outcome back on it, as typed signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from memtray.errors import MemtrayError


class _Outcome(QObject):
    succeeded = Signal(object)
    failed = Signal(MemtrayError)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], outcome: _Outcome) -> None:
        super().__init__()
        self._work = work
        self._outcome = outcome

    def run(self) -> None:
        try:
            result = self._work()
        except MemtrayError as exc:
            self._outcome.failed.emit(exc)
        except Exception as exc:  # an unexpected bug still reaches the person as a plain sentence
            self._outcome.failed.emit(MemtrayError(f"Something unexpected went wrong ({type(exc).__name__})."))
        else:
            self._outcome.succeeded.emit(result)


class TaskRunner(QObject):
    """``run(work, on_done, on_error)``: ``work`` runs on a pool thread; the callbacks run on the UI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._live: set[_Outcome] = set()

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[MemtrayError], None],
    ) -> None:
        outcome = _Outcome()
        self._live.add(outcome)

        def finish_ok(result: object) -> None:
            self._live.discard(outcome)
            on_done(result)

        def finish_error(error: MemtrayError) -> None:
            self._live.discard(outcome)
            on_error(error)

        outcome.succeeded.connect(finish_ok)
        outcome.failed.connect(finish_error)
        self._pool.start(_Job(work, outcome))

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for running jobs (used at quit and by tests)."""
        return self._pool.waitForDone(msecs)
