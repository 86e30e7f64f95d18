"""A real X server (Xvfb) with a real tray host (trayer), and screenshots of it.

Screenshots land in ``test-artifacts/screenshots/`` at the repository root, for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
WIDTH, HEIGHT = 1280, 800
PANEL_HEIGHT = 32
PANEL_TINT = "0x2b2f36"
WALLPAPER = ("#6a8caf", "#33475f")
READY_SECONDS = 20.0


def _connect_keeper(display: str) -> socket.socket:
    """A minimal X11 client (connection setup only) that keeps a ``-terminate`` Xvfb alive while it is open."""
    keeper = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    keeper.connect(f"/tmp/.X11-unix/X{display.lstrip(':')}")
    keeper.sendall(struct.pack("<cxHHHHxx", b"l", 11, 0, 0, 0))
    if keeper.recv(8)[:1] != b"\x01":
        keeper.close()
        raise RuntimeError("Xvfb refused the connection.")
    return keeper


@dataclass
class Desktop:
    display: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    keeper: socket.socket | None = None

    @property
    def env(self) -> dict[str, str]:
        return {"DISPLAY": self.display}

    def stop_tray_host(self) -> None:
        """Stop trayer only; Xvfb (started with -terminate) ends when its last client (this process's Qt) leaves."""
        self._stop(self.processes[1:])
        del self.processes[1:]
        self._release_keeper()

    def start_tray_host(self) -> None:
        """Start trayer docked top-right (also on a desktop that began without one); returns once its panel is up."""
        trayer = subprocess.Popen(
            [
                "trayer",
                "--edge",
                "top",
                "--align",
                "right",
                "--widthtype",
                "request",
                "--height",
                str(PANEL_HEIGHT),
                "--tint",
                PANEL_TINT,
                "--transparent",
                "true",
                "--alpha",
                "0",
                "--expand",
                "true",
                "--padding",
                "4",
            ],
            env={**os.environ, "DISPLAY": self.display},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(trayer)
        deadline = time.monotonic() + READY_SECONDS
        while '"panel"' not in _tree(self.display):
            if trayer.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("trayer did not start on the Xvfb display.")
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop(self.processes)
        self.processes.clear()
        self._release_keeper()

    def _release_keeper(self) -> None:
        if self.keeper is not None:
            self.keeper.close()
            self.keeper = None

    @staticmethod
    def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def require_tools() -> None:
    missing = [tool for tool in ("Xvfb", "trayer", "xwininfo", "xdotool", "import") if not shutil.which(tool)]
    if missing:
        raise RuntimeError(
            f"The tray tests need {', '.join(missing)} (apt-get install xvfb trayer x11-utils xdotool imagemagick)."
        )


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp", "-terminate"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as stream:
        number = stream.readline().strip()
    if not number:
        process.kill()
        raise RuntimeError("Xvfb did not start.")
    return process, f":{number}"


def _tree(display: str) -> str:
    env = {**os.environ, "DISPLAY": display}
    return subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True, check=False).stdout


def _set_wallpaper(display: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "wallpaper.png"
        subprocess.run(
            ["convert", "-size", f"{WIDTH}x{HEIGHT}", f"gradient:{WALLPAPER[0]}-{WALLPAPER[1]}", str(image)], check=True
        )
        # ImageMagick sets the root background and then exits non-zero without a window manager; the background stays.
        subprocess.run(
            ["display", "-window", "root", str(image)], env={**os.environ, "DISPLAY": display}, check=False, timeout=20
        )


def start_desktop(with_tray: bool = True) -> Desktop:
    """Xvfb plus (unless ``with_tray`` is False) trayer docked top-right; returns once the tray host is up.

    Xvfb runs with ``-terminate``: it exits by itself when its last client disconnects, so a test process
    whose QApplication outlives the fixture never sees the server vanish under it. A keeper connection
    holds the server up until then.
    """
    require_tools()
    xvfb, display = _start_xvfb()
    desktop = Desktop(display, [xvfb])
    try:
        desktop.keeper = _connect_keeper(display)
        if with_tray:
            desktop.start_tray_host()
        _set_wallpaper(display)
    except BaseException:
        desktop.stop()
        raise
    return desktop


def tray_icon_windows(display: str, pid: int | None = None) -> list[str]:
    """Window ids docked inside trayer's panel (one per tray icon; given ``pid``, only that process's)."""
    lines = _tree(display).splitlines()
    ids: list[str] = []
    inside_panel = False
    panel_indent = 0
    for line in lines:
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        if '"panel"' in text and "trayer" in text:
            inside_panel, panel_indent = True, indent
            continue
        if inside_panel and text.startswith("0x"):
            if indent <= panel_indent:
                inside_panel = False
                continue
            if indent >= panel_indent + 6 and "(has no name)" not in text:
                ids.append(text.split()[0])
    if pid is None:
        return ids
    owned = {int(window) for window in _xdotool_search(display, "--pid", str(pid))}
    return [window for window in ids if int(window, 16) in owned]


def screenshot(name: str, display: str, crop: tuple[int, int, int, int] | None = None) -> Path:
    """Grab the X screen (or ``crop`` = x, y, width, height of it) into ``test-artifacts/screenshots/NAME.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    command = ["import", "-window", "root"]
    if crop is not None:
        x, y, width, height = crop
        command += ["-crop", f"{width}x{height}+{x}+{y}", "+repage"]
    subprocess.run([*command, str(target)], env={**os.environ, "DISPLAY": display}, check=True, timeout=30)
    return target


def artifact_path(name: str) -> Path:
    """Where a test saves a PNG it rendered itself."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def visible_windows(display: str, title: str, pid: int | None = None) -> list[str]:
    """Ids of mapped windows whose title matches the regular expression ``title`` (and, given ``pid``, of that process).

    ``--all`` makes xdotool require every condition; its default ``--any`` would also list every window of
    ``pid`` whatever its title, such as the app's tray icon.
    """
    conditions = ["--onlyvisible"]
    if pid is not None:
        conditions += ["--pid", str(pid)]
    return _xdotool_search(display, *conditions, "--name", title)


def _xdotool_search(display: str, *conditions: str) -> list[str]:
    """Decimal ids of the windows that meet every one of ``conditions``.

    A title pattern goes last (``"--name", PATTERN``): it is xdotool's positional argument, and xdotool
    reads no options after it.
    """
    found = subprocess.run(
        ["xdotool", "search", "--all", *conditions],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.split()
