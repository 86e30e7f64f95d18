"""Preset detection on a fake laptop built in a temp folder (cloud drives: test_clouddrives.py)."""

from __future__ import annotations

from pathlib import Path

from memtray.presets import (
    PRESET_IDS,
    agent_presets,
    detect_presets,
    preset_by_id,
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
    assert set(preset.include) == {
        "/CLAUDE.md",
        "/AGENTS.md",
        "/GEMINI.md",
        ".cursor/rules/**",
        ".github/copilot-instructions.md",
    }
    assert not preset.found
    write(project / ".cursor" / "rules" / "style.mdc")
    assert preset.found
    rules = GlobFilter(preset.include, preset.exclude)
    assert rules.tracks(".github/copilot-instructions.md")
    assert not rules.tracks(".github/workflows/ci.yml")


def test_every_agent_preset_has_the_id_the_command_line_takes(tmp_path: Path) -> None:
    assert tuple(p.preset_id for p in agent_presets(tmp_path)) == PRESET_IDS
    for preset_id in PRESET_IDS:
        preset = preset_by_id(preset_id, tmp_path)
        assert preset is not None and preset.preset_id == preset_id
    assert preset_by_id("cursor", tmp_path) is None


def test_suggested_path_uses_the_preset_place_or_a_folder_under_home(tmp_path: Path) -> None:
    assert suggested_path("Gemini CLI", tmp_path) == tmp_path / ".gemini"
    assert suggested_path("Project webshop", tmp_path) == tmp_path / "memtray" / "Project webshop"
    assert suggested_path("a/b:c", tmp_path) == tmp_path / "memtray" / "a_b_c"


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
