"""The command line: the same service layer as the tray app, no Qt unless the tray is started.

``main`` builds the parser from one module per group of commands (setup, folders, projects, sync, security, settings;
the hub's own commands live in memtray/hubserver/cli.py), runs the chosen command, and turns every
``memtray.errors.MemtrayError`` into plain words on stderr (``memtray`` named once, at the start) and its exit code.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import sys
from collections.abc import Sequence

from memtray import __version__
from memtray.cli.base import error_text, no_desktop_error
from memtray.errors import EXIT_CODES_HELP, MemtrayError
from memtray.paths import Home, create_private_file, make_private_folder, resolve_home

log = logging.getLogger("memtray")
# New objects between two runs of the cycle collector, for a process of its own (Python's default is 700): a command
# makes tens of thousands of objects while it loads, nearly all kept to the end, and would spend about 10 ms
# collecting cycles among them. Reference counting frees the rest at once, and cycles are still collected.
COLLECT_AFTER = 50_000


def cmd_tray(args: argparse.Namespace) -> int:
    from memtray.ui.desktop import has_desktop

    if not has_desktop():
        raise no_desktop_error(args)
    from memtray.ui.app import run

    return run(args.home_obj)


DESCRIPTION = """\
Keep your AI coding agent's memory files the same on all your laptops, encrypted end to end.
With no command, memtray starts the tray app.

words (the app says "storage" for hub and "your synced memory" for vault):
  hub    what your laptops sync through, all encrypted: a cloud-drive folder, a memtray hub, WebDAV or S3
  vault  what memtray keeps the same on your laptops (folders, files, history), locked by your passphrase"""


# Each group of commands (its module) and the commands it registers (tests/core/test_fast_cli.py holds the two
# together): a command line naming one of them loads and builds that group's parsers only.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("memtray.cli.setup", ("init", "join", "setup-code", "trust-certificate")),
    ("memtray.cli.folders", ("folder",)),
    ("memtray.cli.projects", ("projects",)),
    ("memtray.cli.sync", ("sync", "repair", "status", "send-anyway")),
    ("memtray.cli.security", ("devices", "passphrase", "recovery")),
    ("memtray.cli.settings", ("settings", "self-test")),
    ("memtray.cli.mcp", ("mcp",)),
)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given the command line ``argv``, only what that command needs is loaded."""
    parser = argparse.ArgumentParser(
        prog="memtray",
        description=DESCRIPTION,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--home",
        help="keep all config, state and keychain entries for this laptop under DIR (also MEMTRAY_HOME)",
        metavar="DIR",
    )
    parser.add_argument("--version", action="version", version=f"memtray {__version__}")
    parser.set_defaults(handler=cmd_tray)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    word = None if argv is None else _command_word(argv)
    named = [group for group, words in GROUPS if word in words]
    for group, _words in GROUPS:
        if not named or group in named:
            importlib.import_module(group).register(commands)
    _register_hub_commands(commands, argv)
    return parser


HUB_HELP = "run a self-hosted memtray hub"


def _register_hub_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], argv: Sequence[str] | None
) -> None:
    """The hub's commands, loaded (with the server's parts) only for ``memtray hub …``, the help, or when no
    command line is given: any other command gets a placeholder that lists it."""
    if argv is None or _command_word(argv) in (None, "hub"):
        from memtray.hubserver.cli import register

        register(commands)
    else:
        commands.add_parser("hub", help=HUB_HELP)


def _command_word(argv: Sequence[str]) -> str | None:
    """The command ``argv`` asks for; None when it asks for help, the version or the tray app."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help", "--version"):
            return None
        if word == "--home":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


QUICK_SYNC = (["sync"], ["sync", "--allow-mass-delete"])


def _answered_without_unlocking(arguments: list[str]) -> bool:
    """``memtray sync`` when the last sync's record says nothing changed since (see memtray/sync/quiet.py)."""
    home = None
    if arguments[:1] == ["--home"] and len(arguments) > 1:
        home, arguments = arguments[1], arguments[2:]
    if arguments not in QUICK_SYNC:
        return False
    from memtray.sync.quiet import NOTHING_DONE, note_answered, nothing_to_do

    home_obj = resolve_home(home)
    if not nothing_to_do(home_obj):
        return False
    note_answered(home_obj)
    print(NOTHING_DONE)
    return True


def _setup_logging(home: Home) -> None:
    log_file = home.log_dir / "memtray.log"
    try:
        make_private_folder(home.log_dir)
        create_private_file(log_file)
        handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv``, or, as a program of its own, this process's."""
    if argv is None:
        gc.set_threshold(COLLECT_AFTER, *gc.get_threshold()[1:])
    arguments = sys.argv[1:] if argv is None else list(argv)
    if _answered_without_unlocking(arguments):
        return 0
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    try:
        args.home_obj = resolve_home(args.home)
        _setup_logging(args.home_obj)
        return int(args.handler(args))
    except MemtrayError as exc:
        log.warning("%s: %s", type(exc).__name__, exc.message)
        print(error_text(exc, args), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("memtray: stopped.", file=sys.stderr)
        return 130
    except Exception as exc:
        log.exception("unexpected failure")
        print(
            f"memtray: something unexpected went wrong ({type(exc).__name__}). Details are in the log folder.",
            file=sys.stderr,
        )
        return 1
