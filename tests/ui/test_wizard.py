"""The setup wizard end to end on two simulated laptops: start a vault on one, join from the other.

Every step a person takes in the wizard is taken here by typing into its fields and clicking its
buttons; the only direct service call is reading the setup code on laptop 1 (Settings shows it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget, QWizard

from memtray.paths import resolve_home
from memtray.service import Service
from memtray.ui.client import ServiceClient
from memtray.ui.wizard import SetupWizard
from memtray.ui.wizard.base import PAGE_FIRST_SYNC, PAGE_HUB, PAGE_JOIN, PAGE_PLACES, PAGE_PRESETS, PAGE_RECOVERY
from tests.servers.http_hub import http_hub_endpoint
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


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def laptop(tmp_path: Path, name: str) -> Laptop:
    service = Service(resolve_home(tmp_path / name / "memtray-home"))
    return Laptop(service, tmp_path / name / "user")


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


def start_new_vault(
    qtbot,
    make_client: Callable[[Service], ServiceClient],
    first: Laptop,
    hub_url: str | None,
    invite: str | None,
    shots: str,
):
    wizard = SetupWizard(make_client(first.service), user_home=first.user_home)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.start_page.new_choice.isChecked()
    screenshot(wizard, f"{shots}-1-start")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)

    assert wizard.currentId() == PAGE_HUB
    page = wizard.hub_page
    assert [choice.text().replace("&", "") for choice, _ in page.drive_choices] == ["Your Dropbox folder"]
    assert page.drive_choices[0][0].isChecked()
    if hub_url is not None:
        page.server_choice.setChecked(True)
        assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
        qtbot.keyClicks(page.url_edit, hub_url)
        qtbot.keyClicks(page.invite_edit, invite or "")
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
    assert wizard.button(QWizard.WizardButton.CommitButton).text().replace("&", "") == "Create my vault"
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
    saved_to = first.user_home / "recovery.txt"
    recovery.key_box.save_to(str(saved_to))
    assert saved_to.read_text().strip() == key
    assert "4 sent" in recovery.sync_note.text()
    recovery.saved_box.setChecked(True)
    screenshot(wizard, f"{shots}-5-recovery-key")
    with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS):
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert first.service.is_set_up()
    return key


def join_vault(
    qtbot,
    make_client: Callable[[Service], ServiceClient],
    second: Laptop,
    setup_code: str,
    shots: str,
    mistype: bool = True,
) -> None:
    """Laptop 2 joins with a setup code, or with the shared hub folder's path in its place.

    HOME (already pointed at laptop 2 by the caller) makes paths show as ~/….
    """
    wizard = SetupWizard(make_client(second.service), user_home=second.user_home)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.start_page.join_choice.setChecked(True)
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
    assert "received" in wizard.first_sync_page.summary.text()
    screenshot(wizard, f"{shots}-8-first-sync")
    with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS):
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)


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
    assert (first.user_home / "Dropbox" / "memtray-hub").is_dir()
    monkeypatch.setenv("HOME", str(second.user_home))
    join_vault(qtbot, make_client, second, first.service.setup_code(), "wizard-folder")
    assert_second_laptop_has_the_files(first, second)


def test_join_by_picking_the_shared_folder_instead_of_a_code(qtbot, make_client, laptops, monkeypatch) -> None:
    first, second = laptops
    start_new_vault(qtbot, make_client, first, None, None, "-")
    monkeypatch.setenv("HOME", str(second.user_home))
    join_vault(qtbot, make_client, second, str(first.user_home / "Dropbox" / "memtray-hub"), "-", mistype=False)
    assert_second_laptop_has_the_files(first, second)


def test_new_vault_on_a_memtray_hub_server_then_join_with_the_setup_code(
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


def test_escape_cancels_the_wizard_without_a_vault(qtbot, make_client, laptops) -> None:
    first, _ = laptops
    wizard = SetupWizard(make_client(first.service), user_home=first.user_home)
    qtbot.addWidget(wizard)
    completed: list[bool] = []
    wizard.completed.connect(lambda: completed.append(True))
    wizard.show()
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    wizard.hub_page.folder_choice.setChecked(True)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert not wizard.isVisible()
    assert completed == []
    assert not first.service.is_set_up()
