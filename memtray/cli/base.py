"""What every command shares: the service, the prompts, output helpers and how a sub-command is declared.

Nothing heavy is imported at module level (the service, hubs, Qt): ``memtray --help`` and the hub commands
start fast, and the command line never loads Qt.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from memtray.errors import EXIT_CODES_HELP, MemtrayError, NoDesktopError, NotSetUpError, PassphraseError

if TYPE_CHECKING:
    from memtray.model import FolderInfo
    from memtray.service import Service

    SubCommands = argparse._SubParsersAction[argparse.ArgumentParser]

Handler = Callable[[argparse.Namespace], int]

# Set by scripts/run.sh to how the person started it (e.g. ``bash scripts/run.sh``), so that is what messages name.
STARTED_AS_VARIABLE = "MEMTRAY_COMMAND"
NAMES_ITSELF = r"memtray\b"


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
    import getpass

    return getpass.getpass("memtray passphrase: ")


def new_passphrase(env_name: str) -> str:
    from_env = os.environ.get(env_name)
    if from_env:
        return from_env
    if not sys.stdin or not sys.stdin.isatty():
        raise PassphraseError(f"memtray needs a new passphrase: type it at the prompt, or set {env_name}.")
    import getpass

    first = getpass.getpass("New passphrase: ")
    if first != getpass.getpass("Type it again: "):
        raise PassphraseError("The two passphrases are different. Nothing was changed.")
    return first


def print_recovery_key(recovery_key: str) -> None:
    print("Your recovery key is shown only this once. Keep it somewhere safe; it is the only way back in")
    print("if you forget your passphrase:")
    print(f"  {recovery_key}")


def when(timestamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp)) if timestamp else "never"


def print_json(data: object) -> None:
    print(json.dumps(data, indent=2, default=str))


def folder_line(folder: FolderInfo) -> str:
    place = folder.path or "waiting — not placed on this laptop yet"
    return f"{folder.name}: {place} ({folder.file_count} files)"


def _quote(word: str) -> str:
    if sys.platform == "win32":
        import subprocess  # about 5 ms to load: only where it is needed

        return subprocess.list2cmdline([word])
    return shlex.quote(word)


def _program() -> str:
    """How this process was started: ``memtray`` when that name on PATH is this very program, else its path."""
    launched = sys.argv[0] if sys.argv else ""
    if not launched or launched == "-c" or launched.endswith(".py"):
        return f"{_quote(sys.executable)} -m memtray"
    name = Path(launched).name
    import shutil  # about 2 ms to load: only for a message

    found = shutil.which(name)
    if found and Path(found).resolve() == Path(launched).resolve():
        return name
    return _quote(launched)


def how_to_run(args: argparse.Namespace) -> str:
    """The words that start memtray again, for this laptop, the way this person started it."""
    words = os.environ.get(STARTED_AS_VARIABLE) or _program()
    return f"{words} --home {_quote(args.home)}" if args.home else words


def set_up_commands(args: argparse.Namespace) -> str:
    """The two ways to set up a laptop, as commands to type, with what each needs."""
    run = how_to_run(args)
    return (
        f"To start, on your first laptop:  {run} init HUB\n"
        "  HUB is where the encrypted copy goes: a folder your cloud drive copies, or a memtray hub's https://\n"
        "  address (with --invite CODE from whoever runs it). You choose a passphrase and get a recovery key.\n"
        f"To add another laptop:  {run} join SETUP-CODE\n"
        "  SETUP-CODE is what the setup-code command prints on a laptop already set up. You type the same passphrase."
    )


def no_desktop_error(args: argparse.Namespace) -> NoDesktopError:
    """Why the tray app cannot start here, and the commands that do its work without a desktop."""
    keep_in_sync = f"  {how_to_run(args)} sync --watch"
    if args.home_obj.config_file.exists():
        return NoDesktopError(
            "memtray needs a desktop to show its tray icon. Without one, this command keeps your files in sync "
            f"until you stop it:\n{keep_in_sync}"
        )
    return NoDesktopError(
        "memtray needs a desktop to show its tray icon, and this laptop is not set up yet. Without a desktop, "
        f"set it up here:\n{set_up_commands(args)}\nThen this command keeps your files in sync until you stop it:\n"
        f"{keep_in_sync}"
    )


def error_text(error: MemtrayError, args: argparse.Namespace) -> str:
    """What the command line prints for ``error``: one ``memtray`` at the start, and the commands that help."""
    said = error.message if re.match(NAMES_ITSELF, error.message) else f"memtray: {error.message}"
    if isinstance(error, NotSetUpError):
        said += "\n" + set_up_commands(args)
    return said
