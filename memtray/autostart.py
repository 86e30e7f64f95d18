"""Start memtray when the person signs in: one small class per OS behind ``Autostart``.

- Windows: a value ``memtray`` under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.
- macOS: a LaunchAgent ``~/Library/LaunchAgents/app.memtray.plist`` with ``RunAtLoad``;
  launchd reads it at the next sign-in, so nothing needs loading now.
- Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/memtray.desktop``.

The settings window calls ``get_autostart().set_enabled(on)`` and ``.is_enabled()``.
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from abc import ABC, abstractmethod
from pathlib import Path

from memtray.errors import LocalFileError

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
VALUE_NAME = "memtray"
LAUNCH_AGENT_LABEL = "app.memtray"
DESKTOP_FILE = "memtray.desktop"


def launch_command() -> list[str]:
    """The frozen app itself, or this Python running ``-m memtray``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "memtray"]


class Autostart(ABC):
    @abstractmethod
    def is_enabled(self) -> bool: ...

    @abstractmethod
    def set_enabled(self, enabled: bool) -> None: ...


class RunKey(ABC):
    """The few registry operations the Windows autostart needs, on ``HKCU\\...\\Run``."""

    @abstractmethod
    def get(self, name: str) -> str | None: ...

    @abstractmethod
    def set(self, name: str, value: str) -> None: ...

    @abstractmethod
    def delete(self, name: str) -> None: ...


class WinregRunKey(RunKey):
    def get(self, name: str) -> str | None:
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:  # type: ignore[attr-defined,unused-ignore]
                value, _kind = winreg.QueryValueEx(key, name)  # type: ignore[attr-defined,unused-ignore]
        except FileNotFoundError:
            return None
        return str(value)

    def set(self, name: str, value: str) -> None:
        import winreg

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:  # type: ignore[attr-defined,unused-ignore]
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)  # type: ignore[attr-defined,unused-ignore]

    def delete(self, name: str) -> None:
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:  # type: ignore[attr-defined,unused-ignore]
                winreg.DeleteValue(key, name)  # type: ignore[attr-defined,unused-ignore]
        except FileNotFoundError:
            return


class WindowsAutostart(Autostart):
    def __init__(self, run_key: RunKey, command: list[str] | None = None) -> None:
        self._key = run_key
        self._command = command or launch_command()

    def is_enabled(self) -> bool:
        return self._key.get(VALUE_NAME) is not None

    def set_enabled(self, enabled: bool) -> None:
        try:
            if enabled:
                self._key.set(VALUE_NAME, subprocess.list2cmdline(self._command))
            else:
                self._key.delete(VALUE_NAME)
        except OSError as exc:
            reason = exc.strerror or exc
            raise LocalFileError(f"Windows did not let memtray change its start-up entry ({reason}).") from exc


class MacAutostart(Autostart):
    def __init__(self, home: Path | None = None, command: list[str] | None = None) -> None:
        self.plist = (home or Path.home()) / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"
        self._command = command or launch_command()

    def is_enabled(self) -> bool:
        return self.plist.exists()

    def set_enabled(self, enabled: bool) -> None:
        try:
            if not enabled:
                self.plist.unlink(missing_ok=True)
                return
            self.plist.parent.mkdir(parents=True, exist_ok=True)
            content = {
                "Label": LAUNCH_AGENT_LABEL,
                "ProgramArguments": self._command,
                "RunAtLoad": True,
                "ProcessType": "Interactive",
                "LimitLoadToSessionType": "Aqua",
            }
            temp = self.plist.with_suffix(".plist.tmp")
            temp.write_bytes(plistlib.dumps(content))
            os.replace(temp, self.plist)
        except OSError as exc:
            raise LocalFileError(f"memtray could not change {self.plist} ({exc.strerror or exc}).") from exc


DESKTOP_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def desktop_exec(command: list[str]) -> str:
    """An ``Exec=`` line value per the Desktop Entry spec: arguments in double quotes with ``"`$\\`` escaped,
    then backslashes doubled once more by the spec's string escaping."""

    def quote(part: str) -> str:
        if part and not DESKTOP_RESERVED.intersection(part):
            return part.replace("%", "%%")
        escaped = "".join("\\" + char if char in '"`$\\' else char for char in part)
        return f'"{escaped}"'.replace("%", "%%")

    return " ".join(quote(part) for part in command).replace("\\", "\\\\")


class XdgAutostart(Autostart):
    def __init__(self, config_home: Path | None = None, command: list[str] | None = None) -> None:
        base = config_home or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        self.desktop_file = base / "autostart" / DESKTOP_FILE
        self._command = command or launch_command()

    def is_enabled(self) -> bool:
        if not self.desktop_file.exists():
            return False
        text = self.desktop_file.read_text(encoding="utf-8", errors="replace")
        return "Hidden=true" not in text and "X-GNOME-Autostart-enabled=false" not in text

    def set_enabled(self, enabled: bool) -> None:
        try:
            if not enabled:
                self.desktop_file.unlink(missing_ok=True)
                return
            self.desktop_file.parent.mkdir(parents=True, exist_ok=True)
            entry = "\n".join(
                [
                    "[Desktop Entry]",
                    "Type=Application",
                    "Name=memtray",
                    "Comment=Keeps your AI agent memory files in sync",
                    f"Exec={desktop_exec(self._command)}",
                    "Icon=memtray",
                    "Terminal=false",
                    "X-GNOME-Autostart-enabled=true",
                    "",
                ]
            )
            temp = self.desktop_file.with_suffix(".desktop.tmp")
            temp.write_text(entry, encoding="utf-8")
            os.replace(temp, self.desktop_file)
        except OSError as exc:
            raise LocalFileError(f"memtray could not change {self.desktop_file} ({exc.strerror or exc}).") from exc


def get_autostart(platform: str | None = None) -> Autostart:
    """The start-at-login switch for this OS."""
    chosen = platform or sys.platform
    if chosen == "win32":
        return WindowsAutostart(WinregRunKey())
    if chosen == "darwin":
        return MacAutostart()
    return XdgAutostart()
