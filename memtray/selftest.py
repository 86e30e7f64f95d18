"""``memtray self-test --out FILE``: can this build run here? Writes the answer as JSON to FILE.

Made for the frozen app (a windowed Windows app has no stdout, hence the file). Each check
records ``ok`` and a plain ``reason``; one failing check never stops the others.

Required for ``"ok": true``: qt, keychain, crypto, svg_icons, sqlite, platform.
Reported but not required: tray (a build is fine on a machine without a tray host; the app
then opens its window instead).
"""

from __future__ import annotations

import os
import platform
import secrets
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from memtray.paths import Home, write_json_atomic

REQUIRED = ("qt", "keychain", "crypto", "svg_icons", "sqlite", "platform")


class CheckFailed(Exception):
    """A check's plain-sentence reason for failing."""


def _needs_offscreen() -> bool:
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def check_qt() -> str:
    if _needs_offscreen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        QApplication(["memtray-self-test"])
    return f"PySide6 {pyside_version}, platform plugin '{QGuiApplication.platformName()}'"


def check_tray() -> str:
    from PySide6.QtWidgets import QSystemTrayIcon

    if not QSystemTrayIcon.isSystemTrayAvailable():
        raise CheckFailed("No system tray here; the app would open its window instead.")
    return "A system tray is available."


def check_keychain(home: Home) -> str:
    from memtray.keychain import Keychain

    keychain = Keychain(f"{home.keychain_scope}:self-test")
    name = f"self-test-{secrets.token_hex(4)}"
    value = secrets.token_urlsafe(24)
    try:
        keychain.set(name, value)
        if keychain.get(name) != value:
            raise CheckFailed(f"{keychain.backend_name()} returned a different value than was stored.")
    finally:
        keychain.delete(name)
    if keychain.get(name) is not None:
        raise CheckFailed(f"{keychain.backend_name()} did not delete the test item.")
    return f"Stored, read and deleted a test item with {keychain.backend_name()}."


def check_crypto() -> str:
    from memtray.vault.envelope import open_sealed, seal
    from memtray.vault.kdf import KdfParams, derive_key

    params = KdfParams(salt=os.urandom(16), memory_kib=1024, iterations=1, lanes=1)
    key = derive_key("self-test passphrase", params)
    if derive_key("self-test passphrase", params) != key:
        raise CheckFailed("Argon2id gave two different keys for the same input.")
    plaintext = b"memtray self-test"
    if open_sealed(key, seal(key, plaintext, b"aad"), b"aad") != plaintext:
        raise CheckFailed("AES-GCM did not return what it sealed.")
    return "Argon2id and AES-256-GCM round trip through memtray.vault."


def check_svg_icons() -> str:
    from memtray.ui.icons import all_svg_sources, render_svg

    sources = all_svg_sources()
    if not sources:
        raise CheckFailed("No SVG icons were bundled.")
    for path in sources:
        image = render_svg(path, 32)
        if not any(image.pixelColor(x, y).alpha() for x in range(32) for y in range(32)):
            raise CheckFailed(f"{path.name} rendered as an empty image.")
    return f"Rendered {len(sources)} SVG icons with QtSvg."


def check_sqlite() -> str:
    with tempfile.TemporaryDirectory(prefix="memtray-self-test-") as folder:
        connection = sqlite3.connect(Path(folder) / "test.sqlite3")
        try:
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            connection.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB)")
            connection.execute("INSERT INTO t VALUES (?, ?)", ("key", b"value"))
            connection.commit()
            if connection.execute("SELECT v FROM t WHERE k = 'key'").fetchone()[0] != b"value":
                raise CheckFailed("SQLite did not return the stored row.")
        finally:
            connection.close()
    return f"SQLite {sqlite3.sqlite_version}, journal mode {mode}."


def check_platform() -> str:
    frozen = "frozen app" if getattr(sys, "frozen", False) else "Python source"
    return f"{platform.platform()}, Python {platform.python_version()}, {frozen}."


def _run(check: Callable[[], str]) -> dict[str, Any]:
    try:
        return {"ok": True, "reason": check()}
    except CheckFailed as exc:
        return {"ok": False, "reason": str(exc)}
    except Exception as exc:  # a self-test reports every failure instead of stopping
        return {"ok": False, "reason": f"{type(exc).__name__}: {exc}"}


def run_checks(home: Home) -> dict[str, Any]:
    checks: dict[str, dict[str, Any]] = {"platform": _run(check_platform), "qt": _run(check_qt)}
    qt_ok = checks["qt"]["ok"]
    skipped = {"ok": False, "reason": "Skipped because Qt did not start."}
    checks["tray"] = _run(check_tray) if qt_ok else skipped
    checks["svg_icons"] = _run(check_svg_icons) if qt_ok else skipped
    checks["keychain"] = _run(lambda: check_keychain(home))
    checks["crypto"] = _run(check_crypto)
    checks["sqlite"] = _run(check_sqlite)
    return {"ok": all(checks[name]["ok"] for name in REQUIRED), "required": list(REQUIRED), "checks": checks}


def main(out: Path, home: Home) -> int:
    """Run every check, write the JSON report to ``out``; 0 when every required check passed."""
    report = run_checks(home)
    write_json_atomic(out, report)
    return 0 if report["ok"] else 1
