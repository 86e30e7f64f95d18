"""Run jobs on one worker thread, in the order asked, and deliver each outcome back on the UI thread."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import shiboken6
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
    """``run(work, on_done, on_error)``: ``work`` runs on the worker; the callbacks run on the UI thread.

    There is one worker thread, so jobs never overlap and run in the order they were asked for;
    a job that hangs (a hub that stops answering) holds back the jobs behind it, never the UI.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
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
            if _receiver_alive(on_done):
                on_done(result)

        def finish_error(error: MemtrayError) -> None:
            self._live.discard(outcome)
            if _receiver_alive(on_error):
                on_error(error)

        outcome.succeeded.connect(finish_ok)
        outcome.failed.connect(finish_error)
        self._pool.start(_Job(work, outcome))

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for queued and running jobs (used at quit and by tests); False if they are not done in time."""
        return self._pool.waitForDone(msecs)


def _receiver_alive(callback: Callable[..., Any]) -> bool:
    """False when ``callback`` belongs to a widget that was closed and deleted while its job ran: a bound method of
    it, or a function (a lambda) that refers to it."""
    owners = [getattr(callback, "__self__", None)]
    for cell in getattr(callback, "__closure__", None) or ():
        with contextlib.suppress(ValueError):
            owners.append(cell.cell_contents)
    return all(shiboken6.isValid(owner) for owner in owners if isinstance(owner, QObject))
