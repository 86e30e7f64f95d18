"""What every command shares: the service, the prompts, output helpers and how a sub-command is declared.

Nothing heavy is imported at module level (the service, hubs, Qt): ``memtray --help`` and the hub commands
start fast, and the command line never loads Qt.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from memtray.errors import EXIT_CODES_HELP, PassphraseError
from memtray.model import FolderInfo

if TYPE_CHECKING:
    from memtray.service import Service

    SubCommands = argparse._SubParsersAction[argparse.ArgumentParser]

Handler = Callable[[argparse.Namespace], int]


def add_command(parent: SubCommands, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
    """A sub-command whose help repeats its one-line description and lists the exit codes."""
    sub = parent.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub.set_defaults(handler=handler)
    return sub


def show_usage(parser: argparse.ArgumentParser) -> int:
    """A command group run without its action: its help on stderr, and the usage exit code."""
    parser.print_help(sys.stderr)
    return 2


def open_service(args: argparse.Namespace) -> Service:
    from memtray.service import Service

    return Service(args.home_obj, ask_passphrase=prompt_passphrase)


def prompt_passphrase(reason: str) -> str | None:
    if not sys.stdin or not sys.stdin.isatty():
        return None
    return getpass.getpass("memtray passphrase: ")


def new_passphrase(env_name: str) -> str:
    from_env = os.environ.get(env_name)
    if from_env:
        return from_env
    if not sys.stdin or not sys.stdin.isatty():
        raise PassphraseError(f"memtray needs a new passphrase: type it at the prompt, or set {env_name}.")
    first = getpass.getpass("New passphrase: ")
    if first != getpass.getpass("Type it again: "):
        raise PassphraseError("The two passphrases are different. Nothing was changed.")
    return first


def when(timestamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp)) if timestamp else "never"


def print_json(data: object) -> None:
    print(json.dumps(data, indent=2, default=str))


def folder_line(folder: FolderInfo) -> str:
    place = folder.path or "waiting — not placed on this laptop yet"
    return f"{folder.name}: {place} ({folder.file_count} files)"
