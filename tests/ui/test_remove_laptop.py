"""Removing a laptop from Settings → Security (issue 13), and what the other laptops are told.

Real laptops (real homes and services) on a real folder storage; the window reaches them only through its client.
- The list shows each laptop's key fingerprint (also as selectable text under it) and "Removed" once removed.
- "Remove laptop…" opens a window that says what removal means, asks for a new passphrase twice (Remove stays
  off until it is strong enough and the same twice), removes the laptop off the UI thread (it cannot be closed
  meanwhile), then shows the new recovery key with Copy: the key shown is the one that works, the old one does not.
- Escape and Cancel remove nothing; a failure is told in the window in plain words, and a retry works.
- A laptop that joins is told once on the others ("A new laptop joined: …", Show opens Settings → Security);
  one that is removed is told too; a refused laptop's sentence is told once while it repeats.
Screenshots of the list and of both pages of the window go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QTreeWidgetItem

from memtray.errors import PassphraseError
from memtray.model import DeviceInfo, SyncResult
from memtray.ui.client import ServiceClient
from memtray.ui.notify import Announcer, DialogNotifier
from memtray.ui.remove_laptop import RemoveLaptopDialog
from memtray.ui.settings import SettingsWindow
from memtray.ui.settings.security import SecurityTab
from tests.ui.conftest import PASSPHRASE, VaultHome, on_worker
from tests.ui.laptop_pair import screenshot
from tests.ui.tray_apps import notices, sync

pytestmark = pytest.mark.usefixtures("qapp")
WAIT_MS = 60_000
NEW_PASSPHRASE = "purple tractor sings at dawn"
LATER_PASSPHRASE = "seven quiet herons fold maps"
A_NAME, B_NAME, C_NAME = "Laptop A", "Laptop B", "Laptop C"


@pytest.fixture
def pair(vault_home: VaultHome, join_laptop: Callable[[str], VaultHome]) -> tuple[VaultHome, VaultHome]:
    """Laptop A (which made the vault) and Laptop B (joined with a setup code), each synced once since."""
    b = join_laptop("laptop-b")
    b.service.sync()
    vault_home.service.sync()
    return vault_home, b


@pytest.fixture
def settings(qtbot, make_client, pair: tuple[VaultHome, VaultHome]) -> Iterator[tuple[SettingsWindow, ServiceClient]]:
    """Laptop A's settings window on its Security tab, both laptops listed."""
    client = make_client(pair[0].service)
    window = SettingsWindow(client)
    qtbot.addWidget(window)
    window.resize(900, 820)
    window.show_tab("security")
    qtbot.waitUntil(lambda: window.security.device_tree.topLevelItemCount() == 2, timeout=WAIT_MS)
    yield window, client
    dialog = window.security.remove_dialog
    qtbot.waitUntil(lambda: dialog is None or not dialog.is_busy(), timeout=WAIT_MS)
    window.close()


def row(security: SecurityTab, name: str) -> QTreeWidgetItem:
    return security.device_tree.findItems(name, Qt.MatchFlag.MatchStartsWith, 0)[0]


def devices(qtbot, client: ServiceClient) -> dict[str, DeviceInfo]:
    return {device.name: device for device in on_worker(qtbot, client, lambda service: service.devices())}


def open_remove_dialog(qtbot, security: SecurityTab, name: str) -> RemoveLaptopDialog:
    """Select ``name`` with the mouse, then press "Remove laptop…" with the keyboard."""
    item = row(security, name)
    rect = security.device_tree.visualItemRect(item)
    qtbot.mouseClick(security.device_tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert security.selected_device() is not None and security.selected_device().name == name
    assert security.revoke_button.isEnabled()
    qtbot.keyClick(security.revoke_button, Qt.Key.Key_Space)
    dialog = security.remove_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog


def type_new_passphrase(qtbot, dialog: RemoveLaptopDialog, first: str, second: str) -> None:
    box = dialog.new_passphrase
    box.clear()
    qtbot.keyClicks(box.first, first)
    qtbot.keyClicks(box.second, second)


def test_removing_a_laptop_takes_a_new_passphrase_and_shows_the_new_recovery_key_once(
    qtbot, settings: tuple[SettingsWindow, ServiceClient]
) -> None:
    window, client = settings
    security = window.security
    old_key = on_worker(qtbot, client, lambda service: service.new_recovery_key(PASSPHRASE))
    before = devices(qtbot, client)
    fingerprints = {name: before[name].fingerprint for name in (A_NAME, B_NAME)}
    assert all(fingerprints.values()) and len(set(fingerprints.values())) == 2, "each laptop has its own key"
    for name, fingerprint in fingerprints.items():
        assert row(security, name).text(3) == fingerprint
    assert not security.fingerprint_line.isVisible(), "nothing selected, no fingerprint sentence"

    dialog = open_remove_dialog(qtbot, security, B_NAME)
    line = security.fingerprint_line
    assert line.isVisible() and fingerprints[B_NAME] in line.text()
    flags = line.textInteractionFlags()
    assert (
        flags & Qt.TextInteractionFlag.TextSelectableByMouse and flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    screenshot(window, "remove-laptop-1-list")
    assert not security.revoke_button.isEnabled(), "one removal window at a time"

    assert dialog.windowTitle() == f"Remove {B_NAME}"
    assert dialog.what_it_means.text() == (
        f"{B_NAME} will no longer receive anything new from your synced memory. "
        f"Choose a new passphrase: {B_NAME} knew the old one."
    )
    assert dialog.pages.currentWidget() is dialog.choose_page
    assert not dialog.remove_button.isEnabled()
    type_new_passphrase(qtbot, dialog, "password12", "password12")
    assert not dialog.remove_button.isEnabled(), "too easy to guess"
    type_new_passphrase(qtbot, dialog, NEW_PASSPHRASE, NEW_PASSPHRASE + "s")
    assert not dialog.remove_button.isEnabled(), "not the same twice"
    type_new_passphrase(qtbot, dialog, NEW_PASSPHRASE, NEW_PASSPHRASE)
    assert dialog.remove_button.isEnabled()
    QApplication.processEvents()  # lay the window out again now that zxcvbn's advice is gone
    screenshot(dialog, "remove-laptop-2-new-passphrase")

    qtbot.keyClick(dialog.new_passphrase.second, Qt.Key.Key_Return)
    assert dialog.is_busy(), "Enter in the last field presses Remove"
    assert not dialog.remove_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert not dialog.new_passphrase.isEnabled()
    assert not dialog.status.bar.isHidden(), "a busy bar while it works"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible(), "the new recovery key comes back to this window: it stays open until then"

    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.done_page, timeout=WAIT_MS)
    assert dialog.done_heading.text() == f"{B_NAME} was removed."
    assert "old recovery key no longer works" in dialog.old_key_line.text()
    key = dialog.recovery.secret()
    assert len(key.replace("-", "")) >= 40
    assert dialog.new_passphrase.passphrase() == "", "the passphrase is forgotten once used"
    assert dialog.focusWidget() is dialog.recovery.copy_button
    qtbot.keyClick(dialog.recovery.copy_button, Qt.Key.Key_Space)
    assert QGuiApplication.clipboard().text() == key
    screenshot(dialog, "remove-laptop-3-new-recovery-key")
    assert key not in security.devices_status.text()
    qtbot.mouseClick(dialog.done_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert dialog.recovery.secret() == "", "closing forgets the key"
    assert security.remove_dialog is None
    assert f"{B_NAME} was removed from your synced memory." in security.devices_status.text()

    qtbot.waitUntil(lambda: row(security, B_NAME).text(2) == "Removed", timeout=WAIT_MS)
    assert row(security, A_NAME).text(2) == "now"
    qtbot.mouseClick(
        security.device_tree.viewport(),
        Qt.MouseButton.LeftButton,
        pos=security.device_tree.visualItemRect(row(security, B_NAME)).center(),
    )
    assert not security.revoke_button.isEnabled(), "a removed laptop cannot be removed again"
    screenshot(window, "remove-laptop-4-list-after")

    after = devices(qtbot, client)
    assert not after[B_NAME].member and after[A_NAME].member
    with pytest.raises(PassphraseError):
        on_worker(qtbot, client, lambda service: service.new_recovery_key(PASSPHRASE))
    with pytest.raises(PassphraseError):
        on_worker(qtbot, client, lambda service: service.recover(old_key, LATER_PASSPHRASE))
    on_worker(qtbot, client, lambda service: service.recover(key, LATER_PASSPHRASE))
    on_worker(qtbot, client, lambda service: service.new_recovery_key(LATER_PASSPHRASE))


def test_escape_removes_nothing_and_a_failure_is_told_in_the_window_then_a_retry_works(
    qtbot, settings: tuple[SettingsWindow, ServiceClient], pair: tuple[VaultHome, VaultHome]
) -> None:
    window, client = settings
    security = window.security
    a, _b = pair
    dialog = open_remove_dialog(qtbot, security, B_NAME)
    type_new_passphrase(qtbot, dialog, NEW_PASSPHRASE, NEW_PASSPHRASE)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert security.remove_dialog is None and security.revoke_button.isEnabled()
    assert devices(qtbot, client)[B_NAME].member, "Escape removed nothing"

    dialog = open_remove_dialog(qtbot, security, B_NAME)
    assert dialog.new_passphrase.passphrase() == "", "a new window starts empty"
    type_new_passphrase(qtbot, dialog, NEW_PASSPHRASE, NEW_PASSPHRASE)
    away = a.hub.with_name("hub-unplugged")
    a.hub.rename(away)
    try:
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=WAIT_MS)
    finally:
        away.rename(a.hub)
    assert dialog.pages.currentWidget() is dialog.choose_page
    assert "is not there" in dialog.status.text(), dialog.status.text()
    assert dialog.status.bar.isHidden()
    assert dialog.new_passphrase.passphrase() == NEW_PASSPHRASE, "what was typed stays for a retry"
    assert dialog.remove_button.isEnabled() and dialog.cancel_button.isEnabled()
    assert security.devices_status.text() == ""
    assert devices(qtbot, client)[B_NAME].member, "nothing was removed"

    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.done_page, timeout=WAIT_MS)
    assert dialog.recovery.secret()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.recovery.secret() == ""
    assert not devices(qtbot, client)[B_NAME].member


def test_this_laptop_cannot_be_removed_and_the_service_refusal_reads_plainly(
    qtbot, settings: tuple[SettingsWindow, ServiceClient]
) -> None:
    window, client = settings
    security = window.security
    security.device_tree.setCurrentItem(row(security, A_NAME))
    assert not security.revoke_button.isEnabled()
    this_laptop = devices(qtbot, client)[A_NAME]
    dialog = RemoveLaptopDialog(client, this_laptop, security)
    dialog.open()
    type_new_passphrase(qtbot, dialog, NEW_PASSPHRASE, NEW_PASSPHRASE)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=WAIT_MS)
    said = dialog.status.text()
    assert said and "unexpected" not in said, said
    assert dialog.pages.currentWidget() is dialog.choose_page
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert all(device.member for device in devices(qtbot, client).values())


def button(box: QMessageBox, text: str) -> QAbstractButton:
    return next(b for b in box.buttons() if b.text() == text)


def test_the_other_laptops_are_told_once_when_a_laptop_joins_and_when_it_is_removed(
    qtbot, pair: tuple[VaultHome, VaultHome], join_laptop: Callable[[str], VaultHome], start_app
) -> None:
    a, b = pair
    c = join_laptop("laptop-c")
    c.service.sync()
    app = start_app(a.service)
    result = sync(qtbot, app)
    assert result.joined == [C_NAME]
    assert len(notices()) == 1, [box.text() for box in notices()]
    box = notices()[0]
    assert box.windowTitle() == "A new laptop joined"
    assert box.text() == (
        f"A new laptop joined: {C_NAME}. If you did not add it, remove it in Settings → Security → Your laptops."
    )
    screenshot(box, "remove-laptop-notice-joined")
    qtbot.mouseClick(button(box, "Show"), Qt.MouseButton.LeftButton)
    window = app.settings_window()
    qtbot.waitUntil(window.isVisible, timeout=WAIT_MS)
    assert window.tabs.currentWidget() is window.security
    qtbot.waitUntil(lambda: window.security.device_tree.topLevelItemCount() == 3, timeout=WAIT_MS)

    removal = on_worker(qtbot, app.client, lambda service: service.remove_laptop(C_NAME, NEW_PASSPHRASE))
    assert removal.name == C_NAME
    other = start_app(b.service)
    result = sync(qtbot, other)
    assert result.left == [C_NAME]
    qtbot.waitUntil(lambda: any(box.windowTitle() == "A laptop was removed" for box in notices()), timeout=WAIT_MS)
    told = [box.text() for box in notices() if box.windowTitle() == "A laptop was removed"]
    assert told == [f"{C_NAME} was removed from your synced memory."]
    assert not sync(qtbot, other).left, "told once"


def test_each_refusal_is_told_once_while_it_repeats_and_again_when_it_comes_back(qtbot) -> None:
    notifier = DialogNotifier()
    announcer = Announcer(notifier)
    refused = "Changes from Old laptop were not applied: it was removed from your synced memory."
    announcer.sync_succeeded(SyncResult(refused=[refused]))
    assert len(notices()) == 1
    assert notices()[0].text() == refused and notices()[0].windowTitle() == "Changes not applied"
    notices()[0].close()
    announcer.sync_succeeded(SyncResult(refused=[refused]))
    announcer.sync_succeeded(SyncResult(refused=[refused]))
    assert notices() == []
    announcer.sync_succeeded(SyncResult())
    announcer.sync_succeeded(SyncResult(refused=[refused]))
    assert [box.text() for box in notices()] == [refused], "told again once it came back"
