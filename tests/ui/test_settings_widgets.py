"""The shared small widgets and helpers: passphrase strength, times, paths, secrets, diff marks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit

from memtray.errors import HubUnreachableError
from memtray.ui.settings.conflicts import mark_differences
from memtray.ui.settings.general import with_mnemonic
from memtray.ui.widgets import (
    NewPassphraseBox,
    PathPicker,
    SecretBox,
    StatusLine,
    home_relative,
    passphrase_strength,
    relative_time,
)

NOW = 1_800_000_000.0


def test_passphrase_strength_grows_with_length_and_variety() -> None:
    assert passphrase_strength("").score == 0
    assert not passphrase_strength("abc123").acceptable
    assert "Too short" in passphrase_strength("abc123").label
    assert not passphrase_strength("aaaaaaaaaaaa").acceptable
    assert passphrase_strength("correct horse battery staple").acceptable
    assert passphrase_strength("correct horse battery staple").score > passphrase_strength("tulip river").score


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


def test_new_passphrase_box_is_valid_only_when_strong_and_repeated(qtbot) -> None:
    box = NewPassphraseBox()
    qtbot.addWidget(box)
    with qtbot.waitSignal(box.validity_changed) as became:
        qtbot.keyClicks(box.first, "violet anchor drums")
        qtbot.keyClicks(box.second, "violet anchor drums")
    assert became.args == [True]
    assert box.is_valid()
    qtbot.keyClick(box.second, Qt.Key.Key_Backspace)
    assert not box.is_valid()
    assert "not the same" in box.verdict.text()


def test_secret_box_saves_and_reports_a_failed_save(qtbot, tmp_path: Path) -> None:
    box = SecretBox("key.txt")
    qtbot.addWidget(box)
    box.set_secret("ABCD-EFGH")
    with qtbot.waitSignal(box.saved):
        box.save_to(str(tmp_path / "key.txt"))
    assert (tmp_path / "key.txt").read_text() == "ABCD-EFGH\n"
    assert (tmp_path / "key.txt").stat().st_mode & 0o077 == 0, "a saved recovery key is its owner's only"
    box.save_to(str(tmp_path / "missing-folder" / "key.txt"))
    assert box.note.text().startswith("Could not save")


def test_status_line_shows_an_error_title_and_message(qtbot) -> None:
    status = StatusLine()
    qtbot.addWidget(status)
    status.error(HubUnreachableError("memtray can't reach <the hub> & waits."))
    assert "Can't reach the hub" in status.text()
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
