"""The conflict view tells the truth: on two real laptops with a real conflict, what each pane shows is what its
button writes, the labels are right on both laptops, a choice made on one laptop clears the other after a sync,
and "A file needs a look" in the tray menu opens the conflict."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from memtray.errors import MemtrayError
from memtray.ui.settings import SettingsWindow
from memtray.ui.settings.conflicts import ConflictsPane
from memtray.ui.tray_app import TrayApp
from tests.ui.conftest import on_worker
from tests.ui.laptop_pair import A_NAME, B_NAME, WAIT_MS, Pair, conflict, make_pair, open_settings, screenshot
from tests.ui.test_settings import mnemonics

BASE = "# How I work\n- Write the tests first.\n- Keep functions small.\n"
FROM_A = "# How I work\n- Write the tests first, always.\n- Keep functions small.\n"
FROM_B = "# How I work\n- Tests come after a working sketch.\n- Keep functions small.\n"
FILES = ("CLAUDE.md", "AGENTS.md", "GEMINI.md", "rules.md")


def edits_of(*names: str) -> dict[str, tuple[str, str]]:
    return {name: (FROM_A.replace("How I work", name), FROM_B.replace("How I work", name)) for name in names}


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    made = make_pair(tmp_path, {name: BASE.replace("How I work", name) for name in FILES})
    yield made
    made.close()


def conflicts_pane(qtbot, window: SettingsWindow) -> ConflictsPane:
    window.show_tab("conflicts")
    pane = window.activity.conflicts
    qtbot.waitUntil(lambda: pane.keep_kept_button.isEnabled(), timeout=WAIT_MS)
    return pane


def listed(pane: ConflictsPane) -> list[str]:
    return [c.path for c in pane._conflicts]


def choose(qtbot, pane: ConflictsPane, path: str) -> None:
    conflict = next(c for c in pane._conflicts if c.path == path)
    pane.select(conflict.conflict_id)
    qtbot.waitUntil(lambda: pane.keep_kept_button.isEnabled() and pane.selected().path == path, timeout=WAIT_MS)


def test_the_panes_show_the_text_in_the_file_and_the_text_set_aside_on_both_laptops(
    qtbot, pair: Pair, make_client
) -> None:
    conflict(pair, edits_of("CLAUDE.md"))
    texts = {A_NAME: FROM_A.replace("How I work", "CLAUDE.md"), B_NAME: FROM_B.replace("How I work", "CLAUDE.md")}
    in_file = pair.a.read("CLAUDE.md")
    assert in_file == pair.b.read("CLAUDE.md"), "both laptops hold the same text in the file"
    winner = next(name for name, text in texts.items() if text == in_file)
    loser = B_NAME if winner == A_NAME else A_NAME
    for laptop, name in ((pair.a, A_NAME), (pair.b, B_NAME)):

        def words(device: str, this_laptop: str = name) -> str:
            return "this laptop" if device == this_laptop else device

        window, _client = open_settings(qtbot, make_client, laptop)
        pane = conflicts_pane(qtbot, window)
        assert listed(pane) == ["CLAUDE.md"], name
        assert pane.kept_text.toPlainText() == in_file, name
        assert pane.other_text.toPlainText() == texts[loser], name
        assert pane.kept_label.text() == f"In the file now — from {words(winner)}", name
        assert pane.other_label.text() == f"Set aside — from {words(loser)}", name
        assert pane.keep_kept_button.text() == "&Keep the text in the file"
        assert pane.keep_other_button.text() == f"Keep {words(loser)}'s &text", name
        row = pane.tree.topLevelItem(0)
        assert (row.text(1), row.text(2)) == (words(loser), words(winner)), name
        if laptop is pair.b:
            screenshot(window, "conflict-view")
        window.close()


def choose_another(qtbot, pane: ConflictsPane) -> str:
    """Choose, as a person would, a conflict other than the one shown; its path."""
    path = next(path for path in listed(pane) if path != pane.selected().path)
    choose(qtbot, pane, path)
    return path


def test_each_button_writes_exactly_what_its_pane_showed(qtbot, pair: Pair, make_client) -> None:
    conflict(pair, edits_of(*FILES))
    window, client = open_settings(qtbot, make_client, pair.b)
    pane = conflicts_pane(qtbot, window)
    assert sorted(listed(pane)) == sorted(FILES)

    path = choose_another(qtbot, pane)
    shown = pane.kept_text.toPlainText()
    with qtbot.waitSignal(pane.resolved, timeout=WAIT_MS):
        qtbot.mouseClick(pane.keep_kept_button, Qt.MouseButton.LeftButton)
    assert pair.b.read(path) == shown
    qtbot.waitUntil(lambda: path not in listed(pane), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Done." in pane.status.text(), timeout=WAIT_MS)

    path = choose_another(qtbot, pane)
    assert pane.status.text() == "", "the ✔ Done of another conflict is gone once this one is chosen"
    shown = pane.other_text.toPlainText()
    assert shown != pair.b.read(path)
    with qtbot.waitSignal(pane.resolved, timeout=WAIT_MS):
        qtbot.mouseClick(pane.keep_other_button, Qt.MouseButton.LeftButton)
    assert pair.b.read(path) == shown

    path = choose_another(qtbot, pane)
    kept, other = pane.kept_text.toPlainText(), pane.other_text.toPlainText()
    proposal = on_worker(qtbot, client, lambda service: service.conflict_texts(pane.selected().conflict_id)).proposal
    with qtbot.waitSignal(pane.resolved, timeout=WAIT_MS):
        qtbot.mouseClick(pane.keep_both_button, Qt.MouseButton.LeftButton)
    both = pair.b.read(path)
    assert both == proposal
    for line in kept.splitlines() + other.splitlines():
        assert line in both.splitlines(), line
    assert both.count("- Keep functions small.") == 1, "a line both texts have appears once"

    qtbot.waitUntil(lambda: len(listed(pane)) == 1 and pane.keep_kept_button.isEnabled(), timeout=WAIT_MS)
    path = listed(pane)[0]
    proposal = on_worker(qtbot, client, lambda service: service.conflict_texts(pane.selected().conflict_id)).proposal
    qtbot.mouseClick(pane.edit_button, Qt.MouseButton.LeftButton)
    assert pane.editing
    assert pane.editor.toPlainText() == proposal, "the editor starts from both texts combined"
    pane.editor.moveCursor(pane.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(pane.editor, "- Sketch first, then the tests.")
    qtbot.keyClick(pane.editor, Qt.Key.Key_Return)
    screenshot(window, "conflict-edit")
    edited = pane.editor.toPlainText()
    with qtbot.waitSignal(pane.resolved, timeout=WAIT_MS):
        qtbot.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
    assert pair.b.read(path) == edited
    qtbot.waitUntil(lambda: listed(pane) == [], timeout=WAIT_MS)
    assert pane.tree.topLevelItem(0).text(0) == "No conflicts. Everything agrees."

    on_worker(qtbot, client, lambda service: service.sync())
    pair.a.service.sync()
    for name in FILES:
        assert pair.a.read(name) == pair.b.read(name), f"{name}: every laptop gets the text that was kept"


def test_edit_then_keep_is_cancelled_from_the_keyboard(qtbot, pair: Pair, make_client) -> None:
    conflict(pair, edits_of("CLAUDE.md"))
    window, _client = open_settings(qtbot, make_client, pair.b)
    window.show()
    qtbot.waitExposed(window)
    pane = conflicts_pane(qtbot, window)
    before = pair.b.read("CLAUDE.md")
    letters = mnemonics(window)
    assert {"k", "t", "o", "i"} <= set(letters) and len(letters) == len(set(letters)), sorted(letters)
    pane.edit_button.setFocus()
    qtbot.keyClick(pane.edit_button, Qt.Key.Key_Space)
    assert pane.editing
    assert pane.editor.hasFocus()
    letters = mnemonics(window)
    assert {"s", "l"} <= set(letters) and len(letters) == len(set(letters)), sorted(letters)
    qtbot.keyClick(pane.editor, Qt.Key.Key_Tab)
    assert pane.cancel_button.hasFocus() or pane.save_button.hasFocus()
    pane.cancel_button.setFocus()
    qtbot.keyClick(pane.cancel_button, Qt.Key.Key_Space)
    assert not pane.editing
    assert pair.b.read("CLAUDE.md") == before
    assert listed(pane) == ["CLAUDE.md"]


def test_a_choice_made_on_one_laptop_clears_the_conflict_on_the_other_after_a_sync(
    qtbot, pair: Pair, make_client
) -> None:
    conflict(pair, edits_of("CLAUDE.md", "AGENTS.md"))
    window, client = open_settings(qtbot, make_client, pair.b)
    window.show()
    pane = conflicts_pane(qtbot, window)
    assert sorted(listed(pane)) == ["AGENTS.md", "CLAUDE.md"]
    choose(qtbot, pane, "AGENTS.md")
    with qtbot.waitSignal(pane.resolved, timeout=WAIT_MS):
        qtbot.mouseClick(pane.keep_kept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Done." in pane.status.text(), timeout=WAIT_MS)

    a_conflict = next(c for c in pair.a.service.conflicts() if c.path == "CLAUDE.md" and not c.resolved)
    pair.a.service.resolve_conflict(a_conflict.conflict_id, "other")
    chosen_on_a = pair.a.read("CLAUDE.md")
    pair.a.service.sync()
    on_worker(qtbot, client, lambda s: s.sync())
    qtbot.waitUntil(lambda: listed(pane) == [], timeout=WAIT_MS)
    assert pane.status.text() == "", "the ✔ Done goes away when the list changes"
    assert pair.b.read("CLAUDE.md") == chosen_on_a
    assert not [c for c in pair.b.service.conflicts() if not c.resolved]


def test_a_refusal_shows_the_services_sentence(qtbot, pair: Pair, make_client) -> None:
    conflict(pair, edits_of("CLAUDE.md"))
    window, client = open_settings(qtbot, make_client, pair.b)
    pane = conflicts_pane(qtbot, window)
    pair.b.write("CLAUDE.md", "Edited again before choosing.\n")
    chosen = pane.selected().conflict_id
    with pytest.raises(MemtrayError) as refused:
        on_worker(qtbot, client, lambda service: service.resolve_conflict(chosen, "other"))
    refusal = refused.value.message
    qtbot.mouseClick(pane.keep_other_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: refusal in pane.status.text(), timeout=WAIT_MS)
    assert pair.b.read("CLAUDE.md") == "Edited again before choosing.\n"
    assert pane.keep_other_button.isEnabled()


def test_a_file_needs_a_look_in_the_tray_menu_opens_the_conflict(qtbot, pair: Pair) -> None:
    conflict(pair, edits_of("CLAUDE.md"))
    app = TrayApp(pair.b.service.home)
    try:
        with qtbot.waitSignal(app.client.snapshot_changed, timeout=WAIT_MS):
            app.client.refresh()
        look = app.tray.look_action
        assert look in app.tray.menu.actions() and look.isEnabled() and look.isVisible()
        assert look.text() == "A file needs a look…"
        look.trigger()
        window = app.settings_window()
        qtbot.waitUntil(window.isVisible, timeout=WAIT_MS)
        assert window.tabs.currentWidget() is window.activity
        assert window.activity.pages.currentWidget() is window.activity.conflicts
        pane = window.activity.conflicts
        qtbot.waitUntil(lambda: pane.keep_kept_button.isEnabled(), timeout=WAIT_MS)
        assert pane.selected().path == "CLAUDE.md"
        assert pane.kept_text.toPlainText() == pair.b.read("CLAUDE.md")
    finally:
        app.shutdown()
        if app._settings_window is not None:
            app._settings_window.close()
