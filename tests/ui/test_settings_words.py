"""Settings in plain words (issue 12): Activity sentences for every kind the sync records, the Folders tab's
file rules in words with the patterns under "Advanced", sensible widget sizes, and "Recent activity…" always
opening the Recent page. Real two-laptop vault on a folder storage (see test_settings.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSpinBox

import memtray
from memtray.model import ActivityItem, FolderInfo
from memtray.presets import agent_presets, project_preset
from memtray.service import Service
from memtray.ui.client import ServiceClient
from memtray.ui.settings import SettingsWindow
from memtray.ui.settings.activity import ActivityTab
from memtray.ui.settings.rulewords import describe_rules
from tests.ui.conftest import on_worker
from tests.ui.test_settings import WAIT_MS, Vault, build_vault, screenshot

SOURCE = Path(memtray.__file__).parent
RECORDED = (
    r'add_activity\(\s*"([a-z-]+)"',
    r'activity\.append\(\(\s*"([a-z-]+)"',
    r'\.log\(\s*"([a-z-]+)"',
    r'kind = "([a-z-]+)" if .* else "([a-z-]+)"',
)
ENGINE_DETAILS = {
    "received": "from Anna's ThinkPad",
    "merged": "with Anna's ThinkPad",
    "combined": "with Anna's ThinkPad",
    "conflict": "with Anna's ThinkPad",
    "resolved": "resolved on Anna's ThinkPad",
    "conflict-copy": "notes (conflict from Anna's ThinkPad).md",
    "skipped": "a folder is in the way",
    "placed": "webapp is at ~/code/webapp on this laptop",
    "more": "and 12 more",
}


def recorded_kinds() -> set[str]:
    """Every activity kind the code writes, read from the source as the sync and the service record it."""
    kinds: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in RECORDED:
            for match in re.finditer(pattern, text):
                kinds.update(group for group in match.groups() if group)
    return kinds


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    built = build_vault(tmp_path, str(tmp_path / "hub"))
    yield built
    built.a.service.close()
    built.b.service.close()


@pytest.fixture
def client(vault: Vault, make_client) -> ServiceClient:
    return make_client(vault.b.service)


@pytest.fixture
def window(qtbot, vault: Vault, client: ServiceClient, tmp_path: Path, monkeypatch) -> SettingsWindow:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(vault.b.user_home))
    settings = SettingsWindow(client, user_home=vault.b.user_home)
    qtbot.addWidget(settings)
    settings.resize(980, 760)
    return settings


def test_every_activity_kind_the_code_records_reads_as_a_sentence(qtbot, client: ServiceClient) -> None:
    kinds = recorded_kinds()
    assert {"sent", "sent-delete", "received", "deleted", "merged", "combined", "conflict", "conflict-copy"} <= kinds
    assert {"resolved", "skipped", "placed", "restored", "repaired", "more"} <= kinds
    tab = ActivityTab(client)
    qtbot.addWidget(tab)
    unknown = tab.sentence(ActivityItem(time.time(), "never-recorded", "Codex", "AGENTS.md", ""))
    for kind in sorted(kinds | {"held"}):
        for detail in {ENGINE_DETAILS.get(kind, ""), ""}:
            item = ActivityItem(time.time(), kind, "Claude Code", "projects/webapp/memory/MEMORY.md", detail)
            sentence = tab.sentence(item)
            assert sentence != unknown.replace("AGENTS.md", "MEMORY.md"), (kind, detail)
            assert len(sentence.split()) >= 3 and sentence.lower() != kind.replace("-", " "), (kind, sentence)
            assert "projects/" not in sentence, "a sentence names the file, not its path"


def test_activity_list_shows_sentences_and_recent_activity_always_opens_recent(
    qtbot, window: SettingsWindow, client: ServiceClient
) -> None:
    def record_every_kind(service: Service) -> None:
        for kind in sorted(recorded_kinds()):
            path = "" if kind in {"placed", "repaired", "more"} else "notes.md"
            folder = "" if kind in {"repaired", "more"} else "Project webapp" if kind == "placed" else "Claude Code"
            service.index.add_activity(kind, folder, path, ENGINE_DETAILS.get(kind, ""))

    on_worker(qtbot, client, record_every_kind)
    window.show_tab("activity")
    activity = window.activity
    activity.pages.setCurrentWidget(activity.versions)
    window.show_tab("general")
    window.show_tab("activity")
    assert activity.pages.currentWidget() is activity.history_page, "“Recent activity…” opens the Recent page"

    history = activity.history
    qtbot.waitUntil(lambda: history.topLevelItemCount() >= len(recorded_kinds()), timeout=WAIT_MS)
    window.show()
    qtbot.waitExposed(window)
    whats = [history.topLevelItem(i).text(1) for i in range(history.topLevelItemCount())]
    assert "Sent notes.md to your other laptops" in whats
    assert "Received notes.md from Anna's ThinkPad" in whats
    assert "Combined notes.md from this laptop and Anna's ThinkPad" in whats
    assert "Placed Project webapp's memory on this laptop" in whats
    assert "…and 12 more, not listed" in whats
    assert not {"Sent", "Received", "Deleted", "Conflict", "Resolved", "Restored", "…"} & set(whats)
    screenshot(window, "activity-sentences")


def test_folders_tab_says_in_words_which_files_it_syncs(qtbot, window: SettingsWindow, vault: Vault) -> None:
    window.show_tab("folders")
    window.show()
    qtbot.waitExposed(window)
    folders = window.folders
    folders.select("Claude Code")
    assert folders.rules_summary.text() == "Claude Code's memory: CLAUDE.md and each project's memory folder."
    assert folders.rules_summary.isVisible() and not folders.include_edit.isVisible()
    assert "*" not in folders.rules_summary.text()
    screenshot(window, "settings-folders-plain")

    qtbot.mouseClick(folders.advanced_button, Qt.MouseButton.LeftButton)
    assert folders.include_edit.isVisible()
    assert folders.include_edit.toPlainText() == "/CLAUDE.md\nprojects/*/memory/**"
    folders.include_edit.setFocus()
    with qtbot.waitSignal(folders.folders_changed, timeout=WAIT_MS):
        folders.include_edit.setPlainText("/CLAUDE.md")
    claude = next(f for f in vault.b.service.folders() if f.name == "Claude Code")
    assert claude.include == ("/CLAUDE.md",)
    assert "Claude Code" in folders.status.text() and folders.undo_button.isVisible()
    screenshot(window, "settings-folders-advanced")
    with qtbot.waitSignal(folders.folders_changed, timeout=WAIT_MS):
        qtbot.mouseClick(folders.undo_button, Qt.MouseButton.LeftButton)
    claude = next(f for f in vault.b.service.folders() if f.name == "Claude Code")
    assert claude.include == ("/CLAUDE.md", "projects/*/memory/**")
    assert not folders.undo_button.isVisible()


def test_every_preset_is_described_without_patterns(tmp_path: Path) -> None:
    custom = FolderInfo("id", "Notes", str(tmp_path), ("*.md",), (), 1)
    fallback = describe_rules(custom, tmp_path)
    assert fallback == "Your own choice of files (see Advanced)."
    presets = [*agent_presets(tmp_path), project_preset(tmp_path / "webapp")]
    sentences = set()
    for preset in presets:
        info = FolderInfo("id", preset.folder_name, str(preset.path), preset.include, preset.exclude, 1)
        sentence = describe_rules(info, tmp_path)
        assert sentence != fallback, preset.folder_name
        assert not re.search(r"\*|/\*\*|^/", sentence), sentence
        sentences.add(sentence)
    assert len(sentences) == len(presets), "each preset has its own words"


def test_general_numbers_are_not_stretched_across_the_window(qtbot, window: SettingsWindow) -> None:
    window.show_tab("general")
    window.show()
    qtbot.waitExposed(window)
    spins = [control for control in window.general.controls.values() if isinstance(control, QSpinBox)]
    assert spins
    for spin in spins:
        assert spin.width() <= spin.sizeHint().width() + 4, (spin.width(), window.width())
        assert spin.width() < window.width() / 3
