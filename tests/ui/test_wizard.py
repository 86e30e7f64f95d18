"""The setup wizard end to end on two simulated laptops: start synced memory on one, join from the other.

Every step a person takes in the wizard is taken here by typing into its fields and clicking its
buttons; the only direct service calls are reading the setup code on laptop 1 (the "Add a laptop" window shows
it) and looking at the result. Servers (memtray server, WebDAV, S3) are real ones on 127.0.0.1.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget, QWizard

from memtray.autostart import XdgAutostart
from memtray.laptop_name import default_laptop_name
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.ui.client import ServiceClient
from memtray.ui.tray_app import TrayApp
from memtray.ui.wizard import SetupWizard
from memtray.ui.wizard.base import (
    PAGE_FIRST_SYNC,
    PAGE_HUB,
    PAGE_JOIN,
    PAGE_PASSPHRASE,
    PAGE_PLACES,
    PAGE_PRESETS,
    PAGE_RECOVERY,
    PAGE_START,
)
from tests.servers.http_hub import http_hub_endpoint
from tests.servers.s3_moto import s3_moto_endpoint
from tests.servers.webdav_wsgidav import webdav_wsgidav_endpoint
from tests.ui.test_settings import mnemonics

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSPHRASE = "correct horse battery staple"
WAIT_MS = 60_000


def screenshot(widget: QWidget, name: str) -> None:
    if name.startswith("-"):
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SCREENSHOTS / f"{name}.png"))


@dataclass
class Laptop:
    service: Service
    user_home: Path
    autostart: XdgAutostart

    @property
    def autostart_entry(self) -> Path:
        return self.autostart.desktop_file


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def laptop(tmp_path: Path, name: str) -> Laptop:
    service = Service(resolve_home(tmp_path / name / "memtray-home"))
    user_home = tmp_path / name / "user"
    return Laptop(service, user_home, XdgAutostart(user_home / ".config", ["memtray"]))


@pytest.fixture
def laptops(tmp_path: Path, monkeypatch) -> Iterator[tuple[Laptop, Laptop]]:
    first, second = laptop(tmp_path, "laptop1"), laptop(tmp_path, "laptop2")
    write(first.user_home / ".claude" / "CLAUDE.md", "# How I work\n- Always write tests first.\n")
    write(first.user_home / ".claude" / "projects" / "-home-me-shop" / "memory" / "MEMORY.md", "Shop uses Postgres.\n")
    write(first.user_home / ".claude" / ".credentials.json", '{"token": "never-sync-me"}')
    write(first.user_home / ".codex" / "AGENTS.md", "Use ruff.\n")
    write(first.user_home / "code" / "shop" / "AGENTS.md", "Run make test before committing.\n")
    write(first.user_home / "code" / "shop" / "main.py", "print('not memory')\n")
    (first.user_home / "Dropbox").mkdir(parents=True)
    second.user_home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(first.user_home))
    yield first, second
    first.service.close()
    second.service.close()


@pytest.fixture
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.WARNING)
    yield
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def open_wizard(qtbot, make_client: Callable[[Service], ServiceClient], on: Laptop, **options) -> SetupWizard:
    wizard = SetupWizard(make_client(on.service), user_home=on.user_home, autostart=on.autostart, **options)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def click(qtbot, wizard: SetupWizard, button: QWizard.WizardButton) -> None:
    """Click a wizard button, after checking the page's Alt+letter keys are all different."""
    letters = mnemonics(wizard)
    assert len(letters) == len(set(letters)), (wizard.currentId(), sorted(letters))
    widget = wizard.button(button)
    assert widget.isEnabled(), f"{widget.text()} is disabled on page {wizard.currentId()}"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def wait_for_page(qtbot, wizard: SetupWizard, page_id: int) -> None:
    """Wait until the page's background work ends; it must have moved the wizard on to ``page_id``."""
    page = wizard.currentPage()
    qtbot.waitUntil(lambda: wizard.currentId() == page_id or not page.busy, timeout=WAIT_MS)
    assert wizard.currentId() == page_id, page.status.text()


def name_this_laptop(qtbot, wizard: SetupWizard, name: str, start_at_login: bool) -> None:
    page = wizard.start_page
    assert page.name_edit.text() == default_laptop_name(), "the suggested name is the one memtray works out"
    assert page.start_at_login_box.isChecked(), "start at sign-in is on unless the person turns it off"
    page.name_edit.clear()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled(), "a laptop needs a name"
    qtbot.keyClicks(page.name_edit, name)
    if not start_at_login:
        qtbot.keyClick(page.start_at_login_box, Qt.Key.Key_Space)
    assert page.start_at_login_box.isChecked() is start_at_login


def start_new_vault(
    qtbot,
    make_client: Callable[[Service], ServiceClient],
    first: Laptop,
    hub_url: str | None,
    invite: str | None,
    shots: str,
    name: str = "Alice's MacBook Air",
) -> str:
    wizard = open_wizard(qtbot, make_client, first)
    assert wizard.start_page.new_choice.isChecked()
    name_this_laptop(qtbot, wizard, name, start_at_login=True)
    screenshot(wizard, f"{shots}-1-start")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)

    assert wizard.currentId() == PAGE_HUB
    page = wizard.hub_page
    assert [choice.text().replace("&", "") for choice, _ in page.drive_choices] == ["Your Dropbox folder"]
    assert page.drive_choices[0][0].isChecked()
    if hub_url is not None:
        page.server_choice.setChecked(True)
        assert page.server_form.isVisible() and not page.webdav_form.isVisible()
        assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
        qtbot.keyClicks(page.server_form.address, hub_url)
        qtbot.keyClicks(page.server_form.password, invite or "")
        if hub_url.startswith("http://"):
            assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled(), "plain http needs a yes"
            qtbot.keyClick(page.insecure_box, Qt.Key.Key_Space)
    screenshot(wizard, f"{shots}-2-hub")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)

    assert wizard.currentId() == PAGE_PRESETS
    presets = wizard.presets_page
    assert [preset.folder_name for preset in presets.chosen()] == ["Claude Code", "Codex"]
    presets.project_picker.set_path(first.user_home / "code" / "shop")
    qtbot.mouseClick(presets.add_project_button, Qt.MouseButton.LeftButton)
    assert [preset.folder_name for preset in presets.chosen()] == ["Claude Code", "Codex", "Project shop"]
    screenshot(wizard, f"{shots}-3-folders")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)

    box = wizard.passphrase_page.passphrase
    qtbot.keyClicks(box.first, "short")
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    assert "Too short" in box.verdict.text()
    box.first.clear()
    qtbot.keyClicks(box.first, PASSPHRASE)
    qtbot.keyClicks(box.second, PASSPHRASE[:-1])
    assert "not the same" in box.verdict.text()
    qtbot.keyClicks(box.second, PASSPHRASE[-1])
    screenshot(wizard, f"{shots}-4-passphrase")
    assert wizard.button(QWizard.WizardButton.CommitButton).text().replace("&", "") == "Start syncing"
    click(qtbot, wizard, QWizard.WizardButton.CommitButton)
    wait_for_page(qtbot, wizard, PAGE_RECOVERY)

    recovery = wizard.recovery_page
    key = recovery.key_box.secret()
    assert len(key) > 40
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert wizard.isVisible() and wizard.currentId() == PAGE_RECOVERY, "Esc must not skip the recovery key"
    qtbot.mouseClick(recovery.key_box.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == key
    saved_to = first.user_home.parent / "usb-stick" / "recovery.txt"
    recovery.key_box.save_to(str(saved_to))
    assert key in saved_to.read_text()
    assert "Sent 4 changes to your other laptops." in recovery.sync_note.text()
    recovery.saved_box.setChecked(True)
    screenshot(wizard, f"{shots}-5-recovery-key")
    assert not first.autostart_entry.exists(), "start at sign-in is applied at Finish"
    with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS):
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert first.service.is_set_up()
    assert first.autostart_entry.is_file() and first.autostart.is_enabled()
    assert first.service.get_setting("start_at_login") is True
    assert first.service.status().device_name == name
    return key


def join_vault(
    qtbot,
    make_client: Callable[[Service], ServiceClient],
    second: Laptop,
    setup_code: str,
    shots: str,
    mistype: bool = True,
    name: str = "Bob's ThinkPad",
) -> None:
    """Laptop 2 joins with a setup code, or with the shared storage folder's path in its place.

    HOME (already pointed at laptop 2 by the caller) makes paths show as ~/….
    """
    wizard = open_wizard(qtbot, make_client, second)
    wizard.start_page.join_choice.setChecked(True)
    name_this_laptop(qtbot, wizard, name, start_at_login=False)
    screenshot(wizard, f"{shots}-0-name")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)

    assert wizard.currentId() == PAGE_JOIN
    page = wizard.join_page
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    if setup_code.startswith("MT1-"):
        page.code_edit.setText(setup_code)
    else:
        page.folder_choice.setChecked(True)
        assert not page.code_edit.isEnabled()
        page.folder_picker.set_path(setup_code)
    if mistype:
        qtbot.keyClicks(page.passphrase, "not my passphrase")
        click(qtbot, wizard, QWizard.WizardButton.CommitButton)
        qtbot.waitUntil(lambda: "Wrong passphrase" in page.status.text(), timeout=WAIT_MS)
        assert wizard.currentId() == PAGE_JOIN
        assert not second.service.is_set_up()
        page.passphrase.clear()
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    screenshot(wizard, f"{shots}-6-join")
    assert commit.text().replace("&", "") == "Join"
    click(qtbot, wizard, QWizard.WizardButton.CommitButton)
    wait_for_page(qtbot, wizard, PAGE_PLACES)

    places = wizard.places_page
    home = second.user_home
    assert {name: picker.path() for name, picker in places.pickers.items()} == {
        "Claude Code": str(home / ".claude"),
        "Codex": str(home / ".codex"),
        "Project shop": str(home / "memtray" / "Project shop"),
    }
    places.pickers["Project shop"].set_path(home / "code" / "shop")
    screenshot(wizard, f"{shots}-7-places")
    click(qtbot, wizard, QWizard.WizardButton.CommitButton)
    wait_for_page(qtbot, wizard, PAGE_FIRST_SYNC)
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    qtbot.waitUntil(finish.isEnabled, timeout=WAIT_MS)
    assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()
    assert "Received" in wizard.first_sync_page.summary.text()
    screenshot(wizard, f"{shots}-8-first-sync")
    with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS):
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert not second.autostart_entry.exists(), "unticked: nothing is registered to start at sign-in"
    assert second.service.get_setting("start_at_login") is False


def assert_second_laptop_has_the_files(first: Laptop, second: Laptop) -> None:
    for relative in (
        ".claude/CLAUDE.md",
        ".claude/projects/-home-me-shop/memory/MEMORY.md",
        ".codex/AGENTS.md",
        "code/shop/AGENTS.md",
    ):
        assert (second.user_home / relative).read_text() == (first.user_home / relative).read_text(), relative
    assert not (second.user_home / ".claude" / ".credentials.json").exists()
    assert not (second.user_home / "code" / "shop" / "main.py").exists()


def test_new_vault_in_a_cloud_drive_folder_then_join_with_the_setup_code(
    qtbot, make_client, laptops, monkeypatch
) -> None:
    first, second = laptops
    start_new_vault(qtbot, make_client, first, None, None, "wizard-folder")
    dropbox = first.user_home / "Dropbox"
    assert [path.name for path in dropbox.iterdir()] == ["memtray"], "nothing at the cloud drive's top"
    assert (dropbox / "memtray" / "vault" / "keyfile").is_dir()
    monkeypatch.setenv("HOME", str(second.user_home))
    join_vault(qtbot, make_client, second, first.service.setup_code(), "wizard-folder")
    assert_second_laptop_has_the_files(first, second)
    first.service.sync()
    assert {device.name: device.this_device for device in first.service.devices()} == {
        "Alice's MacBook Air": True,
        "Bob's ThinkPad": False,
    }


def test_join_by_picking_the_shared_folder_instead_of_a_code(qtbot, make_client, laptops, monkeypatch) -> None:
    first, second = laptops
    start_new_vault(qtbot, make_client, first, None, None, "-")
    monkeypatch.setenv("HOME", str(second.user_home))
    join_vault(qtbot, make_client, second, str(first.user_home / "Dropbox" / "memtray"), "-", mistype=False)
    assert_second_laptop_has_the_files(first, second)


def test_new_vault_on_a_memtray_server_then_join_with_the_setup_code(
    qtbot, make_client, laptops, tmp_path, monkeypatch
) -> None:
    first, second = laptops
    with http_hub_endpoint(tmp_path / "hub-server") as hub:
        start_new_vault(qtbot, make_client, first, hub.url, hub.new_invite(), "wizard-server")
        assert first.service.hub_info() == ("memtray", hub.url)
        monkeypatch.setenv("HOME", str(second.user_home))
        join_vault(qtbot, make_client, second, first.service.setup_code(), "wizard-server", mistype=False)
        assert_second_laptop_has_the_files(first, second)


def test_a_mistyped_passphrase_does_not_use_up_the_setup_code(
    qtbot, make_client, laptops, tmp_path, monkeypatch
) -> None:
    first, second = laptops
    with http_hub_endpoint(tmp_path / "hub-server") as hub:
        start_new_vault(qtbot, make_client, first, hub.url, hub.new_invite(), "-")
        monkeypatch.setenv("HOME", str(second.user_home))
        join_vault(qtbot, make_client, second, first.service.setup_code(), "-", mistype=True)
        assert second.service.is_set_up()


def go_to_storage_page(qtbot, wizard: SetupWizard) -> None:
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PAGE_HUB


def storage_chosen(qtbot, make_client, on: Laptop, kind: str) -> tuple[SetupWizard, Any, Any]:
    """The wizard on its storage page with ``kind`` (``git``, ``webdav``, ``s3``) chosen: wizard, page, its form."""
    wizard = open_wizard(qtbot, make_client, on)
    go_to_storage_page(qtbot, wizard)
    page = wizard.hub_page
    getattr(page, f"{kind}_choice").setChecked(True)
    return wizard, page, getattr(page, f"{kind}_form")


def start_with_the_passphrase(qtbot, wizard: SetupWizard) -> None:
    """From the storage page: on to the passphrase page, type it twice, start; wait for the recovery key page."""
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    box = wizard.passphrase_page.passphrase
    qtbot.keyClicks(box.first, PASSPHRASE)
    qtbot.keyClicks(box.second, PASSPHRASE)
    click(qtbot, wizard, QWizard.WizardButton.CommitButton)
    wait_for_page(qtbot, wizard, PAGE_RECOVERY)


def texts_shown(page: QWidget) -> list[str]:
    """Every label's text and every text box's placeholder on ``page``."""
    return [label.text() for label in page.findChildren(QLabel)] + [
        edit.placeholderText() for edit in page.findChildren(QLineEdit)
    ]


def test_a_cloud_drive_picked_as_another_folder_gets_a_memtray_folder_too(qtbot, make_client, laptops) -> None:
    first, _ = laptops
    dropbox = first.user_home / "Dropbox"
    wizard = open_wizard(qtbot, make_client, first)
    go_to_storage_page(qtbot, wizard)
    page = wizard.hub_page
    page.folder_choice.setChecked(True)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.folder_picker.set_path(dropbox)
    assert "~/Dropbox/memtray" in page.folder_note.text() and page.folder_note.isVisible()
    assert page.choice().url == str(dropbox / "memtray")

    existing = first.user_home / "old-storage"
    other = Service(resolve_home(first.user_home.parent / "old-laptop"))
    try:
        other.init(str(existing), PASSPHRASE, device_name="Old laptop")
    finally:
        other.close()
    page.folder_picker.set_path(existing)
    assert "already holds synced memory" in page.folder_note.text()
    assert page.choice().url == str(existing), "a folder that holds a storage is used as it is"

    usb = first.user_home / "usb"
    usb.mkdir()
    page.folder_picker.set_path(usb)
    assert not page.folder_note.isVisible()
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.state.hub_url == str(usb)


def test_webdav_is_offered_tested_and_used_in_plain_words(
    qtbot, make_client, laptops, tmp_path, no_errors_logged
) -> None:
    first, _ = laptops
    with webdav_wsgidav_endpoint(tmp_path / "webdav") as server:
        address = server.url.replace("webdav://memtray@", "http://").removesuffix("/hub")
        wizard, page, form = storage_chosen(qtbot, make_client, first, "webdav")
        assert form.isVisible() and not page.s3_form.isVisible() and not page.server_form.isVisible()
        shown = texts_shown(page)
        syntax = ("s3://", "webdav://", "webdavs://", "endpoint=")
        assert not [text for text in shown if any(part in text for part in syntax)], "no address syntax to learn"
        qtbot.keyClicks(form.address, address)
        qtbot.keyClicks(form.user, "memtray")
        qtbot.keyClicks(form.password, "not the password")
        assert page.insecure_box.isVisible() and not form.test_button.isEnabled()
        qtbot.keyClick(page.insecure_box, Qt.Key.Key_Space)
        qtbot.mouseClick(form.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: form.test_button.isEnabled() and "…" not in form.status.text(), timeout=WAIT_MS)
        assert "password" in form.status.text().lower(), form.status.text()
        form.password.clear()
        qtbot.keyClicks(form.password, server.secret or "")
        qtbot.mouseClick(form.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "memtray reached your storage" in form.status.text(), timeout=WAIT_MS)
        assert "empty" in form.status.text()
        screenshot(wizard, "wizard-storage")
        click(qtbot, wizard, QWizard.WizardButton.NextButton)
        assert wizard.state.hub_url == server.url.removesuffix("/hub") + "/memtray"
        start_with_the_passphrase(qtbot, wizard)
        assert "Sent " in wizard.recovery_page.sync_note.text()
        root = tmp_path / "webdav" / "wsgidav-root"
        assert sorted(path.name for path in root.iterdir()) == ["memtray"]
        assert (root / "memtray" / "vault" / "keyfile").is_dir()
        assert server.secret not in (first.service.home.config_file.read_text())


def test_an_s3_bucket_is_offered_and_tested_in_plain_words(
    qtbot, make_client, laptops, tmp_path, no_errors_logged
) -> None:
    first, _ = laptops
    with s3_moto_endpoint(tmp_path / "s3") as server:
        endpoint = server.url.split("endpoint=")[1].split("&")[0]
        key_id, secret_key = (server.secret or ":").split(":", 1)
        wizard, page, form = storage_chosen(qtbot, make_client, first, "s3")
        assert form.isVisible() and not page.webdav_form.isVisible()
        qtbot.keyClicks(form.bucket, "memtray-hub")
        qtbot.keyClicks(form.server, endpoint)
        qtbot.keyClicks(form.key_id, key_id)
        qtbot.keyClicks(form.secret_key, secret_key)
        qtbot.keyClick(page.insecure_box, Qt.Key.Key_Space)
        qtbot.mouseClick(form.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "memtray reached your storage" in form.status.text(), timeout=WAIT_MS)
        screenshot(wizard, "-wizard-storage-s3")
        click(qtbot, wizard, QWizard.WizardButton.NextButton)
        assert wizard.state.hub_url.startswith("s3://memtray-hub/memtray?endpoint=http")
        assert wizard.state.hub_secret == server.secret
        qtbot.keyClick(wizard, Qt.Key.Key_Escape)
        assert not first.service.is_set_up()
        assert server.raw.client.list_objects_v2(Bucket="memtray-hub").get("KeyCount") == 0


CANCEL_PAGES = [PAGE_START, PAGE_HUB, PAGE_PRESETS, PAGE_PASSPHRASE, PAGE_JOIN]


@pytest.mark.parametrize("page_id", CANCEL_PAGES, ids=["start", "storage", "folders", "passphrase", "join"])
def test_cancel_on_a_page_before_the_synced_memory_exists_leaves_nothing(
    qtbot, make_client, laptops, page_id: int, no_errors_logged
) -> None:
    first, _ = laptops
    wizard = open_wizard(qtbot, make_client, first)
    outcome: list[str] = []
    wizard.completed.connect(lambda: outcome.append("completed"))
    wizard.rejected.connect(lambda: outcome.append("rejected"))
    if page_id == PAGE_JOIN:
        wizard.start_page.join_choice.setChecked(True)
    while wizard.currentId() != page_id:
        click(qtbot, wizard, QWizard.WizardButton.NextButton)
    if page_id == PAGE_PASSPHRASE:
        box = wizard.passphrase_page.passphrase
        qtbot.keyClicks(box.first, PASSPHRASE)
        qtbot.keyClicks(box.second, PASSPHRASE)
    if page_id == PAGE_JOIN:
        wizard.join_page.folder_choice.setChecked(True)
        qtbot.keyClicks(wizard.join_page.passphrase, PASSPHRASE)
    click(qtbot, wizard, QWizard.WizardButton.CancelButton)
    qtbot.waitUntil(lambda: bool(outcome))
    qtbot.wait(300)
    assert outcome == ["rejected"] and not wizard.isVisible()
    home = first.service.home
    assert not home.config_file.exists() and not home.index_file.exists()
    assert not (first.user_home / "Dropbox" / "memtray").exists()
    assert not first.autostart_entry.exists()


def test_cancel_after_joining_leaves_this_laptop_as_it_was_and_nothing_syncs(
    qtbot, tmp_path, laptops, monkeypatch, no_errors_logged
) -> None:
    first, second = laptops
    storage = first.user_home / "Dropbox" / "memtray"
    first.service.init(str(storage), PASSPHRASE, device_name="Laptop A")
    first.service.add_preset_folder("claude-code", str(first.user_home / ".claude"))
    first.service.sync()
    code = first.service.setup_code()
    monkeypatch.setenv("HOME", str(second.user_home))
    app = TrayApp(second.service.home)
    quits: list[bool] = []
    app.quit = lambda: quits.append(True)  # type: ignore[method-assign]
    try:
        app.start()
        qtbot.waitUntil(lambda: isinstance(app._wizard, SetupWizard) and app._wizard.isVisible(), timeout=WAIT_MS)
        wizard = app._wizard
        assert isinstance(wizard, SetupWizard)
        wizard.start_page.join_choice.setChecked(True)
        click(qtbot, wizard, QWizard.WizardButton.NextButton)
        wizard.join_page.code_edit.setText(code)
        qtbot.keyClicks(wizard.join_page.passphrase, PASSPHRASE)
        click(qtbot, wizard, QWizard.WizardButton.CommitButton)
        wait_for_page(qtbot, wizard, PAGE_PLACES)
        joined = Service(second.service.home)
        vault_id = joined.config.vault_id
        assert joined.keychain.get(f"{vault_id}:passphrase"), "joined: the laptop is tied to the synced memory"

        click(qtbot, wizard, QWizard.WizardButton.CancelButton)
        qtbot.waitUntil(lambda: bool(quits) or app._wizard is None, timeout=WAIT_MS)
        qtbot.wait(500)
        assert quits, "Cancel ends the app's first run; it does not finish the setup"
        assert not wizard.isVisible()
        assert not app._syncing_started and not app.controller.is_running()
    finally:
        assert app.shutdown()
    home = second.service.home
    assert not home.config_file.exists() and not home.index_file.exists() and not home.keyfile_pin.exists()
    assert list(second.user_home.iterdir()) == [], "no file or folder was left on this laptop"
    assert not Service(home).is_set_up()
    assert joined.keychain.get(f"{vault_id}:passphrase") is None, "the passphrase left the keychain too"

    again = Service(home)
    try:
        again.join(code, PASSPHRASE, device_name="Laptop B")
        again.sync()
        assert (second.user_home / ".claude" / "CLAUDE.md").is_file(), "joining again works"
    finally:
        again.close()


def test_escape_cancels_the_wizard_without_a_vault(qtbot, make_client, laptops) -> None:
    first, _ = laptops
    wizard = open_wizard(qtbot, make_client, first)
    completed: list[bool] = []
    wizard.completed.connect(lambda: completed.append(True))
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    wizard.hub_page.folder_choice.setChecked(True)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert not wizard.isVisible()
    assert completed == []
    assert not first.service.is_set_up()


def test_the_start_page_names_this_laptop_and_offers_start_at_sign_in(qtbot, make_client, laptops) -> None:
    first, _ = laptops
    wizard = open_wizard(qtbot, make_client, first)
    assert wizard.currentId() == PAGE_START
    assert wizard.start_page.name_edit.text() == default_laptop_name()
    assert wizard.start_page.start_at_login_box.isChecked()
    wizard.start_page.name_edit.setText("Alice's MacBook Air")
    screenshot(wizard, "wizard-laptop-name")
    wizard.start_page.name_edit.setText("  Alice's   MacBook Air ")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.state.laptop_name == "Alice's MacBook Air"
