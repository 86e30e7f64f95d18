"""What the tray app says after real syncs between two real laptops, and what clicking it opens.

The app runs without a tray icon here, so its notices are the small dialogs (with a Show button) that stand in
for system notifications that cannot carry buttons; the words are the same either way.
- A laptop whose own text left its file is told so, with the file and the other laptop named; Show opens it.
- Two laptops that each had their own CLAUDE.md are told, once each, that both texts were combined.
- A file the secret guard held back is told once, with its line and what was found; Show opens a dialog whose
  "Remove it" opens the file (or says that nothing can) and whose "Send anyway" sends it, as a sync shows.
- Settings → Folders turns the guard off for one folder, and the held file goes at the next sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from memtray.paths import resolve_home
from memtray.service import Service
from tests.ui.laptop_pair import A_NAME, B_NAME, FOLDER, PASSPHRASE, WAIT_MS, Pair, make_pair, screenshot
from tests.ui.tray_apps import notices, sync

BASE = "# Memory\n- Write the tests first.\n- Keep functions small.\n"
# Built here, so that no key-shaped text sits in the repository; it only has the shape of an Anthropic key.
FAKE_KEY = "sk-ant-" + "api03-" + "Zq8" * 12
WITH_KEY = f"# Memory\n- Write the tests first.\n- Use token {FAKE_KEY} for the API.\n"


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    made = make_pair(tmp_path, {"CLAUDE.md": BASE})
    yield made
    made.close()


def press(box: QMessageBox, text: str) -> None:
    next(button for button in box.buttons() if button.text() == text).click()


class UrlCatcher(QObject):
    """Stands in for the desktop's program for local files: Qt hands it the address it would open."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_a_laptop_whose_text_was_set_aside_is_told_and_show_opens_the_conflict(qtbot, pair: Pair, start_app) -> None:
    pair.a.write("CLAUDE.md", BASE.replace("first.", "first, always."))
    pair.b.write("CLAUDE.md", BASE.replace("Write the tests first.", "Tests come after a working sketch."))
    pair.a.service.sync()
    keeper = start_app(pair.b.service)
    assert not sync(qtbot, keeper).displaced, "B's later edit stays in B's file"
    qtbot.waitUntil(lambda: len(notices()) == 1, timeout=WAIT_MS)
    assert notices()[0].text() == "“CLAUDE.md” was changed on two laptops. Both versions are kept. Click to show."
    press(notices()[0], "Close")

    app = start_app(pair.a.service)
    result = sync(qtbot, app)
    assert [(n.path, n.other_device) for n in result.displaced] == [("CLAUDE.md", B_NAME)]
    qtbot.waitUntil(lambda: len(notices()) == 1, timeout=WAIT_MS)
    box = notices()[0]
    assert box.windowTitle() == "Your text was set aside"
    assert box.text() == (f"Your text in CLAUDE.md was set aside: {B_NAME} changed the same lines. Open it to choose.")
    press(box, "Show")
    window = app.settings_window()
    qtbot.waitUntil(window.isVisible, timeout=WAIT_MS)
    pane = window.activity.conflicts
    assert window.activity.pages.currentWidget() is pane
    qtbot.waitUntil(lambda: pane.keep_other_button.isEnabled(), timeout=WAIT_MS)
    assert pane.selected().path == "CLAUDE.md"
    assert pane.other_text.toPlainText() == BASE.replace("first.", "first, always."), "A's own text, set aside"


def test_two_laptops_with_their_own_claude_md_are_told_once_that_both_texts_were_combined(
    qtbot, tmp_path: Path, start_app
) -> None:
    a = Service(resolve_home(tmp_path / "a"))
    b = Service(resolve_home(tmp_path / "b"))
    try:
        (tmp_path / "a-memory").mkdir()
        (tmp_path / "a-memory" / "CLAUDE.md").write_text("# Memory\n- Answer briefly.\n", encoding="utf-8")
        a.init(str(tmp_path / "hub"), PASSPHRASE, device_name=A_NAME)
        a.add_folder(FOLDER, str(tmp_path / "a-memory"))
        a.sync()
        (tmp_path / "b-memory").mkdir()
        (tmp_path / "b-memory" / "CLAUDE.md").write_text("# Memory\n- Use British spelling.\n", encoding="utf-8")
        b.join(a.setup_code(), PASSPHRASE, device_name=B_NAME)
        b.map_folder(FOLDER, str(tmp_path / "b-memory"))

        app = start_app(b)
        sync(qtbot, app)
        qtbot.waitUntil(lambda: len(notices()) == 1, timeout=WAIT_MS)
        box = notices()[0]
        assert box.windowTitle() == "Two texts combined"
        assert box.text() == f"CLAUDE.md from this laptop and {A_NAME} were combined: both texts are kept."
        both = (tmp_path / "b-memory" / "CLAUDE.md").read_text(encoding="utf-8")
        assert "- Answer briefly." in both and "- Use British spelling." in both
        screenshot(box, "combine-notice")
        press(box, "Close")
        sync(qtbot, app)
        assert notices() == [], "the combine is told once"

        other = start_app(a)
        assert sync(qtbot, other).new_devices == [B_NAME]
        qtbot.waitUntil(lambda: len(notices()) == 2, timeout=WAIT_MS)
        press(next(box for box in notices() if box.windowTitle() == "A new laptop joined"), "Close")
        qtbot.waitUntil(lambda: len(notices()) == 1, timeout=WAIT_MS)
        assert notices()[0].text() == f"CLAUDE.md from this laptop and {B_NAME} were combined: both texts are kept."
        press(notices()[0], "Close")
        sync(qtbot, other)
        assert notices() == [], "the combine is told once on this laptop too"
    finally:
        a.close()
        b.close()


def test_a_held_file_is_told_once_and_send_anyway_sends_it(qtbot, pair: Pair, start_app) -> None:
    claude = pair.a.write("CLAUDE.md", WITH_KEY)
    app = start_app(pair.a.service)
    result = sync(qtbot, app)
    assert [(h.path, h.line) for h in result.held] == [("CLAUDE.md", 3)]
    qtbot.waitUntil(lambda: len(notices()) == 1, timeout=WAIT_MS)
    box = notices()[0]
    assert box.windowTitle() == "A file was held back"
    assert box.text() == "CLAUDE.md was not sent: line 3 looks like an Anthropic API key."
    assert FAKE_KEY not in box.text()
    press(box, "Show")
    qtbot.waitUntil(lambda: app.held_dialog is not None and app.held_dialog.isVisible(), timeout=WAIT_MS)
    assert app.held_dialog.held == result.held[0]
    assert app.held_dialog.windowTitle() == "A file was held back"
    qtbot.mouseClick(app.held_dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.held_dialog is None, timeout=WAIT_MS)
    sync(qtbot, app)
    assert notices() == [], "a file that stays held is told once"
    assert "1 file not sent" in app.tray.icon.toolTip()

    app.tray.look_action.trigger()
    dialog = app.held_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    assert dialog.message.text() == "CLAUDE.md was not sent: line 3 looks like an Anthropic API key."
    screenshot(dialog, "held-file")

    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "No program on this laptop opens CLAUDE.md" in dialog.status.text(), dialog.status.text()
    assert str(claude) in dialog.status.text()

    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [url.toLocalFile() for url in catcher.urls] == [str(claude)]
    qtbot.waitUntil(lambda: app.held_dialog is None, timeout=WAIT_MS)

    pair.b.service.sync()
    assert pair.b.read("CLAUDE.md") == BASE, "nothing was sent while the file was held"

    app.tray.look_action.trigger()
    dialog = app.held_dialog
    assert dialog is not None
    with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS) as synced:
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert synced.args[0].held == []
    pair.b.service.sync()
    assert pair.b.read("CLAUDE.md") == WITH_KEY, "Send anyway sent the file"
    qtbot.waitUntil(lambda: app.tray.look_action not in app.tray.menu.actions(), timeout=WAIT_MS)


def test_the_folders_page_turns_the_guard_off_for_one_folder(qtbot, pair: Pair, start_app) -> None:
    pair.a.write("CLAUDE.md", WITH_KEY)
    app = start_app(pair.a.service)
    assert [h.path for h in sync(qtbot, app).held] == ["CLAUDE.md"]
    qtbot.waitUntil(lambda: len(notices()) == 1, timeout=WAIT_MS)
    press(notices()[0], "Close")
    window = app.settings_window()
    window.show_tab("folders")
    folders = window.folders
    folders.select(FOLDER)
    guard = folders.secret_guard_box
    assert guard.isChecked() and guard.isEnabled()
    assert guard.text() == "C&heck for secrets before sending"
    with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS) as synced:
        qtbot.mouseClick(guard, Qt.MouseButton.LeftButton, pos=QPoint(8, guard.height() // 2))
    assert "Saved." in folders.status.text()
    assert synced.args[0].held == [], "the folders' change is synced at once, and the file goes"
    assert not Service(pair.a.service.home).secret_guard_on(FOLDER)
    pair.b.service.sync()
    assert pair.b.read("CLAUDE.md") == WITH_KEY
    assert not folders.secret_guard_box.isChecked()

    qtbot.keyClick(guard, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: Service(pair.a.service.home).secret_guard_on(FOLDER), timeout=WAIT_MS)
    folders.select(FOLDER)
    assert folders.secret_guard_box.isChecked()
