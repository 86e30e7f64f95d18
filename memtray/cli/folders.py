"""``memtray folder add|map|list|remove|guard``: which folders the vault syncs, where they live on this laptop,
and whether this laptop checks their files for secrets before sending them."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING

from memtray.cli.base import add_command, folder_line, open_service, print_json, show_usage
from memtray.errors import UsageError
from memtray.presets import PRESET_IDS

if TYPE_CHECKING:
    from memtray.cli.base import SubCommands


def register(commands: SubCommands) -> None:
    folder = add_command(
        commands, "folder", lambda args: show_usage(folder), "add, place, list or remove synced folders"
    )
    actions = folder.add_subparsers(title="folder commands", metavar="ACTION")
    add = add_command(
        actions, "add", cmd_folder_add, "sync the folder at PATH under the name NAME, or an AI tool's memory folder"
    )
    add.usage = "%(prog)s NAME PATH [--include GLOB]... [--exclude GLOB]...\n       %(prog)s --preset ID [PATH]"
    add.add_argument("name", metavar="NAME", nargs="?")
    add.add_argument("path", metavar="PATH", nargs="?")
    add.add_argument(
        "--preset",
        choices=PRESET_IDS,
        metavar="ID",
        help=f"add where this AI tool keeps its memory, as the setup wizard does ({', '.join(PRESET_IDS)}); "
        "at PATH if given",
    )
    add.add_argument("--include", action="append", metavar="GLOB", help="only sync files matching GLOB (repeatable)")
    add.add_argument("--exclude", action="append", metavar="GLOB", help="never sync files matching GLOB (repeatable)")
    place = add_command(actions, "map", cmd_folder_map, "on this laptop, folder NAME lives at PATH")
    place.add_argument("name", metavar="NAME")
    place.add_argument("path", metavar="PATH")
    listing = add_command(actions, "list", cmd_folder_list, "list the vault's folders and where they live here")
    listing.add_argument("--json", action="store_true")
    remove = add_command(actions, "remove", cmd_folder_remove, "stop syncing folder NAME (its files stay)")
    remove.add_argument("name", metavar="NAME")
    guard = add_command(
        actions, "guard", cmd_folder_guard, "on this laptop, check folder NAME's files for secrets before sending (on)"
    )
    guard.add_argument("name", metavar="NAME")
    guard.add_argument("state", choices=("on", "off"), help="off: send its files without checking them")


def cmd_folder_add(args: argparse.Namespace) -> int:
    if args.preset:
        if args.path is not None or args.include or args.exclude:
            raise UsageError("With --preset, give at most a PATH: the preset says which files to sync.")
        folder = open_service(args).add_preset_folder(args.preset, args.name)
    elif args.name is None or args.path is None:
        raise UsageError("Give the folder a NAME and its PATH, or add an AI tool's folder with --preset ID.")
    else:
        folder = open_service(args).add_folder(args.name, args.path, args.include or (), args.exclude or ())
    print(f"Added {folder_line(folder)}. It is sent at the next sync.")
    return 0


def cmd_folder_map(args: argparse.Namespace) -> int:
    folder = open_service(args).map_folder(args.name, args.path)
    print(f"Placed {folder_line(folder)}. Its files arrive at the next sync.")
    return 0


def cmd_folder_guard(args: argparse.Namespace) -> int:
    open_service(args).set_secret_guard(args.name, args.state == "on")
    if args.state == "on":
        print(f"memtray checks the files of '{args.name}' for keys and tokens before sending them.")
    else:
        print(f"memtray sends the files of '{args.name}' without checking them for keys and tokens (on this laptop).")
    return 0


def cmd_folder_remove(args: argparse.Namespace) -> int:
    open_service(args).remove_folder(args.name)
    print(f"memtray stopped syncing '{args.name}'. Its files stay where they are.")
    return 0


def cmd_folder_list(args: argparse.Namespace) -> int:
    folders = open_service(args).folders()
    if args.json:
        print_json([{**asdict(folder), "waiting": folder.waiting} for folder in folders])
    else:
        for folder in folders:
            print(folder_line(folder))
        if not folders:
            print("No folders yet. Add one with 'memtray folder add NAME PATH'.")
    return 0
