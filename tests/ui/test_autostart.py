"""Start at login: the real .desktop file and LaunchAgent plist; an in-memory registry stands in for Windows."""

from __future__ import annotations

import plistlib
import subprocess
import sys
from pathlib import Path

import pytest

from memtray.autostart import (
    MacAutostart,
    RunKey,
    WindowsAutostart,
    XdgAutostart,
    desktop_exec,
    get_autostart,
    launch_command,
)


class InMemoryRunKey(RunKey):
    """HKCU\\...\\Run cannot exist off Windows; this holds its values behind the same interface."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def desktop_entry(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


def test_linux_writes_and_removes_an_xdg_autostart_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    autostart = get_autostart("linux")
    assert isinstance(autostart, XdgAutostart)
    assert not autostart.is_enabled()

    autostart.set_enabled(True)

    entry = desktop_entry(tmp_path / "config" / "autostart" / "memtray.desktop")
    assert entry["Type"] == "Application"
    assert entry["Exec"] == f"{sys.executable} -m memtray"
    assert entry["X-GNOME-Autostart-enabled"] == "true"
    assert autostart.is_enabled()

    autostart.set_enabled(False)
    assert not (tmp_path / "config" / "autostart" / "memtray.desktop").exists()
    assert not autostart.is_enabled()


def test_a_desktop_entry_turned_off_by_the_desktop_counts_as_off(tmp_path):
    autostart = XdgAutostart(tmp_path)
    autostart.set_enabled(True)
    path = tmp_path / "autostart" / "memtray.desktop"
    path.write_text(path.read_text(encoding="utf-8") + "Hidden=true\n", encoding="utf-8")
    assert not autostart.is_enabled()


def test_exec_line_quotes_paths_with_spaces_the_way_the_spec_says():
    line = desktop_exec(["/opt/My Apps/memtray", "--home", "/home/a/100% done"])
    assert line == '"/opt/My Apps/memtray" --home "/home/a/100%% done"'
    parsed = subprocess.run(
        ["sh", "-c", f"printf '%s\\n' {line.replace('%%', '%')}"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert parsed == ["/opt/My Apps/memtray", "--home", "/home/a/100% done"]


def test_macos_writes_a_launch_agent_plist(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    autostart = get_autostart("darwin")
    assert isinstance(autostart, MacAutostart)

    autostart.set_enabled(True)

    plist_path = tmp_path / "Library" / "LaunchAgents" / "app.memtray.plist"
    content = plistlib.loads(plist_path.read_bytes())
    assert content["Label"] == "app.memtray"
    assert content["ProgramArguments"] == [sys.executable, "-m", "memtray"]
    assert content["RunAtLoad"] is True
    assert autostart.is_enabled()

    autostart.set_enabled(False)
    assert not plist_path.exists()
    assert not autostart.is_enabled()


def test_windows_sets_and_clears_the_run_value():
    key = InMemoryRunKey()
    autostart = WindowsAutostart(key, [r"C:\Program Files\memtray\memtray.exe"])
    assert not autostart.is_enabled()

    autostart.set_enabled(True)
    assert key.values == {"memtray": '"C:\\Program Files\\memtray\\memtray.exe"'}
    assert autostart.is_enabled()

    autostart.set_enabled(False)
    assert key.values == {}
    assert not autostart.is_enabled()


def test_the_frozen_app_starts_itself(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert launch_command() == [sys.executable]


@pytest.mark.parametrize("platform", ["linux", "freebsd14"])
def test_other_unixes_use_xdg(platform):
    assert isinstance(get_autostart(platform), XdgAutostart)
