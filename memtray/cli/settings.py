"""``memtray settings [KEY [VALUE]]`` and ``memtray self-test``: this laptop's settings, and a check of the install."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from memtray.cli.base import add_command, open_service
from memtray.errors import UsageError

if TYPE_CHECKING:
    from memtray.cli.base import SubCommands


def register(commands: SubCommands) -> None:
    settings = add_command(
        commands, "settings", cmd_settings, "list settings, or show or change one (e.g. conflict_policy)"
    )
    settings.add_argument("key", nargs="?", metavar="KEY")
    settings.add_argument("value", nargs="?", metavar="VALUE")

    selftest = add_command(
        commands, "self-test", cmd_self_test, "check this installation and write a JSON report to FILE"
    )
    selftest.add_argument("--out", required=True, metavar="FILE")


def cmd_settings(args: argparse.Namespace) -> int:
    from memtray.service.settings import SETTINGS, SETTINGS_BY_KEY

    service = open_service(args)
    if args.key is None:
        for setting in SETTINGS:
            print(f"{setting.key} = {service.get_setting(setting.key)}    # {setting.label}")
        return 0
    if args.key not in SETTINGS_BY_KEY:
        raise UsageError(f"There is no setting '{args.key}'. 'memtray settings' lists them.")
    if args.value is not None:
        service.set_setting(args.key, args.value)
    print(f"{args.key} = {service.get_setting(args.key)}")
    return 0


def cmd_self_test(args: argparse.Namespace) -> int:
    from memtray.selftest import main as self_test

    return self_test(Path(args.out), args.home_obj)
