"""``memtray sync [--watch]``, ``repair`` and ``status``: running syncs and saying how they went."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from memtray.cli.base import add_command, folder_line, open_service, print_json, set_up_commands, when
from memtray.cli.sync_report import (
    answer_sync,
    held_line,
    report,
    sync_request,
    take_reply,
    waiting_for_yes,
    what_to_do,
)
from memtray.errors import MemtrayError, UsageError
from memtray.model import MassDeleteQuestion

if TYPE_CHECKING:
    from memtray.cli.base import SubCommands
    from memtray.service import Service

REPAIR_WARNING = (
    "Repair is for when the hub has really lost data and syncing stops with a message naming a hub object. "
    "This laptop will send all its files again under a new identity, and stop reading the histories on the hub "
    "that are damaged; the laptops that wrote them will send their files again too. Edits that only ever reached "
    "the lost data cannot be brought back. Files on this laptop are not changed."
)


def register(commands: SubCommands) -> None:
    sync = add_command(commands, "sync", cmd_sync, "one push and pull cycle with a one-line summary")
    sync.add_argument("--watch", action="store_true", help="keep running and sync whenever something changes")
    sync.add_argument(
        "--allow-mass-delete", action="store_true", help="go ahead even if more than half of a folder would be deleted"
    )

    repair = add_command(commands, "repair", cmd_repair, "carry on after the hub lost data (asks first; see --help)")
    repair.add_argument("--yes", action="store_true", help="do not ask before repairing")

    status = add_command(commands, "status", cmd_status, "show this laptop's state")
    status.add_argument("--json", action="store_true")

    send_anyway = add_command(
        commands, "send-anyway", cmd_send_anyway, "send a file the secret guard held back, as it is, at the next sync"
    )
    send_anyway.add_argument("folder", metavar="FOLDER")
    send_anyway.add_argument("path", metavar="PATH", help="the file's path in the folder, as 'memtray status' shows it")


def cmd_sync(args: argparse.Namespace) -> int:
    if not args.watch:
        from memtray.control import ask_running

        reply = ask_running(args.home_obj, sync_request(args.allow_mass_delete))
        if reply is not None:
            return take_reply(reply)
        report(open_service(args).sync(allow_mass_delete=args.allow_mass_delete))
        return 0
    return _watch(open_service(args), args)


def _watch(service: Service, args: argparse.Namespace) -> int:
    """Sync whenever the watch policy says so; stop, with the reason, when only the person can go on."""
    from memtray.control import ControlServer
    from memtray.sync.watch import WatchLoop
    from memtray.sync.watch_policy import WatchPolicy

    def failed(error: MemtrayError, retry_in: float | None) -> None:
        if retry_in is not None:
            wait = f"{retry_in:.0f} s" if retry_in < 60 else f"{retry_in / 60:.0f} min"
            print(f"{error.message} Trying again in {wait}.", file=sys.stderr, flush=True)

    policy = WatchPolicy()
    policy.set_interval_minutes(int(service.get_setting("interval_minutes")))
    loop = WatchLoop(
        lambda changes: service.sync(allow_mass_delete=args.allow_mass_delete, changes=changes),
        service.folders,
        service.change_feed(),
        policy,
        on_synced=report,
        on_failed=failed,
    )
    door = ControlServer(args.home_obj, answer_sync(lambda allow: service.sync(allow_mass_delete=allow)))
    door.start()
    try:
        needs_the_person = loop.run()
    except KeyboardInterrupt:
        return 0
    finally:
        door.stop()
    if isinstance(needs_the_person, MassDeleteQuestion):
        raise waiting_for_yes(needs_the_person)
    if needs_the_person is not None:
        raise needs_the_person
    return 0


def cmd_repair(args: argparse.Namespace) -> int:
    print(REPAIR_WARNING, file=sys.stderr)
    if not args.yes:
        if not sys.stdin.isatty():
            print("Run 'memtray repair --yes' to go ahead.", file=sys.stderr)
            return 2
        if input("Go ahead? [y/N] ").strip().lower() not in ("y", "yes"):
            print("Nothing was changed.", file=sys.stderr)
            return 0
    result = open_service(args).repair()
    if result is None:
        print("The hub's data is complete: there is nothing to repair.")
        return 0
    if result.mass_delete is None:
        print("Repaired: this laptop sent its files again.")
    report(result)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    status = open_service(args).status()
    if args.json:
        held_files = [{**asdict(held), "what_to_do": what_to_do(held)} for held in status.held]
        print_json({**asdict(status), "held": held_files})
        return 0
    if not status.set_up:
        print(f"memtray is not set up on this laptop yet.\n{set_up_commands(args)}")
        return 0
    print(f"Laptop: {status.device_name} · hub: {status.hub_url} · last sync: {when(status.last_sync)}")
    for folder in status.folders:
        print(f"  {folder_line(folder)}")
    print(f"Changes waiting to be sent: {status.pending_changes} · open conflicts: {status.open_conflicts}")
    if status.held:
        print("Held back by the secret guard (not sent to your other laptops):")
    for held in status.held:
        print(f"  {held_line(held)}\n    {what_to_do(held)}")
    if status.last_error:
        print(f"Last problem: {status.last_error}")
    return 0


def cmd_send_anyway(args: argparse.Namespace) -> int:
    service = open_service(args)
    folder = next((folder for folder in service.folders() if folder.name == args.folder), None)
    if folder is None:
        raise UsageError(f"There is no folder called '{args.folder}'. 'memtray folder list' shows the folders.")
    path = Path(args.path)
    if path.is_absolute() and folder.path is not None and path.is_relative_to(folder.path):
        path = path.relative_to(folder.path)
    service.send_anyway(folder.folder_id, path.as_posix())
    print(f"{folder.name}/{path.as_posix()} is sent as it is at the next sync.")
    return 0
