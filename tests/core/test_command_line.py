"""The command line as a whole: every command in its place with the exit codes in its help, and a light start."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from memtray.cli import build_parser, main
from memtray.errors import EXIT_CODES_HELP
from memtray.service.setupcode import SetupCode

COMMANDS = [
    "init",
    "join",
    "setup-code",
    "trust-certificate",
    "folder",
    "projects",
    "sync",
    "repair",
    "status",
    "send-anyway",
    "devices",
    "passphrase",
    "recovery",
    "settings",
    "self-test",
    "mcp",
    "hub",
]
ACTIONS = {
    "folder": ["add", "map", "list", "remove", "guard"],
    "projects": ["link", "unlink"],
    "devices": ["remove", "revoke", "rename"],
    "passphrase": ["change"],
    "recovery": ["use"],
}


def _sub_commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _laptop_commands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for name, sub in _sub_commands(parser).items():
        if name != "hub":
            yield name, sub
            for action, action_parser in _sub_commands(sub).items():
                yield f"{name} {action}", action_parser


def test_every_command_is_in_its_place_and_its_help_lists_the_exit_codes() -> None:
    parser = build_parser()
    commands = _sub_commands(parser)
    assert list(commands) == COMMANDS
    for group, actions in ACTIONS.items():
        assert list(_sub_commands(commands[group])) == actions
    assert parser.format_help().endswith(EXIT_CODES_HELP + "\n")
    for name, sub in _laptop_commands(parser):
        assert sub.format_help().endswith(EXIT_CODES_HELP + "\n"), name


@pytest.mark.parametrize("group", ["folder", "passphrase", "recovery"])
def test_a_group_without_its_action_shows_its_help_and_exits_2(
    group: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--home", str(tmp_path), group]) == 2
    shown = capsys.readouterr()
    assert shown.out == ""
    assert shown.err.startswith(f"usage: memtray {group} [-h] ACTION")
    for action in ACTIONS[group]:
        assert action in shown.err


def test_reading_a_command_line_loads_neither_qt_nor_the_service() -> None:
    probe = (
        "import sys; from memtray.cli import build_parser; build_parser().parse_args(['sync', '--watch']); "
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert "memtray.cli.sync" in loaded
    heavy = [name for name in loaded if name.startswith(("PySide6", "memtray.service", "memtray.sync", "memtray.ui"))]
    assert heavy == []


def _join_without_a_secret(home: Path, hub_url: str) -> subprocess.CompletedProcess[str]:
    """``memtray join CODE`` for a code naming ``hub_url``, no hub secret given and no terminal to ask in."""
    code = SetupCode(hub_url, "0" * 32, None).encode()
    env = {key: value for key, value in os.environ.items() if key != "MEMTRAY_HUB_SECRET"}
    env["MEMTRAY_PASSPHRASE"] = "correct horse battery staple"
    return subprocess.run(
        [sys.executable, "-m", "memtray", "--home", str(home), "join", code],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )


@pytest.mark.parametrize(
    "hub_url", ["webdavs://name@127.0.0.1:9/memtray", "s3://bucket/memtray?endpoint=http://127.0.0.1:9"]
)
def test_joining_with_a_code_for_a_hub_with_a_password_asks_for_it_first(tmp_path: Path, hub_url: str) -> None:
    joined = _join_without_a_secret(tmp_path / "laptop", hub_url)
    assert joined.returncode == 2, joined.stderr
    assert "This hub needs a password or access key" in joined.stderr
    assert not (tmp_path / "laptop" / "config" / "config.json").exists()


def test_joining_with_a_code_for_a_memtray_hub_asks_for_no_password(tmp_path: Path) -> None:
    joined = _join_without_a_secret(tmp_path / "laptop", "https://127.0.0.1:9")
    assert joined.returncode != 0, "nothing listens at that address"
    assert "needs a password" not in joined.stderr, "a memtray hub hands out its own token"
    assert not (tmp_path / "laptop" / "config" / "config.json").exists()


LINUX_ONLY = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Windows and macOS always have a desktop")


def _memtray(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line in a process of its own, with no display and no terminal."""
    quiet = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [sys.executable, "-m", "memtray", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**quiet, "QT_QPA_PLATFORM": "xcb", **(env or {})},
    )


def test_help_explains_hub_and_vault_in_a_line_each() -> None:
    shown = _memtray("--help")
    assert shown.returncode == 0
    lines = shown.stdout.splitlines()
    hub = next(line for line in lines if line.startswith("  hub "))
    vault = next(line for line in lines if line.startswith("  vault "))
    for word in ("cloud-drive folder", "memtray hub", "WebDAV", "S3", "encrypted"):
        assert word in hub
    for word in ("keeps the same on your laptops", "passphrase"):
        assert word in vault
    assert 'the app says "storage" for hub and "your synced memory" for vault' in shown.stdout


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (["sync"], "memtray is not set up on this laptop yet."),
        (["init", "ftp://example.invalid/vault"], "memtray does not know storage of the kind 'ftp://'."),
        (["join", "MT1-notacode"], "memtray: That setup code is not valid."),
        (["settings", "no_such_setting"], "memtray: There is no setting 'no_such_setting'."),
        pytest.param(
            [],
            "memtray needs a desktop to show its tray icon, and this laptop is not set up yet.",
            marks=LINUX_ONLY,
        ),
    ],
)
def test_every_message_names_memtray_once_at_its_start(args: list[str], first_line: str, tmp_path: Path) -> None:
    failed = _memtray("--home", str(tmp_path / "laptop"), *args, env={"MEMTRAY_PASSPHRASE": "a long passphrase 42"})
    assert failed.returncode == 2, failed.stderr
    assert failed.stderr.splitlines()[0].startswith(first_line)
    assert failed.stderr.count("memtray:") <= 1
    assert "memtray: memtray" not in failed.stderr


@LINUX_ONLY
def test_without_a_desktop_the_command_line_loads_no_qt(tmp_path: Path) -> None:
    probe = (
        "import sys; from memtray.cli import main; "
        f"code = main(['--home', {str(tmp_path)!r}]); "
        "print(code, sorted(name for name in sys.modules if name.startswith('PySide6')))"
    )
    quiet = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    ran = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**quiet, "QT_QPA_PLATFORM": "xcb"},
    )
    assert ran.stdout == "2 []\n"
    assert ran.stderr.startswith("memtray needs a desktop to show its tray icon")
