"""Adding a laptop (issue 12): "Add a laptop…" in the tray menu and on the Laptops list shows the short setup code
and its QR code; the other laptop's wizard takes the short code, finds the storage in its own cloud drive, and asks
for the folder only when it cannot find it. Real vaults, a real tray host, the QR code read back by a real decoder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QWidget, QWizard

from memtray.paths import resolve_home
from memtray.service import Service
from memtray.service.setupcode import TYPING_MISTAKE, ShortCode, decode_setup_code
from memtray.ui.add_laptop import AddLaptopDialog
from memtray.ui.settings import SettingsWindow
from memtray.ui.tray_app import TrayApp
from memtray.ui.wizard import SetupWizard
from memtray.ui.wizard.base import PAGE_JOIN, PAGE_PLACES
from tests.servers.http_hub import http_hub_endpoint
from tests.servers.kinds import HUB_KINDS
from tests.support.display import artifact_path
from tests.support.qr import decode_gray
from tests.ui.conftest import PASSPHRASE

pytestmark = pytest.mark.usefixtures("qapp")
WAIT_MS = 60_000
SHORT_CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def qr_texts(widget: QWidget) -> list[str]:
    """What a QR decoder reads in the pixels ``widget`` paints."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = bytes(image.constBits())
    pixels = b"".join(data[row * stride : row * stride + width] for row in range(height))
    return decode_gray(pixels, width, height)


def vault_id_of(service: Service) -> str:
    return str(json.loads(service.home.config_file.read_text())["vault_id"])


def wait_for_codes(qtbot, dialog: AddLaptopDialog) -> None:
    """Wait for the codes, and for the window to lay the QR code out at its full size."""
    failed = dialog.status.bar.isHidden
    qtbot.waitUntil(lambda: bool(dialog.code()) or (bool(dialog.status.text()) and failed()), timeout=WAIT_MS)
    assert dialog.code(), dialog.status.text()
    label = dialog.qr_label
    qtbot.waitUntil(lambda: label.size().expandedTo(label.pixmap().size()) == label.size(), timeout=WAIT_MS)


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, env=os.environ.copy(), timeout=30)


@pytest.fixture
def tray_app(qtbot, vault_home):
    app = TrayApp(vault_home.home)
    app.tray.show()
    with qtbot.waitSignal(app.client.snapshot_changed, timeout=WAIT_MS):
        app.client.refresh()
    yield app
    app.shutdown()
    if app.add_laptop_dialog is not None:
        app.add_laptop_dialog.close()


def test_add_a_laptop_in_the_tray_menu_shows_the_short_code_copy_and_a_qr_code(qtbot, tray_app, vault_home) -> None:
    tray = tray_app.tray
    assert tray.add_laptop_action in tray.menu.actions()
    qtbot.waitUntil(lambda: tray.icon.geometry().isValid() and tray.icon.geometry().x() > 0, timeout=10_000)
    centre = tray.icon.geometry().center()
    xdotool("mousemove", str(centre.x()), str(centre.y()), "click", "3")
    qtbot.waitUntil(tray.menu.isVisible, timeout=10_000)
    item = tray.menu.actionGeometry(tray.add_laptop_action).center()
    spot = tray.menu.mapToGlobal(item)
    xdotool("mousemove", str(spot.x()), str(spot.y()), "click", "1")
    qtbot.waitUntil(lambda: tray_app.add_laptop_dialog is not None, timeout=10_000)
    dialog = tray_app.add_laptop_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    wait_for_codes(qtbot, dialog)

    short = dialog.short_code.text()
    assert SHORT_CODE.match(short) and len(short) <= 30, short
    assert ShortCode.for_vault(vault_id_of(vault_home.service)).encode() == short
    assert not dialog.full_code.isVisible()
    [full] = qr_texts(dialog.qr_label)
    assert decode_setup_code(full).vault_id == vault_id_of(vault_home.service)
    assert "type this code" in dialog.how.text()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == short
    assert dialog.grab().save(str(artifact_path("add-laptop")))

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tray_app.add_laptop_dialog is None, timeout=10_000)
    assert dialog.code() == "" and dialog.short_code.text() == ""


def test_add_a_laptop_on_the_laptops_list_at_a_memtray_server_shows_the_full_code_and_it_joins(
    qtbot, make_client, tmp_path: Path
) -> None:
    with http_hub_endpoint(tmp_path / "hub-server") as hub:
        a = Service(resolve_home(tmp_path / "a"))
        a.init(hub.url, PASSPHRASE, invite=hub.new_invite(), device_name="Office desktop")
        settings = SettingsWindow(make_client(a), user_home=tmp_path / "a-user")
        qtbot.addWidget(settings)
        settings.show_tab("security")
        security = settings.security
        qtbot.mouseClick(security.add_laptop_button, Qt.MouseButton.LeftButton)
        dialog = security.add_laptop_dialog
        assert dialog is not None
        wait_for_codes(qtbot, dialog)

        full = dialog.full_code.toPlainText()
        assert full.startswith("MT1-") and not dialog.short_code.isVisible()
        assert qr_texts(dialog.qr_label) == [full]
        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
        assert QGuiApplication.clipboard().text() == full
        assert "too long to type" in dialog.how.text()
        assert dialog.grab().save(str(artifact_path("add-laptop-server")))
        dialog.reject()
        assert dialog.full_code.toPlainText() == ""

        b = Service(resolve_home(tmp_path / "b"))
        b.join(full, PASSPHRASE, device_name="New laptop")
        assert b.is_set_up()
        a.close()
        b.close()


@pytest.fixture
def two_laptops(tmp_path: Path, monkeypatch):
    """Laptop A with its storage in ~/Dropbox/memtray; laptop B (HOME) whose Dropbox is elsewhere, not copied yet."""
    a_user, b_user = tmp_path / "a-user", tmp_path / "b-user"
    (a_user / ".claude").mkdir(parents=True)
    (a_user / ".claude" / "CLAUDE.md").write_text("# Written on laptop A\n")
    a = Service(resolve_home(tmp_path / "a"))
    a.init(str(a_user / "Dropbox" / "memtray"), PASSPHRASE, device_name="Laptop A")
    a.add_folder("Claude Code", str(a_user / ".claude"), include=("CLAUDE.md",))
    a.sync()
    b_dropbox = tmp_path / "b-elsewhere" / "Dropbox"
    b_dropbox.mkdir(parents=True)
    (b_user / ".dropbox").mkdir(parents=True)
    (b_user / ".dropbox" / "info.json").write_text(json.dumps({"personal": {"path": str(b_dropbox)}}))
    monkeypatch.setenv("HOME", str(b_user))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(b_user / ".config"))
    b = Service(resolve_home(tmp_path / "b"))
    yield a, b, a_user / "Dropbox", b_dropbox, b_user
    a.close()
    b.close()


def open_join_page(qtbot, make_client, service: Service, user_home: Path) -> SetupWizard:
    wizard = SetupWizard(make_client(service), user_home=user_home)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.start_page.join_choice.setChecked(True)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentId() == PAGE_JOIN
    return wizard


def join(qtbot, wizard: SetupWizard) -> None:
    page = wizard.join_page
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT_MS)


def test_the_wizard_takes_the_short_code_and_finds_the_storage_in_this_laptops_dropbox(
    qtbot, make_client, two_laptops
) -> None:
    a, b, a_dropbox, b_dropbox, b_user = two_laptops
    shutil.copytree(a_dropbox / "memtray", b_dropbox / "memtray")
    short = a.setup_codes().short
    assert short is not None
    wizard = open_join_page(qtbot, make_client, b, b_user)
    page = wizard.join_page
    qtbot.keyClicks(page.code_edit, short.lower().replace("-", " "))
    assert page.server_form.isHidden()
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    join(qtbot, wizard)
    assert wizard.currentId() == PAGE_PLACES, page.status.text()
    assert page.storage_question.isHidden()
    assert b.hub_info() == ("folder", (b_dropbox / "memtray").as_uri())


def test_the_wizard_refuses_a_mistyped_short_code_and_asks_for_the_folder_it_cannot_find(
    qtbot, make_client, two_laptops
) -> None:
    a, b, a_dropbox, _b_dropbox, b_user = two_laptops
    short = a.setup_codes().short
    assert short is not None
    wizard = open_join_page(qtbot, make_client, b, b_user)
    page = wizard.join_page
    qtbot.keyClicks(page.code_edit, short[:-2] + short[-1] + short[-2])
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    join(qtbot, wizard)
    assert TYPING_MISTAKE in page.status.text()
    assert page.storage_question.isHidden() and not b.is_set_up()

    page.code_edit.clear()
    qtbot.keyClicks(page.code_edit, short)
    join(qtbot, wizard)
    assert wizard.currentId() == PAGE_JOIN and not b.is_set_up()
    assert page.storage_question.isVisible()
    assert "Dropbox" in page.storage_hint.text() and "still copying" in page.storage_hint.text()
    assert page.status.text() == ""
    assert wizard.grab().save(str(artifact_path("join-short-code")))

    page.storage_picker.set_path(a_dropbox)
    join(qtbot, wizard)
    assert wizard.currentId() == PAGE_PLACES, page.status.text()
    assert b.hub_info() == ("folder", (a_dropbox / "memtray").as_uri())


@pytest.mark.parametrize("kind", ["webdav-wsgidav", "s3-moto"])
def test_the_wizard_asks_for_the_server_password_a_webdav_or_s3_code_does_not_carry(
    qtbot, make_client, tmp_path: Path, kind: str
) -> None:
    with HUB_KINDS[kind](tmp_path / "server") as hub:
        assert hub.secret is not None
        a = Service(resolve_home(tmp_path / "a"))
        a.init(hub.url, PASSPHRASE, hub_secret=hub.secret, device_name="Laptop A")
        codes = a.setup_codes()
        assert codes.short is None and hub.secret not in codes.full
        b = Service(resolve_home(tmp_path / "b"))
        wizard = open_join_page(qtbot, make_client, b, tmp_path / "b-user")
        page = wizard.join_page
        qtbot.keyClicks(page.passphrase, PASSPHRASE)
        page.code_edit.setText(codes.full)
        assert not page.server_form.isHidden()
        assert page.server_rows.isRowVisible(page.key_id_edit) == (kind == "s3-moto")
        assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
        key_id, _, password = hub.secret.rpartition(":") if kind == "s3-moto" else ("", "", hub.secret)
        qtbot.keyClicks(page.key_id_edit, key_id)
        qtbot.keyClicks(page.server_password, password)
        join(qtbot, wizard)
        assert wizard.currentId() == PAGE_PLACES, page.status.text()
        assert b.is_set_up()
        a.close()
        b.close()
