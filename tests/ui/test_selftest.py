"""``memtray self-test``: real checks, JSON written to a file, a tray not required."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import keyring
import keyring.backends.fail

from memtray.paths import resolve_home
from memtray.selftest import REQUIRED, main
from tests.support.display import REPO_ROOT

CHECKS = {"qt", "tray", "keychain", "crypto", "svg_icons", "sqlite", "platform"}


def test_every_check_passes_on_a_desktop_with_tray_and_keychain(qapp, tmp_path):
    out = tmp_path / "report" / "self-test.json"

    code = main(out, resolve_home(tmp_path / "home"))

    report = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0
    assert report["ok"] is True
    assert set(report["checks"]) == CHECKS
    for name, check in report["checks"].items():
        assert check["ok"] is True, (name, check)
        assert check["reason"]
    assert "SecretService" in report["checks"]["keychain"]["reason"]
    assert "xcb" in report["checks"]["qt"]["reason"]
    assert report["required"] == list(REQUIRED)


def test_without_a_keychain_the_report_says_so_and_fails(qapp, tmp_path):
    saved = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        code = main(tmp_path / "self-test.json", resolve_home(tmp_path / "home"))
    finally:
        keyring.set_keyring(saved)
    report = json.loads((tmp_path / "self-test.json").read_text(encoding="utf-8"))
    assert code == 1
    assert report["ok"] is False
    assert report["checks"]["keychain"]["ok"] is False
    assert "could not find a keychain" in report["checks"]["keychain"]["reason"]


SCRIPT = """
import sys
from pathlib import Path
from memtray.paths import resolve_home
from memtray.selftest import main
sys.exit(main(Path(sys.argv[1]), resolve_home(sys.argv[2])))
"""


def test_a_machine_without_display_or_tray_still_passes(tmp_path):
    """No display at all: Qt falls back to offscreen, the tray check fails with a reason, the report passes."""
    out = tmp_path / "self-test.json"
    hidden = ("DISPLAY", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY")
    env = {key: value for key, value in os.environ.items() if key not in hidden}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(out), str(tmp_path / "home")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    assert result.returncode == 0, (result.stderr, report)
    assert report["ok"] is True
    assert report["checks"]["tray"]["ok"] is False
    assert "No system tray" in report["checks"]["tray"]["reason"]
    assert "offscreen" in report["checks"]["qt"]["reason"]
