"""``memtray`` with no sub-command, as real processes: one instance, no display, no tray, a late tray, first run."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from memtray.ui.app import TRAY_WAIT_MSECS
from tests.support.display import REPO_ROOT, Desktop, start_desktop, tray_icon_windows, visible_windows

SETTINGS_TITLE = "^memtray settings"
WIZARD_TITLE = "^Set up memtray"
# How long after memtray a late panel starts: well past the app's start-up, well within TRAY_WAIT_MSECS.
PANEL_LATE_MSECS = TRAY_WAIT_MSECS // 4


def launch(home: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "memtray", "--home", str(home)],
        cwd=REPO_ROOT,
        env=env or os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def trayless_desktop() -> Iterator[Desktop]:
    desktop = start_desktop(with_tray=False)
    yield desktop
    desktop.stop()


def home_root(vault_home) -> Path:
    return vault_home.home.config_dir.parent


def test_without_a_display_it_names_the_cli_and_exits_2(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = subprocess.run(
        [sys.executable, "-m", "memtray", "--home", str(tmp_path / "home")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("memtray needs a desktop to show its tray icon")
    home = shlex.quote(str(tmp_path / "home"))
    assert result.stderr.endswith(f"\n  {shlex.quote(sys.executable)} -m memtray --home {home} sync --watch\n")


def test_a_display_that_is_not_there_counts_as_no_display(tmp_path):
    env = {**os.environ, "DISPLAY": ":4242"}
    env.pop("QT_QPA_PLATFORM")
    result = subprocess.run(
        [sys.executable, "-m", "memtray", "--home", str(tmp_path / "home")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.endswith(" -m memtray --home " + shlex.quote(str(tmp_path / "home")) + " sync --watch\n")


def test_a_second_launch_raises_the_running_one_and_exits_0(qtbot, vault_home, processes):
    display = os.environ["DISPLAY"]
    first = launch(home_root(vault_home))
    processes.append(first)
    qtbot.waitUntil(lambda: (vault_home.home.data_dir / "tray.lock").exists(), timeout=20000)
    qtbot.waitUntil(lambda: bool(tray_icon_windows(display, first.pid)), timeout=20000)
    assert visible_windows(display, SETTINGS_TITLE, first.pid) == []

    second = subprocess.run(
        [sys.executable, "-m", "memtray", "--home", str(home_root(vault_home))],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert second.returncode == 0, second.stderr
    qtbot.waitUntil(lambda: bool(visible_windows(display, SETTINGS_TITLE, first.pid)), timeout=20000)
    assert first.poll() is None


def test_without_a_tray_host_the_settings_window_opens(qtbot, vault_home, processes, trayless_desktop):
    first = launch(home_root(vault_home), {**os.environ, "DISPLAY": trayless_desktop.display})
    processes.append(first)
    qtbot.waitUntil(lambda: bool(visible_windows(trayless_desktop.display, SETTINGS_TITLE, first.pid)), timeout=20000)


def test_a_tray_host_that_starts_after_the_app_gets_the_icon_and_no_window_opens(
    qtbot, vault_home, processes, trayless_desktop
):
    """At sign-in the panel may start after memtray: the app waits for it rather than falling back to its window."""
    first = launch(home_root(vault_home), {**os.environ, "DISPLAY": trayless_desktop.display})
    processes.append(first)
    qtbot.waitUntil(lambda: (vault_home.home.data_dir / "tray.lock").exists(), timeout=20000)
    qtbot.wait(PANEL_LATE_MSECS)

    trayless_desktop.start_tray_host()

    qtbot.waitUntil(lambda: bool(tray_icon_windows(trayless_desktop.display, first.pid)), timeout=20000)
    assert visible_windows(trayless_desktop.display, SETTINGS_TITLE, first.pid) == []
    assert first.poll() is None


def test_first_run_opens_the_setup_wizard(qtbot, tmp_path, processes):
    first = launch(tmp_path / "new-laptop")
    processes.append(first)
    qtbot.waitUntil(lambda: bool(visible_windows(os.environ["DISPLAY"], WIZARD_TITLE, first.pid)), timeout=20000)
