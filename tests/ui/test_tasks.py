"""A job's answer never reaches a window that was closed and deleted while the job ran."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QLabel

from memtray.errors import MemtrayError
from memtray.ui.tasks import TaskRunner

WAIT_MS = 30_000


def _run_after_deleting(qtbot, runner: TaskRunner, on_done_for) -> list[str]:  # type: ignore[no-untyped-def]
    """Start a job held on an event, delete the label it answers to, then let the job finish."""
    label = QLabel("before")
    seen: list[str] = []
    release = threading.Event()

    def work() -> str:
        release.wait(10)
        return "after"

    def failed(error: MemtrayError) -> None:
        seen.append(f"error: {error}")

    runner.run(work, on_done_for(label, seen), failed)
    label.deleteLater()
    qtbot.waitUntil(lambda: not _alive(label), timeout=WAIT_MS)
    release.set()
    assert runner.wait(WAIT_MS)
    qtbot.wait(50)
    return seen


def _alive(label: QLabel) -> bool:
    import shiboken6

    return shiboken6.isValid(label)


def test_a_bound_method_of_a_deleted_widget_is_not_called(qtbot) -> None:
    runner = TaskRunner()
    assert _run_after_deleting(qtbot, runner, lambda label, seen: label.setText) == []


def test_a_function_that_refers_to_a_deleted_widget_is_not_called(qtbot) -> None:
    runner = TaskRunner()

    def answer_to(label: QLabel, seen: list[str]):  # type: ignore[no-untyped-def]
        return lambda text: (seen.append(text), label.setText(text))

    assert _run_after_deleting(qtbot, runner, answer_to) == []


def test_a_living_receiver_gets_the_answer(qtbot) -> None:
    runner = TaskRunner()
    label = QLabel("before")
    runner.run(lambda: "after", label.setText, lambda error: None)
    qtbot.waitUntil(lambda: label.text() == "after", timeout=WAIT_MS)
