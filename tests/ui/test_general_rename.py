"""Settings → General: "This laptop's name" with Rename, on a real vault of two laptops; the other laptop shows the
new name after this one's next sync."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from memtray.ui.settings.window import SettingsWindow
from tests.ui.conftest import on_worker
from tests.ui.test_settings import mnemonics, screenshot

WAIT_MS = 60_000


def test_general_tab_renames_this_laptop_for_every_laptop(qtbot, make_client, vault_home, join_laptop) -> None:
    other = join_laptop("laptop-b")
    client = make_client(vault_home.service)
    window = SettingsWindow(client, user_home=Path.home())
    qtbot.addWidget(window)
    window.show()
    window.show_tab("general")
    general = window.general
    letters = mnemonics(window)
    assert len(letters) == len(set(letters)), sorted(letters)
    assert general.name_edit.text() == "Laptop A"
    assert not general.rename_button.isEnabled(), "nothing to rename yet"

    general.name_edit.selectAll()
    qtbot.keyClicks(general.name_edit, "   ")
    assert not general.rename_button.isEnabled(), "a name needs a letter"
    general.name_edit.clear()
    qtbot.keyClicks(general.name_edit, "Alice's MacBook Air")
    assert general.rename_button.isEnabled()
    qtbot.mouseClick(general.rename_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "now called" in general.status.text(), timeout=WAIT_MS)
    assert general.name_edit.text() == "Alice's MacBook Air" and not general.rename_button.isEnabled()
    assert client.snapshot.status.device_name == "Alice's MacBook Air"
    screenshot(window, "general-rename")

    on_worker(qtbot, client, lambda service: service.sync())
    other.service.sync()
    assert {device.name for device in other.service.devices()} == {"Alice's MacBook Air", "Laptop B"}
