"""Preset and cloud-drive detection on a fake laptop built in a temp folder."""

from __future__ import annotations

import json
from pathlib import Path

from memtray.presets import (
    agent_presets,
    detect_cloud_drives,
    detect_presets,
    hub_folder_in,
    preset_for_folder,
    project_preset,
    suggested_path,
)
from memtray.sync.globs import GlobFilter


def write(path: Path, text: str = "memory\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_nothing_is_detected_on_an_empty_home(tmp_path: Path) -> None:
    assert detect_presets(tmp_path) == []
    names = {p.folder_name for p in agent_presets(tmp_path)}
    assert names == {"Claude Code", "Codex", "Gemini CLI", "Windsurf", "Copilot"}


def test_each_agent_is_detected_by_its_memory_files(tmp_path: Path) -> None:
    write(tmp_path / ".claude" / "CLAUDE.md")
    write(tmp_path / ".codex" / "AGENTS.md")
    write(tmp_path / ".gemini" / "GEMINI.md")
    write(tmp_path / ".codeium" / "windsurf" / "memories" / "m1.md")
    write(tmp_path / ".copilot" / "copilot-instructions.md")
    found = {p.folder_name: p for p in detect_presets(tmp_path)}
    assert set(found) == {"Claude Code", "Codex", "Gemini CLI", "Windsurf", "Copilot"}
    assert found["Claude Code"].path == tmp_path / ".claude"
    assert found["Codex"].include == ("/AGENTS.md",)
    assert found["Windsurf"].path == tmp_path / ".codeium" / "windsurf" / "memories"


def test_claude_project_memory_alone_counts_and_unrelated_files_do_not(tmp_path: Path) -> None:
    write(tmp_path / ".codex" / "auth.json", "{}")
    write(tmp_path / ".claude" / "projects" / "-home-me-app" / "memory" / "MEMORY.md")
    names = [p.folder_name for p in detect_presets(tmp_path)]
    assert names == ["Claude Code"]
    claude = preset_for_folder("Claude Code", tmp_path)
    assert claude is not None
    assert "projects/*/memory/**" in claude.include
    assert not any("json" in glob for glob in claude.include)


def test_project_preset_covers_every_agent_file(tmp_path: Path) -> None:
    project = tmp_path / "code" / "webshop"
    preset = project_preset(project)
    assert preset.folder_name == "Project webshop"
    assert preset.path == project
    assert set(preset.include) == {"/CLAUDE.md", "/AGENTS.md", "/GEMINI.md", ".cursor/rules/**"}
    assert not preset.found
    write(project / ".cursor" / "rules" / "style.mdc")
    assert preset.found


def test_suggested_path_uses_the_preset_place_or_a_folder_under_home(tmp_path: Path) -> None:
    assert suggested_path("Gemini CLI", tmp_path) == tmp_path / ".gemini"
    assert suggested_path("Project webshop", tmp_path) == tmp_path / "memtray" / "Project webshop"
    assert suggested_path("a/b:c", tmp_path) == tmp_path / "memtray" / "a_b_c"


def test_cloud_drives_on_linux(tmp_path: Path) -> None:
    (tmp_path / "Dropbox").mkdir()
    (tmp_path / "OneDrive").mkdir()
    drives = detect_cloud_drives(tmp_path, "linux", {})
    found = [(d.label, d.path) for d in drives]
    assert found == [("Dropbox", tmp_path / "Dropbox"), ("OneDrive", tmp_path / "OneDrive")]
    assert hub_folder_in(drives[0]) == tmp_path / "Dropbox" / "memtray-hub"


def test_cloud_drives_on_macos_use_cloudstorage_and_icloud(tmp_path: Path) -> None:
    icloud = tmp_path / "Library" / "Mobile Documents" / "com~apple~CloudDocs"
    icloud.mkdir(parents=True)
    google = tmp_path / "Library" / "CloudStorage" / "GoogleDrive-me@example.com" / "My Drive"
    google.mkdir(parents=True)
    onedrive = tmp_path / "Library" / "CloudStorage" / "OneDrive-Personal"
    onedrive.mkdir(parents=True)
    drives = {d.label: d.path for d in detect_cloud_drives(tmp_path, "darwin", {})}
    assert drives == {"iCloud Drive": icloud, "OneDrive": onedrive, "Google Drive": google}
    assert detect_cloud_drives(tmp_path, "linux", {}) == []


def test_dropbox_info_json_and_windows_onedrive_variable_win(tmp_path: Path) -> None:
    custom = tmp_path / "elsewhere" / "Dropbox (Personal)"
    custom.mkdir(parents=True)
    appdata = tmp_path / "AppData"
    write(appdata / "Dropbox" / "info.json", json.dumps({"personal": {"path": str(custom)}}))
    business_onedrive = tmp_path / "OneDrive - Example Ltd"
    business_onedrive.mkdir()
    env = {"APPDATA": str(appdata), "OneDriveCommercial": str(business_onedrive)}
    drives = {d.label: d.path for d in detect_cloud_drives(tmp_path, "win32", env)}
    assert drives == {"Dropbox": custom, "OneDrive": business_onedrive}


def test_preset_globs_track_memory_files_and_never_credentials(tmp_path: Path) -> None:
    presets = {p.folder_name: p for p in agent_presets(tmp_path)}
    claude = GlobFilter(presets["Claude Code"].include, presets["Claude Code"].exclude)
    assert claude.tracks("CLAUDE.md")
    assert claude.tracks("projects/-home-me-app/memory/MEMORY.md")
    assert not claude.tracks(".credentials.json")
    assert not claude.tracks("settings.json")
    assert not claude.tracks("plugins/some-plugin/CLAUDE.md")
    codex = GlobFilter(presets["Codex"].include, presets["Codex"].exclude)
    assert codex.tracks("AGENTS.md")
    assert not codex.tracks("auth.json")
    copilot = GlobFilter(presets["Copilot"].include, presets["Copilot"].exclude)
    assert copilot.tracks("copilot-instructions.md")
    assert copilot.tracks("agents/reviewer.md")
    assert not copilot.tracks("config.json")
    assert not copilot.tracks("logs/today.md")
    project = project_preset(tmp_path / "shop")
    rules = GlobFilter(project.include, project.exclude)
    assert rules.tracks(".cursor/rules/style.mdc")
    assert rules.tracks("AGENTS.md")
    assert not rules.tracks("src/AGENTS.md")
    assert not rules.tracks("main.py")
