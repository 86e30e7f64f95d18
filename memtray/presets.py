"""Where AI agents keep their memory on this laptop, and where cloud-drive folders usually live.

A *preset* names one vault folder the same way on every laptop ("Claude Code", "Codex", …)
and says where that folder sits on this OS plus which files inside it are memory. Include
globs (gitignore-style, see memtray.sync.globs) stay narrow on purpose: agent folders such as
``~/.claude`` also hold credentials and caches that must never leave the laptop.

Nothing here imports Qt; the home folder, platform and environment are parameters so tests
can build a fake laptop in a temp folder.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_FILES = ("/CLAUDE.md", "/AGENTS.md", "/GEMINI.md", ".cursor/rules/**")
DEFAULT_PLACE = "memtray"


@dataclass(frozen=True)
class Preset:
    """One vault folder: its shared name, its place on this laptop, and the memory files in it."""

    folder_name: str
    label: str
    path: Path
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        """True when the agent's memory is actually present on this laptop."""
        return self.path.is_dir() and any(_matches_something(self.path, glob) for glob in self.include)


@dataclass(frozen=True)
class CloudDrive:
    """A folder a cloud-drive app copies between laptops, a good home for a folder hub."""

    label: str
    path: Path


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
        ),
        Preset("Codex", "Codex", root / ".codex", ("/AGENTS.md",)),
        Preset("Gemini CLI", "Gemini CLI", root / ".gemini", ("/GEMINI.md",)),
        Preset("Windsurf", "Windsurf", root / ".codeium" / "windsurf" / "memories", ("**",)),
        Preset(
            "Copilot",
            "GitHub Copilot",
            root / ".copilot",
            ("/*.md", "agents/**", "instructions/**"),
            ("*.json", "logs/**", "session-state/**"),
        ),
    ]


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


def suggested_path(folder_name: str, home: Path | None = None) -> Path:
    """Where a vault folder should live on this laptop: the preset's place, else ~/memtray/<name>."""
    preset = preset_for_folder(folder_name, home)
    if preset is not None:
        return preset.path
    safe = "".join(ch if ch.isalnum() or ch in " ._-" else "_" for ch in folder_name).strip(" .") or "folder"
    return _home(home) / DEFAULT_PLACE / safe


def _dropbox_paths(home: Path, system: str, env: Mapping[str, str]) -> list[Path]:
    infos = [home / ".dropbox" / "info.json"]
    if system == "win32":
        infos += [Path(env[var]) / "Dropbox" / "info.json" for var in ("APPDATA", "LOCALAPPDATA") if var in env]
    found: list[Path] = []
    for info in infos:
        try:
            accounts = json.loads(info.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(accounts, dict):
            found += [Path(a["path"]) for a in accounts.values() if isinstance(a, dict) and "path" in a]
    found.append(home / "Dropbox")
    if system == "darwin":
        found += sorted((home / "Library" / "CloudStorage").glob("Dropbox*"))
    return found


def _icloud_paths(home: Path, system: str) -> list[Path]:
    if system == "darwin":
        return [home / "Library" / "Mobile Documents" / "com~apple~CloudDocs"]
    if system == "win32":
        return [home / "iCloudDrive"]
    return []


def _onedrive_paths(home: Path, system: str, env: Mapping[str, str]) -> list[Path]:
    found = [Path(env[var]) for var in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial") if env.get(var)]
    if system == "darwin":
        found += sorted((home / "Library" / "CloudStorage").glob("OneDrive*"))
    found += sorted(home.glob("OneDrive*"))
    return found


def _google_drive_paths(home: Path, system: str) -> list[Path]:
    found: list[Path] = []
    if system == "darwin":
        found += [p / "My Drive" for p in sorted((home / "Library" / "CloudStorage").glob("GoogleDrive*"))]
    if system == "win32":
        found += [Path(f"{letter}:/My Drive") for letter in "GHIJ"]
    found += [home / "Google Drive" / "My Drive", home / "Google Drive", home / "GoogleDrive", home / "google-drive"]
    return found


def detect_cloud_drives(
    home: Path | None = None,
    system: str | None = None,
    env: Mapping[str, str] | None = None,
) -> list[CloudDrive]:
    """Cloud-drive folders present on this laptop, at most one per service, in a stable order."""
    root = _home(home)
    platform = system or sys.platform
    environ = os.environ if env is None else env
    candidates = {
        "Dropbox": _dropbox_paths(root, platform, environ),
        "iCloud Drive": _icloud_paths(root, platform),
        "OneDrive": _onedrive_paths(root, platform, environ),
        "Google Drive": _google_drive_paths(root, platform),
    }
    drives = []
    for label, paths in candidates.items():
        existing = next((p for p in paths if p.is_dir()), None)
        if existing is not None:
            drives.append(CloudDrive(label, existing))
    return drives


def hub_folder_in(drive: CloudDrive) -> Path:
    """The folder inside a cloud drive that memtray uses as its hub."""
    return drive.path / "memtray-hub"
