"""The settings window on a real two-laptop vault (folder hub in tmp_path), tab by tab.

The window under test belongs to laptop B, which has everything a person would see after a few
days: two laptops, a folder waiting for a place, a conflict, and some history.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QLabel, QMessageBox, QTabBar, QWidget

import memtray
from memtray.errors import PassphraseError, RollbackError
from memtray.paths import resolve_home
from memtray.presets import preset_for_folder
from memtray.service import Service
from memtray.ui.client import ServiceClient
from memtray.ui.settings import SettingsWindow
from tests.servers.http_hub import http_hub_endpoint

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSPHRASE = "correct horse battery staple"
NEW_PASSPHRASE = "purple tractor sings at dawn"
WAIT_MS = 30_000
BASE_TEXT = "# How I work\n- Always write tests first.\n- Keep functions small.\n"
A_TEXT = "# How I work\n- Always write tests first, then the code.\n- Keep functions small.\n"
B_TEXT = "# How I work\n- Tests come after a working sketch.\n- Keep functions small.\n"


def screenshot(widget: QWidget, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SCREENSHOTS / f"{name}.png"))


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@dataclass
class Laptop:
    service: Service
    user_home: Path


@dataclass
class Vault:
    a: Laptop
    b: Laptop

    def add_preset(self, laptop: Laptop, name: str) -> None:
        preset = preset_for_folder(name, laptop.user_home)
        assert preset is not None
        laptop.service.add_folder(name, str(preset.path), preset.include, preset.exclude)


def make_laptop(root: Path, name: str, hub: str, *, invite_from: Service | None = None) -> Laptop:
    service = Service(resolve_home(root / name / "memtray-home"))
    user_home = root / name / "user"
    if invite_from is None:
        service.init(hub, PASSPHRASE, device_name="Anna's ThinkPad")
    else:
        service.join(invite_from.setup_code(), PASSPHRASE, device_name="Anna's MacBook Air")
    return Laptop(service, user_home)


def build_vault(root: Path, hub: str) -> Vault:
    a = make_laptop(root, "laptop-a", hub)
    write(a.user_home / ".claude" / "CLAUDE.md", BASE_TEXT)
    write(a.user_home / ".codex" / "AGENTS.md", "Use ruff and mypy.\n")
    vault = Vault(a, Laptop(a.service, a.user_home))
    vault.add_preset(a, "Claude Code")
    vault.add_preset(a, "Codex")
    a.service.sync()
    b = make_laptop(root, "laptop-b", hub, invite_from=a.service)
    vault.b = b
    b.service.map_folder("Claude Code", str(b.user_home / ".claude"))
    b.service.map_folder("Codex", str(b.user_home / ".codex"))
    b.service.sync()
    write(b.user_home / ".copilot" / "copilot-instructions.md", "Answer briefly.\n")

    write(a.user_home / ".gemini" / "GEMINI.md", "Gemini notes.\n")
    vault.add_preset(a, "Gemini CLI")
    write(a.user_home / ".claude" / "CLAUDE.md", A_TEXT)
    a.service.sync()
    write(b.user_home / ".claude" / "CLAUDE.md", B_TEXT)
    write(b.user_home / ".codex" / "AGENTS.md", "Use ruff, mypy and pytest.\n")
    result = b.service.sync()
    assert len(result.conflicts) == 1
    return vault


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    built = build_vault(tmp_path, str(tmp_path / "hub"))
    yield built
    built.a.service.close()
    built.b.service.close()


@pytest.fixture
def window(qtbot, vault: Vault, make_client, tmp_path: Path, monkeypatch) -> SettingsWindow:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(vault.b.user_home))
    client: ServiceClient = make_client(vault.b.service)
    settings = SettingsWindow(client, user_home=vault.b.user_home)
    qtbot.addWidget(settings)
    return settings


def button_named(box: QMessageBox, text: str) -> QAbstractButton:
    return next(button for button in box.buttons() if button.text() == text)


def confirm(qtbot, parent: QWidget, action: str) -> None:
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox) is not None, timeout=WAIT_MS)
    box = parent.findChild(QMessageBox)
    assert box is not None
    qtbot.mouseClick(button_named(box, action), Qt.MouseButton.LeftButton)


def test_general_tab_saves_each_setting_at_once(qtbot, window: SettingsWindow, vault: Vault, tmp_path: Path) -> None:
    window.show_tab("general")
    general = window.general
    changed: list[str] = []
    window.settings_changed.connect(changed.append)
    screenshot(window, "settings-1-general")

    qtbot.keyClick(general.controls["notify_success"], Qt.Key.Key_Space)
    qtbot.keyClick(general.controls["start_at_login"], Qt.Key.Key_Space)
    spin = general.controls["interval_minutes"]
    spin.setValue(15)
    combo = general.controls["conflict_policy"]
    combo.setCurrentIndex(combo.findData("prefer_recent"))
    combo.activated.emit(combo.currentIndex())

    qtbot.waitUntil(lambda: len(changed) == 4, timeout=WAIT_MS)
    assert changed == ["notify_success", "start_at_login", "interval_minutes", "conflict_policy"]
    reopened = Service(vault.b.service.home)
    assert reopened.get_setting("notify_success") is True
    assert reopened.get_setting("start_at_login") is True
    assert reopened.get_setting("interval_minutes") == 15
    assert reopened.get_setting("conflict_policy") == "prefer_recent"
    assert (tmp_path / "xdg-config" / "autostart" / "memtray.desktop").is_file()

    qtbot.keyClick(general.controls["start_at_login"], Qt.Key.Key_Space)
    assert not (tmp_path / "xdg-config" / "autostart" / "memtray.desktop").exists()
    qtbot.waitUntil(lambda: len(changed) == 5, timeout=WAIT_MS)
    assert Service(vault.b.service.home).get_setting("start_at_login") is False


def test_folders_tab_places_a_waiting_folder_and_adds_presets(qtbot, window: SettingsWindow, vault: Vault) -> None:
    window.show_tab("folders")
    folders = window.folders
    rows = {
        folders.tree.topLevelItem(i).text(0): folders.tree.topLevelItem(i)
        for i in range(folders.tree.topLevelItemCount())
    }
    assert set(rows) == {"Claude Code", "Codex", "Gemini CLI"}
    assert "choose where" in rows["Gemini CLI"].text(2)
    assert rows["Claude Code"].text(2) == "~/.claude"
    assert "GitHub Copilot" in folders.preset_list.item(0).text()
    folders.select("Gemini CLI")
    assert folders.choose_button.text().replace("&", "") == "Choose where…"
    screenshot(window, "settings-2-folders")

    qtbot.mouseClick(folders.choose_button, Qt.MouseButton.LeftButton)
    dialog = folders.place_dialog
    assert dialog is not None
    assert dialog.path() == str(vault.b.user_home / ".gemini")
    screenshot(dialog, "settings-2-folders-choose-where")
    with qtbot.waitSignal(folders.folders_changed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    gemini = next(f for f in vault.b.service.folders() if f.name == "Gemini CLI")
    assert gemini.path == str(vault.b.user_home / ".gemini")

    with qtbot.waitSignal(folders.folders_changed, timeout=WAIT_MS):
        qtbot.mouseClick(folders.add_presets_button, Qt.MouseButton.LeftButton)
    copilot = next(f for f in vault.b.service.folders() if f.name == "Copilot")
    assert copilot.path == str(vault.b.user_home / ".copilot")

    project = vault.b.user_home / "code" / "shop"
    write(project / "CLAUDE.md", "Shop rules.\n")
    qtbot.mouseClick(folders.add_project_button, Qt.MouseButton.LeftButton)
    assert folders.place_dialog is not None
    folders.place_dialog.picker.set_path(project)
    with qtbot.waitSignal(folders.folders_changed, timeout=WAIT_MS):
        qtbot.mouseClick(folders.place_dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Project shop" in {f.name for f in vault.b.service.folders()}

    folders.select("Codex")
    assert folders.rules_summary.text() == "Codex's memory: AGENTS.md."
    assert not folders.rules.isVisible()
    qtbot.mouseClick(folders.advanced_button, Qt.MouseButton.LeftButton)
    assert folders.rules.isVisible()
    with qtbot.waitSignal(folders.folders_changed, timeout=WAIT_MS):
        folders.exclude_edit.setPlainText("drafts/**\n*.bak")
    codex = next(f for f in vault.b.service.folders() if f.name == "Codex")
    assert codex.exclude == ("drafts/**", "*.bak")
    assert folders.rules_summary.text() == "Your own choice of files (see Advanced)."
    with qtbot.waitSignal(folders.folders_changed, timeout=WAIT_MS):
        qtbot.mouseClick(folders.undo_button, Qt.MouseButton.LeftButton)
    codex = next(f for f in vault.b.service.folders() if f.name == "Codex")
    assert codex.exclude == ()
    assert folders.rules_summary.text() == "Codex's memory: AGENTS.md."

    folders.select("Project shop")
    qtbot.mouseClick(folders.remove_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(folders.folders_changed, timeout=WAIT_MS):
        confirm(qtbot, folders, "Stop syncing")
    assert "Project shop" not in {f.name for f in vault.b.service.folders()}
    assert (project / "CLAUDE.md").read_text() == "Shop rules.\n"


def test_hub_tab_test_connection_reports_success_and_failure(qtbot, window: SettingsWindow, vault: Vault) -> None:
    window.show_tab("hub")
    hub = window.hub
    assert Path(hub.url_edit.text()).as_uri() == vault.b.service.hub_info()[1]
    assert hub.kind_label.text() == "A folder your cloud drive, NAS or USB stick copies"
    qtbot.mouseClick(hub.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hub.test_button.isEnabled(), timeout=WAIT_MS)
    assert re.search(
        r"Tested at \d\d:\d\d: memtray reached the storage and found your synced memory\.", hub.status.text()
    )
    screenshot(window, "settings-3-hub")

    hub.url_edit.setText("http://127.0.0.1:9")
    assert hub.kind_label.text() == "A memtray server"
    assert hub.insecure_box.isVisible()
    assert hub.secret_edit.isVisible()
    qtbot.keyClicks(hub.secret_edit, "mt_device_token")
    qtbot.mouseClick(hub.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hub.test_button.isEnabled(), timeout=WAIT_MS)
    assert "Can't reach your storage" in hub.status.text()
    screenshot(window, "settings-3-hub-unreachable")

    hub.url_edit.setText("gopher://example.com")
    assert not hub.test_button.isEnabled()
    assert hub.kind_label.text() == "memtray does not know this kind of address"


def test_security_tab_passphrase_recovery_key_devices_and_setup_code(
    qtbot, window: SettingsWindow, vault: Vault
) -> None:
    window.show_tab("security")
    security = window.security
    qtbot.waitUntil(lambda: security.device_tree.topLevelItemCount() == 2, timeout=WAIT_MS)
    names = {security.device_tree.topLevelItem(i).text(0) for i in range(2)}
    assert names == {"Anna's MacBook Air  (this laptop)", "Anna's ThinkPad"}

    qtbot.keyClicks(security.old_passphrase, PASSPHRASE)
    qtbot.keyClicks(security.new_passphrase.first, NEW_PASSPHRASE)
    assert not security.change_button.isEnabled()
    qtbot.keyClicks(security.new_passphrase.second, NEW_PASSPHRASE)
    assert security.change_button.isEnabled()
    qtbot.mouseClick(security.change_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Passphrase changed" in security.passphrase_status.text(), timeout=WAIT_MS)
    assert security.old_passphrase.text() == ""
    with pytest.raises(PassphraseError):
        Service(vault.b.service.home).new_recovery_key(PASSPHRASE)

    qtbot.keyClicks(security.recovery_passphrase, NEW_PASSPHRASE)
    qtbot.mouseClick(security.recovery_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: security.secret_dialog is not None, timeout=WAIT_MS)
    dialog = security.secret_dialog
    assert dialog is not None and dialog.isVisible()
    key = dialog.box.secret()
    assert len(key.replace("-", "")) >= 40
    qtbot.mouseClick(dialog.box.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == key
    screenshot(dialog, "settings-4-security-recovery-key")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.box.secret() == ""
    assert not dialog.isVisible()
    assert key not in security.recovery_status.text()

    qtbot.mouseClick(security.add_laptop_button, Qt.MouseButton.LeftButton)
    setup = security.add_laptop_dialog
    assert setup is not None
    qtbot.waitUntil(lambda: bool(setup.code()), timeout=WAIT_MS)
    assert setup.full_code.isHidden() and not setup.short_code.isHidden()
    screenshot(setup, "settings-4-security-setup-code")
    setup.reject()

    other = security.device_tree.findItems("Anna's ThinkPad", Qt.MatchFlag.MatchExactly, 0)[0]
    security.device_tree.setCurrentItem(other)
    assert other.text(2) != "now"
    assert security.revoke_button.isEnabled()
    screenshot(window, "settings-4-security")
    qtbot.mouseClick(security.revoke_button, Qt.MouseButton.LeftButton)
    remove = security.remove_dialog
    assert remove is not None and remove.isVisible(), "the removal itself: tests/ui/test_remove_laptop.py"
    qtbot.keyClick(remove, Qt.Key.Key_Escape)

    window.reject()
    assert security.old_passphrase.text() == ""


def test_security_tab_removes_a_laptop_from_a_memtray_hub(qtbot, make_client, tmp_path: Path) -> None:
    with http_hub_endpoint(tmp_path / "hub-server") as hub:
        a = Service(resolve_home(tmp_path / "a"))
        a.init(hub.url, PASSPHRASE, invite=hub.new_invite(), device_name="Office desktop")
        write(tmp_path / "a-notes" / "CLAUDE.md", "Office rules.\n")
        a.add_folder("Notes", str(tmp_path / "a-notes"))
        a.sync()
        b = Service(resolve_home(tmp_path / "b"))
        b.join(a.setup_code(), PASSPHRASE, device_name="Old laptop")
        b.map_folder("Notes", str(tmp_path / "b-notes"))
        write(tmp_path / "b-notes" / "AGENTS.md", "Written on the old laptop.\n")
        b.sync()
        a.sync()
        client: ServiceClient = make_client(a)
        settings = SettingsWindow(client, user_home=tmp_path / "a-user")
        qtbot.addWidget(settings)
        settings.show_tab("security")
        security = settings.security
        qtbot.waitUntil(lambda: security.device_tree.topLevelItemCount() == 2, timeout=WAIT_MS)
        security.device_tree.setCurrentItem(security.device_tree.findItems("Old laptop", Qt.MatchFlag.MatchExactly)[0])
        qtbot.mouseClick(security.revoke_button, Qt.MouseButton.LeftButton)
        remove = security.remove_dialog
        qtbot.keyClicks(remove.new_passphrase.first, NEW_PASSPHRASE)
        qtbot.keyClicks(remove.new_passphrase.second, NEW_PASSPHRASE)
        qtbot.mouseClick(remove.remove_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: remove.pages.currentWidget() is remove.done_page, timeout=WAIT_MS)
        qtbot.mouseClick(remove.done_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "was removed" in security.devices_status.text(), timeout=WAIT_MS)
        qtbot.waitUntil(
            lambda: security.device_tree.findItems("Old laptop", Qt.MatchFlag.MatchExactly)[0].text(2) == "Removed",
            timeout=WAIT_MS,
        )
        assert client.wait()
        assert any(device.revoked for device in a.devices() if device.name == "Old laptop")
        a.close()
        b.close()


def test_activity_tab_resolves_a_conflict_side_by_side_and_restores_a_version(
    qtbot, window: SettingsWindow, vault: Vault
) -> None:
    claude = vault.b.user_home / ".claude" / "CLAUDE.md"
    assert claude.read_text() == B_TEXT
    window.show_tab("activity")
    activity = window.activity
    qtbot.waitUntil(lambda: activity.history.topLevelItemCount() > 2, timeout=WAIT_MS)
    whats = {activity.history.topLevelItem(i).text(1) for i in range(activity.history.topLevelItemCount())}
    assert "Received CLAUDE.md from Anna's ThinkPad" in whats
    assert "CLAUDE.md needs a look: this laptop and Anna's ThinkPad changed the same lines" in whats
    screenshot(window, "settings-5-activity")

    conflicts = activity.conflicts
    activity.pages.setCurrentWidget(conflicts)
    qtbot.waitUntil(conflicts.keep_other_button.isEnabled, timeout=WAIT_MS)
    assert activity.pages.tabText(1) == "&What needs a look (1)"
    assert conflicts.kept_text.toPlainText() == B_TEXT
    assert conflicts.other_text.toPlainText() == A_TEXT
    assert "Anna's ThinkPad" in conflicts.tree.topLevelItem(0).text(1)
    screenshot(window, "settings-5-activity-conflict")
    with qtbot.waitSignal(conflicts.resolved, timeout=WAIT_MS):
        qtbot.mouseClick(conflicts.keep_other_button, Qt.MouseButton.LeftButton)
    assert claude.read_text() == A_TEXT
    assert all(c.resolved for c in vault.b.service.conflicts())
    qtbot.waitUntil(lambda: activity.pages.tabText(1) == "&What needs a look", timeout=WAIT_MS)
    vault.b.service.sync()  # the tray syncs after every local change; restoring right after resolving fails today

    versions = activity.versions
    activity.pages.setCurrentWidget(versions)
    versions.choose("Claude Code", "CLAUDE.md")
    qtbot.mouseClick(versions.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: versions.tree.topLevelItemCount() >= 2, timeout=WAIT_MS)
    oldest = versions.tree.topLevelItem(versions.tree.topLevelItemCount() - 1)
    versions.tree.setCurrentItem(oldest)
    qtbot.waitUntil(lambda: versions.preview.toPlainText() == BASE_TEXT, timeout=WAIT_MS)
    screenshot(window, "settings-5-activity-versions")
    qtbot.mouseClick(versions.restore_button, Qt.MouseButton.LeftButton)
    confirm(qtbot, versions, "Bring back")
    qtbot.waitUntil(lambda: not versions.status.bar.isVisible(), timeout=WAIT_MS)
    assert "Brought back" in versions.status.text(), versions.status.text()
    assert claude.read_text() == BASE_TEXT


class UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_about_tab_shows_the_version_and_opens_the_log_folder(qtbot, window: SettingsWindow, vault: Vault) -> None:
    window.show_tab("about")
    about = window.about
    assert memtray.__version__ in about.version_label.text()
    assert about.hub_label.text() == "A folder your cloud drive, NAS or USB stick copies"
    screenshot(window, "settings-6-about")
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        qtbot.mouseClick(about.open_logs_button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [url.toLocalFile() for url in catcher.urls] == [str(vault.b.service.home.log_dir)]


def mnemonics(root: QWidget) -> list[str]:
    """The Alt+letter keys of every visible button and buddy label in ``root``, tab bars included."""
    texts = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and widget.buddy() is not None):
            texts.append(widget.text())
        if isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count())]
    return [match.group(1).lower() for text in texts if (match := re.search(r"&([^&])", text))]


def test_every_tab_is_keyboard_usable_with_unique_mnemonics(qtbot, window: SettingsWindow) -> None:
    for index, name in enumerate(("general", "folders", "projects", "hub", "security", "activity", "about")):
        window.show_tab(name)
        assert window.tabs.currentIndex() == index
        letters = mnemonics(window)
        assert len(letters) == len(set(letters)), (name, sorted(letters))
        assert len(letters) > 6, name
    assert window.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_hub_tab_repairs_after_the_hub_lost_data(qtbot, window: SettingsWindow, vault: Vault, tmp_path: Path) -> None:
    write(vault.a.user_home / ".claude" / "CLAUDE.md", A_TEXT + "- One more rule.\n")
    vault.a.service.sync()
    vault.b.service.sync()
    a_id = vault.a.service.config.device_id
    hub_root = tmp_path / "hub"
    newest = max((hub_root / "log" / a_id).iterdir())
    newest.unlink()
    with pytest.raises(RollbackError) as refused:
        vault.b.service.sync()
    assert f"log/{a_id}/{newest.name}" in refused.value.message
    b_id = vault.b.service.config.device_id

    window.show_tab("hub")
    hub = window.hub
    qtbot.mouseClick(hub.repair_button, Qt.MouseButton.LeftButton)
    screenshot(window, "settings-3-hub-repair-question")
    confirm(qtbot, hub, "Cancel")
    assert vault.b.service.config.device_id == b_id

    qtbot.mouseClick(hub.repair_button, Qt.MouseButton.LeftButton)
    confirm(qtbot, hub, "Repair")
    qtbot.waitUntil(lambda: hub.repair_button.isEnabled(), timeout=WAIT_MS)
    assert "Repaired" in hub.status.text()
    screenshot(window, "settings-3-hub-repaired")
    assert vault.b.service.config.device_id != b_id
    with pytest.raises(RollbackError, match="which this laptop sent earlier"):
        vault.a.service.sync()
    assert vault.a.service.repair() is not None
    vault.b.service.sync()
    write(vault.a.user_home / ".claude" / "CLAUDE.md", "After the repair.\n")
    vault.a.service.sync()
    vault.b.service.sync()
    assert (vault.b.user_home / ".claude" / "CLAUDE.md").read_text() == "After the repair.\n"
