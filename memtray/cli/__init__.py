"""The command line: the same service layer as the tray app, no Qt unless the tray is started.

``main`` builds the parser from one module per group of commands (setup, folders, projects, sync, security, settings;
the hub's own commands live in memtray/hubserver/cli.py), runs the chosen command, and turns every
``memtray.errors.MemtrayError`` into plain words on stderr (``memtray`` named once, at the start) and its exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from memtray import __version__
from memtray.cli import folders, projects, security, settings, setup, sync
from memtray.cli.base import error_text, no_desktop_error
from memtray.errors import EXIT_CODES_HELP, MemtrayError
from memtray.paths import Home, create_private_file, make_private_folder, resolve_home

log = logging.getLogger("memtray")


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


def build_parser() -> argparse.ArgumentParser:
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
    for group in (setup, folders, projects, sync, security, settings):
        group.register(commands)

    from memtray.hubserver.cli import register

    register(commands)
    return parser


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
    parser = build_parser()
    args = parser.parse_args(argv)
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
