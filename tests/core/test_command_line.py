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
    "sync",
    "repair",
    "status",
    "devices",
    "passphrase",
    "recovery",
    "settings",
    "self-test",
    "hub",
]
ACTIONS = {
    "folder": ["add", "map", "list", "remove"],
    "devices": ["revoke"],
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
