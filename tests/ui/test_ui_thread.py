"""No service call on the UI thread: the guard catches one, and a walk through the whole app makes none.

Every test under tests/ui runs with the guard on (see conftest); these tests show the guard works
and walk a person's path through the tray app: start, every settings tab with its buttons, pause
and resume from the tray menu, and the first-run wizard handing over to the tray.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from memtray.model import Status
from memtray.ui.client import ServiceClient
from memtray.ui.icons import TrayState
from memtray.ui.settings.window import TAB_NAMES
from memtray.ui.thread_guard import GuardLog, UiThreadCallError, guarded
from memtray.ui.tray_app import TrayApp
from memtray.ui.wizard import SetupWizard
from memtray.ui.wizard.base import PAGE_RECOVERY
from tests.ui.conftest import PASSPHRASE, on_worker
from tests.ui.test_settings import A_TEXT, build_vault

pytestmark = pytest.mark.usefixtures("qapp")

WAIT_MS = 60_000


def test_the_guard_catches_a_service_call_on_the_ui_thread(
    qtbot, vault_home, no_service_call_on_the_ui_thread: GuardLog
) -> None:
    log = no_service_call_on_the_ui_thread
    service = guarded(vault_home.service)
    assert service.home == vault_home.home, "plain data is not a call"
    with pytest.raises(UiThreadCallError):
        service.status()
    with pytest.raises(UiThreadCallError):
        _ = service.config
    assert log.ui_thread_calls == ["status", "config"]
    log.clear()

    client = ServiceClient(vault_home.service)
    status = on_worker(qtbot, client, lambda worker_service: worker_service.status())
    assert isinstance(status, Status) and status.set_up
    assert log.worker_calls >= 2, "the client's service is guarded: its calls on the worker are counted"
    assert log.ui_thread_calls == []
    assert client.wait()


def test_a_walk_through_the_tray_app_calls_the_service_only_on_the_worker(
    qtbot, tmp_path: Path, monkeypatch, make_home, no_service_call_on_the_ui_thread: GuardLog
) -> None:
    log = no_service_call_on_the_ui_thread
    vault = build_vault(tmp_path, str(tmp_path / "hub"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(vault.b.user_home))
    log.clear()
    app = TrayApp(vault.b.service.home)
    try:
        with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS):
            app.start()
        for name in TAB_NAMES:
            app.show_settings(name)
        window = app.settings_window()
        assert window.isVisible()

        window.show_tab("general")
        with qtbot.waitSignal(window.general.setting_changed, timeout=WAIT_MS):
            qtbot.keyClick(window.general.controls["notify_success"], Qt.Key.Key_Space)

        window.show_tab("folders")
        folders = window.folders
        folders.select("Codex")
        with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS):
            folders.exclude_edit.setPlainText("drafts/**")  # saved by itself after a short pause

        window.show_tab("hub")
        qtbot.mouseClick(window.hub.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "found your synced memory" in window.hub.status.text(), timeout=WAIT_MS)

        window.show_tab("security")
        security = window.security
        qtbot.waitUntil(lambda: security.device_tree.topLevelItemCount() == 2, timeout=WAIT_MS)
        qtbot.mouseClick(security.add_laptop_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: security.add_laptop_dialog is not None, timeout=WAIT_MS)
        dialog = security.add_laptop_dialog
        assert dialog is not None
        qtbot.waitUntil(lambda: bool(dialog.code()), timeout=WAIT_MS)
        dialog.reject()

        window.show_tab("activity")
        conflicts = window.activity.conflicts
        window.activity.pages.setCurrentWidget(conflicts)
        qtbot.waitUntil(conflicts.keep_other_button.isEnabled, timeout=WAIT_MS)
        with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS):
            qtbot.mouseClick(conflicts.keep_other_button, Qt.MouseButton.LeftButton)
        assert (vault.b.user_home / ".claude" / "CLAUDE.md").read_text() == A_TEXT
        versions = window.activity.versions
        window.activity.pages.setCurrentWidget(versions)
        versions.choose("Claude Code", "CLAUDE.md")
        qtbot.mouseClick(versions.show_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: versions.preview.toPlainText() == A_TEXT, timeout=WAIT_MS)

        window.show_tab("about")
        assert window.about.device_label.text() == "Anna's MacBook Air"

        with qtbot.waitSignal(app.tray.state_changed, timeout=WAIT_MS):
            app.tray.pause_action.trigger()
        assert app.tray.state is TrayState.PAUSED
        with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS):
            app.tray.pause_action.trigger()
        assert app.client.wait()
    finally:
        assert app.shutdown()
        if app._settings_window is not None:
            app._settings_window.close()
    assert log.ui_thread_calls == []
    assert log.worker_calls >= 30, log.worker_calls


def test_the_first_run_wizard_calls_the_service_only_on_the_worker(
    qtbot, tmp_path: Path, monkeypatch, make_home, no_service_call_on_the_ui_thread: GuardLog
) -> None:
    log = no_service_call_on_the_ui_thread
    user_home = tmp_path / "user"
    (user_home / ".claude").mkdir(parents=True)
    (user_home / ".claude" / "CLAUDE.md").write_text("# How I work\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(user_home))
    app = TrayApp(make_home("new-laptop"))
    try:
        app.start()
        qtbot.waitUntil(lambda: app._wizard is not None and app._wizard.isVisible(), timeout=WAIT_MS)
        wizard = app._wizard
        assert isinstance(wizard, SetupWizard)
        wizard.next()
        wizard.hub_page.folder_choice.setChecked(True)
        wizard.hub_page.folder_picker.set_path(tmp_path / "hub")
        wizard.next()
        assert [preset.folder_name for preset in wizard.presets_page.chosen()] == ["Claude Code"]
        wizard.next()
        box = wizard.passphrase_page.passphrase
        qtbot.keyClicks(box.first, PASSPHRASE)
        qtbot.keyClicks(box.second, PASSPHRASE)
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RECOVERY, timeout=WAIT_MS)
        wizard.recovery_page.saved_box.setChecked(True)
        with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS):
            qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
        assert app._wizard is None
        assert app.client.snapshot.set_up
        assert [folder.name for folder in app.client.snapshot.folders] == ["Claude Code"]
        app.show_settings("folders")
        assert app.settings_window().folders.tree.topLevelItem(0).text(0) == "Claude Code"
        with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS):
            app.tray.sync_requested.emit()
    finally:
        assert app.shutdown()
        if app._settings_window is not None:
            app._settings_window.close()
    assert log.ui_thread_calls == []
    assert log.worker_calls >= 10, log.worker_calls
