"""``memtray folder add|map|list|remove``: which folders the vault syncs, and where they live on this laptop."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING

from memtray.cli.base import add_command, folder_line, open_service, print_json, show_usage

if TYPE_CHECKING:
    from memtray.cli.base import SubCommands


def register(commands: SubCommands) -> None:
    folder = add_command(
        commands, "folder", lambda args: show_usage(folder), "add, place, list or remove synced folders"
    )
    actions = folder.add_subparsers(title="folder commands", metavar="ACTION")
    add = add_command(actions, "add", cmd_folder_add, "sync the folder at PATH under the name NAME")
    add.add_argument("name", metavar="NAME")
    add.add_argument("path", metavar="PATH")
    add.add_argument("--include", action="append", metavar="GLOB", help="only sync files matching GLOB (repeatable)")
    add.add_argument("--exclude", action="append", metavar="GLOB", help="never sync files matching GLOB (repeatable)")
    place = add_command(actions, "map", cmd_folder_map, "on this laptop, folder NAME lives at PATH")
    place.add_argument("name", metavar="NAME")
    place.add_argument("path", metavar="PATH")
    listing = add_command(actions, "list", cmd_folder_list, "list the vault's folders and where they live here")
    listing.add_argument("--json", action="store_true")
    remove = add_command(actions, "remove", cmd_folder_remove, "stop syncing folder NAME (its files stay)")
    remove.add_argument("name", metavar="NAME")


def cmd_folder_add(args: argparse.Namespace) -> int:
    folder = open_service(args).add_folder(args.name, args.path, args.include or (), args.exclude or ())
    print(f"Added {folder_line(folder)}. It is sent at the next sync.")
    return 0


def cmd_folder_map(args: argparse.Namespace) -> int:
    folder = open_service(args).map_folder(args.name, args.path)
    print(f"Placed {folder_line(folder)}. Its files arrive at the next sync.")
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
