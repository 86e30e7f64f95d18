"""Status that agrees: the tray's icon, tooltip and menu say the same thing, offline and back online; failed
actions say what happened; a file waiting for the person is never announced as "memtray is set up".

The offline and back-online flow runs a real memtray server on 127.0.0.1, stopped and started again on the same
port; the laptop's network is a ``NetworkStatus`` the test switches (the OS network monitor is the one thing
not real here).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from memtray.errors import HubUnreachableError
from memtray.model import DeletedBy, MassDeleteQuestion, Status, SyncResult
from memtray.service import Service
from memtray.ui.icons import TrayState
from memtray.ui.network import NetworkStatus
from memtray.ui.notify import Notice, sync_sentence
from memtray.ui.tray import Tray
from memtray.ui.tray_app import TrayApp
from tests.servers.http_hub import run_hub_server
from tests.support.display import screenshot
from tests.ui.conftest import PASSPHRASE

pytestmark = pytest.mark.usefixtures("qapp")

WAIT_MS = 30000


class SwitchedNetwork(NetworkStatus):
    """The laptop's network, switched by the test."""

    def __init__(self) -> None:
        super().__init__()
        self.online = True

    def is_online(self) -> bool:
        return self.online

    def switch(self, online: bool) -> None:
        self.online = online
        self.online_changed.emit(online)


def menu_lines(tray: Tray) -> list[str]:
    """The menu's status lines a person sees (the headline may stand aside for "A file needs a look…")."""
    lines = [tray._headline.text()] if tray._headline.isVisible() else []
    return [*lines, tray._summary.text()]


def assert_agrees(tray: Tray) -> None:
    """Tooltip and menu carry the same words, and the words fit the icon's state."""
    tooltip = tray.icon.toolTip().split("\n")
    assert tooltip[0] == "memtray"
    assert tooltip[1:] == [tray._headline.text(), tray._summary.text()]
    assert tooltip[1:] == [tray.words.headline, tray.words.summary]
    offline = tray.state is TrayState.OFFLINE
    assert offline == tooltip[1].startswith("Offline"), tooltip
    if offline:
        assert not re.match(r"^Synced ", tooltip[2]), "offline never says it synced: it says when it last did"


def ten_minutes_ago() -> float:
    return time.time() - 600


@pytest.mark.parametrize(
    ("hub_kind", "network_down", "error", "state", "headline", "summary_start"),
    [
        ("memtray", False, None, TrayState.IDLE, "Up to date", "Synced 10 min ago"),
        ("memtray", True, None, TrayState.OFFLINE, "Offline · ", "Last synced 10 min ago"),
        ("webdav", False, HubUnreachableError("x"), TrayState.OFFLINE, "Offline · ", "Last synced 10 min ago"),
        ("folder", True, None, TrayState.IDLE, "Up to date", "Synced 10 min ago"),
    ],
    ids=["online", "network-down", "storage-unreachable", "folder-storage-needs-no-network"],
)
def test_every_state_reads_the_same_in_tooltip_and_menu(
    qtbot, hub_kind, network_down, error, state, headline, summary_start
):
    tray = Tray()
    tray.set_status(Status(set_up=True, hub_kind=hub_kind, last_sync=ten_minutes_ago()))
    tray.set_offline(network_down)
    tray.set_error(error)
    assert tray.state is state
    assert tray._headline.text().startswith(headline)
    assert tray._summary.text().startswith(summary_start)
    assert_agrees(tray)
    tray.set_offline(False)
    tray.set_error(None)
    assert tray.state is TrayState.IDLE
    assert_agrees(tray)


def show_menu_and_screenshot(qtbot, tray: Tray, name: str) -> None:
    menu = tray.menu
    menu.popup(QPoint(400, 40))
    qtbot.waitUntil(menu.isVisible, timeout=10000)
    qtbot.waitExposed(menu)
    qtbot.wait(300)  # the X server paints the mapped menu asynchronously
    area = menu.geometry().adjusted(-8, -8, 8, 8)
    screenshot(name, os.environ["DISPLAY"], (max(area.x(), 0), max(area.y(), 0), area.width(), area.height()))
    menu.hide()


def test_offline_and_back_online_with_a_real_memtray_server(qtbot, tmp_path, make_home):
    folder = tmp_path / "a" / "notes"
    folder.mkdir(parents=True)
    (folder / "CLAUDE.md").write_text("# Memory\n", encoding="utf-8")
    network = SwitchedNetwork()
    app: TrayApp | None = None
    try:
        with run_hub_server(tmp_path / "server") as hub:
            port = hub.url.rsplit(":", 1)[1].split("/")[0]
            laptop = Service(make_home("laptop-a"))
            laptop.init(hub.url, PASSPHRASE, invite=hub.new_invite(), device_name="Laptop A")
            laptop.add_folder("notes", str(folder))
            laptop.close()
            app = TrayApp(laptop.home, network=network)
            with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS):
                app.start()
            qtbot.waitUntil(lambda: app.tray.state is TrayState.IDLE, timeout=WAIT_MS)
            assert_agrees(app.tray)

            network.switch(False)
            assert app.tray.state is TrayState.OFFLINE
            assert app.tray._summary.text().startswith("Last synced just now")
            assert_agrees(app.tray)

            hub.process.terminate()
            hub.process.wait(timeout=30)
            network.switch(True)
            qtbot.waitUntil(lambda: not app.controller.is_running(), timeout=WAIT_MS)
            with qtbot.waitSignal(app.controller.failed, timeout=WAIT_MS):
                app.scheduler.sync_now()
            assert app.tray.state is TrayState.OFFLINE, "a storage that cannot be reached is offline, network or not"
            assert_agrees(app.tray)
            show_menu_and_screenshot(qtbot, app.tray, "status-offline")

        with run_hub_server(tmp_path / "server", "--port", port):
            with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS):
                app.scheduler.sync_now()
            qtbot.waitUntil(lambda: app.tray.state is TrayState.IDLE, timeout=WAIT_MS)
            assert app.tray._headline.text() == "Up to date"
            assert app.tray._summary.text().startswith("Synced just now")
            assert_agrees(app.tray)
            show_menu_and_screenshot(qtbot, app.tray, "status-online")
    finally:
        if app is not None:
            app.shutdown()


def recorded_notices(app: TrayApp, monkeypatch) -> list[Notice]:
    notices: list[Notice] = []
    show = app.notifier.show_notice

    def record(notice: Notice) -> None:
        notices.append(notice)
        show(notice)

    monkeypatch.setattr(app.notifier, "show_notice", record)
    return notices


def test_open_folder_that_cannot_be_shown_says_so_with_the_path(qtbot, vault_home, monkeypatch):
    app = TrayApp(vault_home.home)
    try:
        with qtbot.waitSignal(app.client.snapshot_changed, timeout=WAIT_MS):
            app.client.refresh()
        notices = recorded_notices(app, monkeypatch)
        gone = vault_home.folder.rename(vault_home.folder.with_name("moved-away"))
        (action,) = app.tray.folders_menu.actions()
        action.trigger()
        assert [notice.title for notice in notices] == ["The folder could not be opened"]
        assert str(Path(vault_home.folder)) in notices[0].message
        assert gone.is_dir()
    finally:
        app.shutdown()


def test_a_file_held_back_after_setup_is_not_announced_as_set_up(qtbot, tmp_path, make_home, monkeypatch):
    """The first sync after the wizard holds a file back: the notice says a file needs a look, not "set up"."""
    folder = tmp_path / "a" / "notes"
    folder.mkdir(parents=True)
    laptop = Service(make_home("laptop-a"))
    laptop.init(str(tmp_path / "hub"), PASSPHRASE, device_name="Laptop A")
    laptop.add_folder("notes", str(folder))
    # Built here, so that no key-shaped text sits in the repository.
    (folder / "CLAUDE.md").write_text("# Memory\nkey: " + "sk-ant-" + "api03-" + "Zq8" * 12 + "\n", encoding="utf-8")
    laptop.close()

    app = TrayApp(laptop.home, use_tray=True)
    try:
        notices = recorded_notices(app, monkeypatch)
        app._on_wizard_completed()
        qtbot.waitUntil(lambda: any(n.title in SET_UP_TITLES for n in notices), timeout=WAIT_MS)
        titles = [notice.title for notice in notices]
        assert "memtray is set up" not in titles
        assert "A file needs a look" in titles
        assert "1 file not sent" in app.tray.icon.toolTip()
    finally:
        app.shutdown()


SET_UP_TITLES = ("memtray is set up", "A file needs a look")


def test_the_words_of_a_sync_and_of_a_large_delete_are_plain():
    assert sync_sentence(SyncResult(uploaded=4)) == "Sent 4 changes to your other laptops."
    assert sync_sentence(SyncResult(uploaded=1, downloaded=2)) == (
        "Sent 1 change to your other laptops. Received 2 changes from your other laptops."
    )
    assert sync_sentence(SyncResult()) == "Everything is up to date."
    question = MassDeleteQuestion("f", "notes", 5, 6, DeletedBy.THIS_LAPTOP)
    assert "memtray sync" not in question.message() and "--" not in question.message()


def test_storage_tab_test_result_says_when_and_goes_when_shown_again(qtbot, vault_home, make_client):
    from memtray.ui.settings import SettingsWindow

    window = SettingsWindow(make_client(Service(vault_home.home)))
    qtbot.addWidget(window)
    window.show_tab("hub")
    assert window.tabs.tabText(window.tabs.currentIndex()).replace("&", "") == "Storage"
    storage = window.hub
    labels = [label.text() for label in storage.findChildren(type(storage.kind_label))]
    assert not any(text.startswith("Kind") for text in labels)
    assert not any("s3://" in text or "endpoint=" in text for text in labels), "no cheat-sheet of addresses"
    qtbot.mouseClick(storage.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: storage.test_button.isEnabled(), timeout=WAIT_MS)
    assert re.search(r"Tested at \d\d:\d\d: memtray reached the storage", storage.status.text())
    window.show_tab("general")
    window.show_tab("hub")
    assert storage.status.text() == "", "an old test result does not stay beside a newer state"
    QApplication.processEvents()
