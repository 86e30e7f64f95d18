"""The real tray icon under Xvfb + trayer: clicking it syncs, the menu opens, notices show."""

from __future__ import annotations

import os
import subprocess

import pytest
from PySide6.QtCore import QObject, QPoint, QRect, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon, QWidget

from memtray.model import Status
from memtray.service import Service
from memtray.ui.icons import TrayState
from memtray.ui.notify import Notice, NoticeKind
from memtray.ui.scheduler import Trigger
from memtray.ui.tray_app import TrayApp
from tests.servers.http_hub import run_hub_server
from tests.support.display import artifact_path, screenshot, tray_icon_windows
from tests.ui.conftest import PASSPHRASE, on_worker

pytestmark = pytest.mark.usefixtures("qapp")


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, env=os.environ.copy(), timeout=30)


def docked_geometry(qtbot, app: TrayApp) -> QRect:
    """Wait until trayer embedded the icon, then return where it sits on screen."""
    qtbot.waitUntil(lambda: bool(tray_icon_windows(os.environ["DISPLAY"])), timeout=10000)
    qtbot.waitUntil(lambda: app.tray.icon.geometry().isValid() and app.tray.icon.geometry().x() > 0, timeout=10000)
    return app.tray.icon.geometry()


def wait_on_screen(qtbot, widget: QWidget) -> None:
    """Wait until the X server shows what ``widget`` paints (mapping and painting are asynchronous)."""
    qtbot.waitExposed(widget)
    expected = widget.grab().toImage()
    spot = QPoint(expected.width() // 2, expected.height() // 2)
    colour = expected.pixelColor(spot)

    def shown() -> bool:
        origin = widget.geometry().topLeft() + spot
        grabbed = QApplication.primaryScreen().grabWindow(0, origin.x(), origin.y(), 1, 1).toImage()
        return grabbed.pixelColor(0, 0) == colour

    qtbot.waitUntil(shown, timeout=10000)


def click(geometry: QRect, button: str) -> None:
    center = geometry.center()
    xdotool("mousemove", str(center.x()), str(center.y()), "click", button)


@pytest.fixture
def tray_app(qtbot, vault_home):
    app = TrayApp(vault_home.home)
    app.tray.show()
    with qtbot.waitSignal(app.client.snapshot_changed, timeout=10000):
        app.client.refresh()
    yield app
    app.shutdown()
    if app._settings_window is not None:
        app._settings_window.close()


def test_a_real_tray_host_is_there(qapp):
    assert QApplication.platformName() == "xcb"
    assert QSystemTrayIcon.isSystemTrayAvailable()


def test_left_click_on_the_icon_syncs_and_the_icon_follows(qtbot, tray_app, vault_home, join_laptop):
    laptop_b = join_laptop("laptop-b")
    geometry = docked_geometry(qtbot, tray_app)
    before = vault_home.log_objects()
    (vault_home.folder / "AGENTS.md").write_text("Always run the tests.\n", encoding="utf-8")
    states: list[TrayState] = []
    tray_app.tray.state_changed.connect(states.append)
    assert tray_app.tray.state is TrayState.IDLE

    with qtbot.waitSignal(tray_app.controller.finished, timeout=20000):
        click(geometry, "1")

    qtbot.waitUntil(lambda: tray_app.tray.state is TrayState.IDLE)
    assert states == [TrayState.SYNCING, TrayState.IDLE]
    assert len(vault_home.log_objects()) == len(before) + 1
    laptop_b.service.sync()
    assert (laptop_b.folder / "AGENTS.md").read_text(encoding="utf-8") == "Always run the tests.\n"


def test_tooltip_says_when_it_synced_and_how_many_folders(qtbot, tray_app):
    tooltip = tray_app.tray.icon.toolTip()
    assert "Synced just now · 1 folder" in tooltip
    assert tooltip.startswith("memtray\nUp to date")


def test_right_click_opens_the_menu(qtbot, tray_app):
    geometry = docked_geometry(qtbot, tray_app)
    menu = tray_app.tray.menu
    click(geometry, "3")
    qtbot.waitUntil(menu.isVisible, timeout=10000)
    wait_on_screen(qtbot, menu)
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts == [
        "Up to date",
        "Synced just now · 1 folder",
        "Sync now",
        "Pause automatic sync",
        "Recent activity…",
        "Open folder",
        "Add a laptop…",
        "Settings…",
        "Quit memtray",
    ]
    folder_names = [action.text() for action in tray_app.tray.folders_menu.actions()]
    assert folder_names == ["notes"]
    area = menu.geometry().united(geometry).adjusted(-24, -8, 24, 24)
    shot = screenshot("tray-menu", os.environ["DISPLAY"], (area.x(), 0, area.width(), area.bottom()))
    assert shot.stat().st_size > 0
    menu.hide()


def test_a_conflict_notice_shows_and_clicking_it_opens_activity(qtbot, tray_app):
    docked_geometry(qtbot, tray_app)
    notice = Notice(
        NoticeKind.CONFLICT,
        "Edited in two places",
        "“CLAUDE.md” was changed on two laptops. Both versions are kept. Click to show.",
        "activity",
    )
    tray_app.notifier.show_notice(notice)
    qtbot.waitUntil(lambda: balloon() is not None, timeout=10000)
    tip = balloon()
    assert tip is not None
    wait_on_screen(qtbot, tip)
    top_right = tip.geometry().united(tray_app.tray.icon.geometry()).adjusted(-24, 0, 24, 24)
    screenshot(
        "notification-conflict", os.environ["DISPLAY"], (top_right.x(), 0, top_right.width(), top_right.bottom())
    )

    with qtbot.waitSignal(tray_app.notifier.clicked, timeout=10000) as clicked:
        click(tip.geometry().adjusted(10, 30, -10, -4), "1")
    assert clicked.args == [notice]
    window = tray_app.settings_window()
    qtbot.waitUntil(window.isVisible, timeout=10000)
    assert window.tabs.tabText(window.tabs.currentIndex()).replace("&", "") == "Activity"


def balloon():
    for widget in QApplication.topLevelWidgets():
        if widget.metaObject().className() == "QBalloonTip" and widget.isVisible():
            return widget
    return None


def test_states_have_distinct_icons_and_menu_words(qtbot, tray_app):
    tray = tray_app.tray
    seen = {tray.state}
    tray.set_paused(True)
    seen.add(tray.state)
    assert tray.pause_action.text() == "Resume automatic sync"
    assert tray.sync_action.text() == "Sync once now"
    tray.set_paused(False)
    tray.set_status(Status(set_up=True, hub_kind="memtray"))  # a folder storage on this laptop needs no network
    tray.set_offline(True)
    seen.add(tray.state)
    tray.set_offline(False)
    tray.set_status(Status(set_up=True, open_conflicts=1, last_sync=None))
    seen.add(tray.state)
    assert "Not synced yet · 0 folders · 1 conflict" in tray.icon.toolTip()
    tray.set_syncing(True)
    seen.add(tray.state)
    assert seen == set(TrayState)


def test_a_large_delete_waits_for_a_yes_then_syncs(qtbot, tray_app, vault_home):
    notes = [vault_home.folder / f"note-{n}.md" for n in range(6)]
    for note in notes:
        note.write_text("keep me\n", encoding="utf-8")
    with qtbot.waitSignal(tray_app.controller.finished, timeout=20000):
        tray_app.controller.request()
    for note in notes:
        note.unlink()
    sent = vault_home.log_objects()

    def ask() -> QMessageBox:
        with qtbot.waitSignal(tray_app.controller.finished, timeout=20000) as held:
            tray_app.scheduler.sync_now()
        assert held.args[0].mass_delete is not None
        qtbot.waitUntil(lambda: tray_app._mass_delete_box is not None and tray_app._mass_delete_box.isVisible())
        assert tray_app.tray.state is TrayState.ATTENTION
        assert tray_app.scheduler.waiting_for_person, "automatic syncs wait for the answer"
        return tray_app._mass_delete_box

    box = ask()
    assert box.text() == (
        "<p><b>Many files would be deleted</b></p><p>6 of 7 files in &#x27;notes&#x27; are missing on this laptop. "
        "If you deleted them on purpose, choose Sync anyway; otherwise put them back. Nothing was sent.</p>"
    )
    assert {button.text() for button in box.buttons()} == {"&Sync anyway", "&Not now"}
    assert box.escapeButton().text() == "&Not now"
    wait_on_screen(qtbot, box)
    box.grab().save(str(artifact_path("mass-delete-question")))
    box.escapeButton().click()
    qtbot.waitUntil(lambda: tray_app._mass_delete_box is None)
    assert tray_app.scheduler.waiting_for_person and tray_app.tray.state is TrayState.ATTENTION
    assert not tray_app.controller.is_running() and vault_home.log_objects() == sent, "Not now sends nothing"

    box = ask()
    with qtbot.waitSignal(tray_app.controller.finished, timeout=20000) as answered:
        next(button for button in box.buttons() if button.text() == "&Sync anyway").click()
    assert answered.args[0].mass_delete is None and answered.args[0].uploaded == 6
    qtbot.waitUntil(lambda: tray_app.tray.state is TrayState.IDLE)
    assert not tray_app.scheduler.waiting_for_person


def test_pause_from_the_menu_is_saved_and_shown(qtbot, tray_app, vault_home):
    with qtbot.waitSignal(tray_app.tray.state_changed, timeout=10000) as changed:
        tray_app.tray.pause_action.trigger()
    assert changed.args == [TrayState.PAUSED]
    assert tray_app.scheduler.paused
    assert tray_app.tray.pause_action.text() == "Resume automatic sync"
    assert "Automatic sync is paused · click to sync once" in tray_app.tray.icon.toolTip()
    assert tray_app.client.wait()
    assert Service(vault_home.home).get_setting("paused") is True

    with qtbot.waitSignal(tray_app.tray.state_changed, timeout=10000) as changed:
        tray_app.tray.pause_action.trigger()
    assert changed.args == [TrayState.SYNCING], "resuming syncs at once"
    qtbot.waitUntil(lambda: tray_app.tray.state is TrayState.IDLE, timeout=20000)
    assert not tray_app.scheduler.paused
    assert tray_app.tray.pause_action.text() == "Pause automatic sync"


def test_an_edit_on_another_laptop_arrives_through_the_hubs_change_feed(qtbot, tmp_path, make_home):
    with run_hub_server(tmp_path / "server") as hub:
        folder_a, folder_b = tmp_path / "a" / "notes", tmp_path / "b" / "notes"
        folder_a.mkdir(parents=True)
        folder_b.mkdir(parents=True)
        laptop_a = Service(make_home("laptop-a"))
        laptop_a.init(hub.url, PASSPHRASE, invite=hub.new_invite(), device_name="Laptop A")
        laptop_a.add_folder("notes", str(folder_a))
        laptop_a.sync()
        laptop_b = Service(make_home("laptop-b"))
        laptop_b.join(laptop_a.setup_code(), PASSPHRASE, device_name="Laptop B")
        laptop_b.map_folder("notes", str(folder_b))
        laptop_a.close()

        app = TrayApp(laptop_a.home)
        triggers: list[Trigger] = []
        app.scheduler.triggered.connect(triggers.append)
        try:
            with qtbot.waitSignal(app.controller.finished, timeout=20000):
                app.start()
            assert app.scheduler.has_change_feed()

            (folder_b / "AGENTS.md").write_text("Written on laptop B.\n", encoding="utf-8")
            laptop_b.sync()

            qtbot.waitUntil(lambda: (folder_a / "AGENTS.md").exists(), timeout=20000)
            assert (folder_a / "AGENTS.md").read_text(encoding="utf-8") == "Written on laptop B.\n"
            assert Trigger.HUB in triggers
        finally:
            app.shutdown()
            laptop_b.close()


def test_hovering_the_icon_shows_the_tooltip(qtbot, tray_app):
    geometry = docked_geometry(qtbot, tray_app)
    center = geometry.center()
    xdotool("mousemove", str(center.x() - 3), str(center.y()))
    xdotool("mousemove", str(center.x()), str(center.y()))
    qtbot.waitUntil(lambda: tooltip_label() is not None, timeout=10000)
    label = tooltip_label()
    assert label is not None
    assert label.text() == "memtray\nUp to date\nSynced just now · 1 folder"
    wait_on_screen(qtbot, label)
    area = label.geometry().united(geometry).adjusted(-24, 0, 24, 24)
    screenshot("tray-tooltip", os.environ["DISPLAY"], (area.x(), 0, area.width(), area.bottom()))
    xdotool("mousemove", "10", "400")


def tooltip_label():
    for widget in QApplication.topLevelWidgets():
        if widget.metaObject().className() == "QTipLabel" and widget.isVisible():
            return widget
    return None


class FileUrlCatcher(QObject):
    """Receives the file:// URLs the tray opens (Qt's own hook), instead of a file manager starting."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_folder_opens_each_mapped_folder(qtbot, tray_app, vault_home):
    catcher = FileUrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")  # type: ignore[arg-type]  # the stub says bytes; PySide6 wants str
    try:
        (action,) = tray_app.tray.folders_menu.actions()
        assert action.text() == "notes"
        action.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert catcher.urls == [QUrl.fromLocalFile(str(vault_home.folder))]


def test_first_run_wizard_hands_over_to_the_tray(qtbot, tmp_path, make_home):
    app = TrayApp(make_home("new-laptop"))
    try:
        app.start()
        qtbot.waitUntil(lambda: app._wizard is not None, timeout=10000)
        wizard = app._wizard
        assert wizard is not None and type(wizard).__name__ == "SetupWizard"
        qtbot.waitUntil(wizard.isVisible)
        assert app.tray.icon.isVisible()

        on_worker(
            qtbot, app.client, lambda service: service.init(str(tmp_path / "hub"), PASSPHRASE, device_name="New laptop")
        )
        with qtbot.waitSignal(app.controller.finished, timeout=20000):
            wizard.completed.emit()

        assert app._wizard is None, "the wizard is closed and released"
        qtbot.waitUntil(lambda: balloon() is not None, timeout=10000)
        tip = balloon()
        wait_on_screen(qtbot, tip)
        area = tip.geometry().united(app.tray.icon.geometry()).adjusted(-24, 0, 24, 24)
        screenshot("notification-set-up", os.environ["DISPLAY"], (area.x(), 0, area.width(), area.bottom()))
        assert app.tray.state is TrayState.IDLE
    finally:
        app.shutdown()
