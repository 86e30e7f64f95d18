"""Which files a synced folder syncs, in words a person reads; the patterns stay under "Advanced"."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from memtray.model import FolderInfo
from memtray.presets import PROJECT_FILES, preset_for_folder


def describe_rules(folder: FolderInfo, home: Path | None = None) -> str:
    """One sentence for ``folder``'s include and exclude patterns ("Codex's memory: AGENTS.md.")."""
    include, exclude = tuple(folder.include), tuple(folder.exclude)
    preset = preset_for_folder(folder.name, home)
    if preset is not None and (include, exclude) == (preset.include, preset.exclude):
        words = {
            "claude-code": QCoreApplication.translate(
                "FileRules", "Claude Code's memory: CLAUDE.md and each project's memory folder."
            ),
            "codex": QCoreApplication.translate("FileRules", "Codex's memory: AGENTS.md."),
            "gemini-cli": QCoreApplication.translate("FileRules", "Gemini CLI's memory: GEMINI.md."),
            "windsurf": QCoreApplication.translate(
                "FileRules", "Windsurf's memories: every file in its memories folder."
            ),
            "copilot": QCoreApplication.translate(
                "FileRules",
                "GitHub Copilot's instructions: its .md files and its agents and instructions folders, "
                "not its settings, logs or sessions.",
            ),
        }
        if preset.preset_id in words:
            return words[preset.preset_id]
    if (include, exclude) == (PROJECT_FILES, ()):
        return QCoreApplication.translate(
            "FileRules", "The project's CLAUDE.md, AGENTS.md, GEMINI.md, Copilot and Cursor instructions."
        )
    if not include and not exclude:
        return QCoreApplication.translate("FileRules", "Every file in this folder.")
    return QCoreApplication.translate("FileRules", "Your own choice of files (see Advanced).")
