"""The shared small widgets and helpers: times, paths, secrets, diff marks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QPlainTextEdit

from memtray.errors import HubUnreachableError
from memtray.ui.settings.conflicts import mark_differences
from memtray.ui.settings.general import with_mnemonic
from memtray.ui.widgets import (
    PathPicker,
    StatusLine,
    home_relative,
    relative_time,
)

NOW = 1_800_000_000.0


def test_relative_time_reads_like_a_person_would_say_it() -> None:
    assert relative_time(None, NOW) == "never"
    assert relative_time(NOW - 20, NOW) == "just now"
    assert relative_time(NOW - 60, NOW) == "1 minute ago"
    assert relative_time(NOW - 130, NOW) == "2 minutes ago"
    assert relative_time(NOW - 3 * 3600, NOW) == "3 hours ago"
    assert relative_time(NOW - 86400 - 60, NOW) == "yesterday"
    assert relative_time(NOW - 5 * 86400, NOW) == "5 days ago"
    assert relative_time(NOW + 30, NOW) == "just now"


def test_home_relative_and_path_picker_round_trip(monkeypatch, tmp_path: Path, qtbot) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert home_relative(tmp_path / ".claude") == "~/.claude"
    assert home_relative("/srv/hub") == "/srv/hub"
    picker = PathPicker(tmp_path / "notes")
    qtbot.addWidget(picker)
    assert picker.line.text() == "~/notes"
    assert picker.path() == str(tmp_path / "notes")
    picker.set_path("")
    assert picker.path() == ""


def test_status_line_shows_an_error_title_and_message(qtbot) -> None:
    status = StatusLine()
    qtbot.addWidget(status)
    status.error(HubUnreachableError("memtray can't reach <the hub> & waits."))
    assert "Can't reach your storage" in status.text()
    assert "&lt;the hub&gt; &amp; waits." in status.text()
    status.clear()
    assert status.text() == ""


def test_mnemonics_never_repeat_a_letter() -> None:
    taken: set[str] = set()
    labels = [with_mnemonic(text, taken) for text in ("Pause syncing", "Pause notifications", "Sync every")]
    assert labels == ["&Pause syncing", "P&ause notifications", "&Sync every"]


def test_mark_differences_tints_only_the_changed_lines(qtbot) -> None:
    left, right = QPlainTextEdit("same\nmine\nsame too"), QPlainTextEdit("same\ntheirs\nextra\nsame too")
    qtbot.addWidget(left)
    qtbot.addWidget(right)
    mark_differences(left, right)
    assert [s.cursor.block().text() for s in left.extraSelections()] == ["mine"]
    assert [s.cursor.block().text() for s in right.extraSelections()] == ["theirs", "extra"]
