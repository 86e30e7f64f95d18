"""Where AI agents keep their memory on this laptop (cloud-drive folders: memtray.clouddrives).

A *preset* names one vault folder the same way on every laptop ("Claude Code", "Codex", …)
and says where that folder sits on this OS plus which files inside it are memory. Include
globs (gitignore-style, see memtray.sync.globs) stay narrow on purpose: agent folders such as
``~/.claude`` also hold credentials and caches that must never leave the laptop.

Nothing here imports Qt; the home folder is a parameter so tests can build a fake laptop in a temp folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_FILES = ("/CLAUDE.md", "/AGENTS.md", "/GEMINI.md", ".cursor/rules/**", ".github/copilot-instructions.md")
CLAUDE_CODE = "claude-code"
PRESET_IDS = (CLAUDE_CODE, "codex", "gemini-cli", "windsurf", "copilot")
SESSIONS = "sessions"
SESSIONS_FOLDER = "Agent sessions"
DEFAULT_PLACE = "memtray"


@dataclass(frozen=True)
class Preset:
    """One vault folder: its shared name, its place on this laptop, and the memory files in it."""

    folder_name: str
    label: str
    path: Path
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    preset_id: str = ""
    """How the command line names it (``memtray folder add --preset ID``); "" for a project folder."""

    @property
    def found(self) -> bool:
        """True when the agent's memory is actually present on this laptop."""
        return self.path.is_dir() and any(_matches_something(self.path, glob) for glob in self.include)


def _matches_something(root: Path, glob: str) -> bool:
    pattern = glob.lstrip("/")
    pattern = pattern[:-3] + "/*" if pattern.endswith("/**") else pattern
    return next(iter(root.glob(pattern)), None) is not None


def _home(home: Path | None) -> Path:
    return home if home is not None else Path.home()


def agent_presets(home: Path | None = None) -> list[Preset]:
    """Every agent memory location memtray knows, placed under ``home`` (found or not)."""
    root = _home(home)
    return [
        Preset(
            "Claude Code",
            "Claude Code",
            root / ".claude",
            ("/CLAUDE.md", "projects/*/memory/**"),
            preset_id=CLAUDE_CODE,
        ),
        Preset("Codex", "Codex", root / ".codex", ("/AGENTS.md",), preset_id="codex"),
        Preset("Gemini CLI", "Gemini CLI", root / ".gemini", ("/GEMINI.md",), preset_id="gemini-cli"),
        Preset("Windsurf", "Windsurf", root / ".codeium" / "windsurf" / "memories", ("**",), preset_id="windsurf"),
        Preset(
            "Copilot",
            "GitHub Copilot",
            root / ".copilot",
            ("/*.md", "agents/**", "instructions/**"),
            ("*.json", "logs/**", "session-state/**"),
            preset_id="copilot",
        ),
    ]


def sessions_preset(data_dir: Path) -> Preset:
    """The "Agent sessions" folder (memtray.sessions): chunks of agent transcripts, staged in memtray's own data
    folder on every laptop (never in the agent's folder), for the laptops that opted in."""
    return Preset(
        SESSIONS_FOLDER,
        SESSIONS_FOLDER,
        data_dir / "sessions",
        ("claude/**", "claude-history/**", "codex/**", "codex-history/**"),
        preset_id=SESSIONS,
    )


def detect_presets(home: Path | None = None) -> list[Preset]:
    """The agent presets whose memory files exist on this laptop."""
    return [preset for preset in agent_presets(home) if preset.found]


def project_preset(project_dir: Path) -> Preset:
    """A project folder's agent instructions: its CLAUDE.md, AGENTS.md, GEMINI.md and Cursor rules."""
    name = project_dir.name or str(project_dir)
    return Preset(f"Project {name}", f"Project “{name}”", project_dir, PROJECT_FILES)


def preset_for_folder(folder_name: str, home: Path | None = None) -> Preset | None:
    """The agent preset a vault folder was made from, matched by its shared name."""
    return next((p for p in agent_presets(home) if p.folder_name == folder_name), None)


def preset_by_id(preset_id: str, home: Path | None = None) -> Preset | None:
    """The agent preset called ``preset_id`` ("claude-code", "codex", "gemini-cli", "windsurf", "copilot")."""
    return next((p for p in agent_presets(home) if p.preset_id == preset_id), None)


def suggested_path(folder_name: str, home: Path | None = None) -> Path:
    """Where a vault folder should live on this laptop: the preset's place, else ~/memtray/<name>."""
    preset = preset_for_folder(folder_name, home)
    if preset is not None:
        return preset.path
    safe = "".join(ch if ch.isalnum() or ch in " ._-" else "_" for ch in folder_name).strip(" .") or "folder"
    return _home(home) / DEFAULT_PLACE / safe
