"""Whether there is a desktop to show the tray icon on, decided before any QApplication exists.

Qt aborts the process when it cannot reach a display, so ``memtray`` with no sub-command asks
first and points to ``memtray sync --watch`` instead.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "linuxfb", "eglfs", "vkkhrdisplay")


def _x11_reachable(display: str) -> bool:
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        for address in (f"\0/tmp/.X11-unix/X{number}", f"/tmp/.X11-unix/X{number}"):
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                    probe.settimeout(2)
                    probe.connect(address)
                    return True
            except OSError:
                continue
        return False
    try:
        with socket.create_connection((host, 6000 + int(number)), timeout=2):
            return True
    except OSError:
        return False


def has_desktop() -> bool:
    """False when Qt would abort for want of a display."""
    if sys.platform in ("win32", "darwin"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in HEADLESS_PLATFORMS:
        return True
    wayland = os.environ.get("WAYLAND_DISPLAY")
    if wayland and platform in ("", "wayland"):
        runtime = Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent"))
        if (Path(wayland) if os.path.isabs(wayland) else runtime / wayland).exists():
            return True
    display = os.environ.get("DISPLAY")
    return bool(display) and platform in ("", "xcb") and _x11_reachable(display or "")
