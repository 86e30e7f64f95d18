"""The command line: the same service layer as the tray app, no Qt unless the tray is started."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from memtray import __version__
from memtray.errors import EXIT_CODES_HELP, MemtrayError, PassphraseError, UsageError
from memtray.paths import Home, resolve_home

log = logging.getLogger("memtray")
Handler = Callable[[argparse.Namespace], int]


def _service(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from memtray.service import Service

    return Service(args.home_obj, ask_passphrase=_prompt_passphrase)


def _prompt_passphrase(reason: str) -> str | None:
    if not sys.stdin or not sys.stdin.isatty():
        return None
    return getpass.getpass("memtray passphrase: ")


def _new_passphrase(env_name: str) -> str:
    from_env = os.environ.get(env_name)
    if from_env:
        return from_env
    if not sys.stdin or not sys.stdin.isatty():
        raise PassphraseError(f"memtray needs a new passphrase: type it at the prompt, or set {env_name}.")
    first = getpass.getpass("New passphrase: ")
    if first != getpass.getpass("Type it again: "):
        raise PassphraseError("The two passphrases are different. Nothing was changed.")
    return first


def _hub_secret(url: str) -> str | None:
    from memtray.hubs import hub_kind

    if hub_kind(url) not in ("webdav", "s3") or os.environ.get("MEMTRAY_HUB_SECRET"):
        return os.environ.get("MEMTRAY_HUB_SECRET")
    if not sys.stdin or not sys.stdin.isatty():
        raise UsageError("This hub needs a password or access key: set MEMTRAY_HUB_SECRET, or run in a terminal.")
    return getpass.getpass("Hub password (for S3: ACCESS_KEY_ID:SECRET): ")


def _when(timestamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp)) if timestamp else "never"


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, default=str))


def cmd_init(args: argparse.Namespace) -> int:
    service = _service(args)
    passphrase = _new_passphrase("MEMTRAY_PASSPHRASE")
    result = service.init(
        args.hub,
        passphrase,
        invite=args.invite,
        device_name=args.device_name,
        hub_secret=_hub_secret(args.hub),
        allow_insecure_http=args.allow_insecure_http,
    )
    print(f"Created a new vault on {service.hub_info()[1]}.")
    print("Your recovery key is shown only this once. Keep it somewhere safe; it is the only way back in")
    print("if you forget your passphrase:")
    print(f"  {result.recovery_key}")
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    service = _service(args)
    passphrase = os.environ.get("MEMTRAY_PASSPHRASE") or _prompt_passphrase("join")
    if not passphrase:
        raise PassphraseError("memtray needs the vault's passphrase: type it at the prompt, or set MEMTRAY_PASSPHRASE.")
    from memtray.setupcode import decode_setup_code, looks_like_setup_code

    url = decode_setup_code(args.hub).hub_url if looks_like_setup_code(args.hub) else args.hub
    result = service.join(
        args.hub,
        passphrase,
        device_name=args.device_name,
        hub_secret=_hub_secret(url),
        allow_insecure_http=args.allow_insecure_http,
    )
    print(f"Joined the vault. {len(result.folders)} folder(s) to place on this laptop:")
    for folder in result.folders:
        print(f"  {folder.name}: waiting — run 'memtray folder map \"{folder.name}\" PATH'")
    return 0


def cmd_setup_code(args: argparse.Namespace) -> int:
    code = _service(args).setup_code()
    print("On your other laptop, choose 'Join from another laptop' and paste this code")
    print("(or run 'memtray join CODE'). It works once. Your passphrase is not in it.")
    print(code)
    return 0


def _folder_line(folder) -> str:  # type: ignore[no-untyped-def]
    place = folder.path or "waiting — not placed on this laptop yet"
    return f"{folder.name}: {place} ({folder.file_count} files)"


def cmd_folder_add(args: argparse.Namespace) -> int:
    folder = _service(args).add_folder(args.name, args.path, args.include or (), args.exclude or ())
    print(f"Added {_folder_line(folder)}. It is sent at the next sync.")
    return 0


def cmd_folder_map(args: argparse.Namespace) -> int:
    folder = _service(args).map_folder(args.name, args.path)
    print(f"Placed {_folder_line(folder)}. Its files arrive at the next sync.")
    return 0


def cmd_folder_remove(args: argparse.Namespace) -> int:
    _service(args).remove_folder(args.name)
    print(f"memtray stopped syncing '{args.name}'. Its files stay where they are.")
    return 0


def cmd_folder_list(args: argparse.Namespace) -> int:
    folders = _service(args).folders()
    if args.json:
        _print_json([{**asdict(folder), "waiting": folder.waiting} for folder in folders])
    else:
        for folder in folders:
            print(_folder_line(folder))
        if not folders:
            print("No folders yet. Add one with 'memtray folder add NAME PATH'.")
    return 0


def _report(result) -> None:  # type: ignore[no-untyped-def]
    print(result.summary(), flush=True)
    for conflict in result.conflicts:
        print(
            f"conflict: {conflict.folder}/{conflict.path} — the other text is in {conflict.copy_path}", file=sys.stderr
        )
    for problem in result.problems:
        print(f"skipped: {problem.path}: {problem.message}", file=sys.stderr)


def cmd_sync(args: argparse.Namespace) -> int:
    service = _service(args)
    if not args.watch:
        _report(service.sync(allow_mass_delete=args.allow_mass_delete))
        return 0
    return _watch(service, args)


def _watch(service, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from memtray.sync.watch import Trigger, follow_hub, watch_folders

    trigger = Trigger()
    stop = threading.Event()
    roots = [Path(folder.path) for folder in service.folders() if folder.path]
    observer = watch_folders(roots, trigger)
    feed = service.change_feed()
    if feed is not None:
        follow_hub(feed, trigger, stop, lambda exc: log.warning("change feed: %s", type(exc).__name__))
    interval = 60.0 * float(service.get_setting("interval_minutes")) if feed is None else 300.0
    if feed is None:
        interval = min(interval, 5.0)
    last_problem = ""
    try:
        trigger.fire()
        while True:
            trigger.wait(interval)
            try:
                _report(service.sync(allow_mass_delete=args.allow_mass_delete))
                last_problem = ""
            except MemtrayError as exc:
                if exc.message != last_problem:
                    print(exc.message, file=sys.stderr, flush=True)
                last_problem = exc.message
                time.sleep(1.0)
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()
        observer.stop()


def cmd_status(args: argparse.Namespace) -> int:
    status = _service(args).status()
    if args.json:
        _print_json(asdict(status))
        return 0
    if not status.set_up:
        print("memtray is not set up on this laptop yet. Run 'memtray init HUB' or 'memtray join CODE'.")
        return 0
    print(f"Laptop: {status.device_name} · hub: {status.hub_url} · last sync: {_when(status.last_sync)}")
    for folder in status.folders:
        print(f"  {_folder_line(folder)}")
    print(f"Changes waiting to be sent: {status.pending_changes} · open conflicts: {status.open_conflicts}")
    if status.last_error:
        print(f"Last problem: {status.last_error}")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    devices = _service(args).devices()
    if args.json:
        _print_json([asdict(device) for device in devices])
        return 0
    for device in devices:
        marks = " (this laptop)" if device.this_device else ""
        marks += " (removed)" if device.revoked else ""
        print(f"{device.name}{marks} · {device.platform} · last seen {_when(device.last_seen)}")
    return 0


def cmd_devices_revoke(args: argparse.Namespace) -> int:
    _service(args).revoke_device(args.name)
    print(f"'{args.name}' can no longer reach the hub.")
    return 0


def cmd_passphrase_change(args: argparse.Namespace) -> int:
    service = _service(args)
    old = service.passphrase("change")
    service.change_passphrase(old, _new_passphrase("MEMTRAY_NEW_PASSPHRASE"))
    print("Passphrase changed. Your other laptops keep working; new laptops join with the new passphrase.")
    return 0


def cmd_recovery_use(args: argparse.Namespace) -> int:
    service = _service(args)
    key = os.environ.get("MEMTRAY_RECOVERY_KEY")
    if not key:
        if not sys.stdin or not sys.stdin.isatty():
            raise UsageError("Type the recovery key at the prompt, or set MEMTRAY_RECOVERY_KEY.")
        key = getpass.getpass("Recovery key: ")
    service.recover(key, _new_passphrase("MEMTRAY_NEW_PASSPHRASE"))
    print("Access restored with your recovery key, and the new passphrase is set.")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    from memtray.settings import SETTINGS, SETTINGS_BY_KEY

    service = _service(args)
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


def cmd_tray(args: argparse.Namespace) -> int:
    from memtray.ui.app import run

    return run(args.home_obj)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="memtray",
        description="Keep your AI coding agent's memory files the same on all your laptops, encrypted end to end. "
        "With no command, memtray starts the tray app.",
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

    def command(name: str, handler: Handler, help_text: str, parent=commands):  # type: ignore[no-untyped-def]
        sub = parent.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(handler=handler)
        return sub

    init = command("init", cmd_init, "create a vault on HUB and print the recovery key once")
    init.add_argument("hub", metavar="HUB", help="a folder path or file:// URL, https://…, webdav(s)://…, s3://…")
    init.add_argument("--invite", metavar="CODE", help="invite code from the memtray hub's owner")
    init.add_argument("--device-name", metavar="NAME", help="how this laptop is shown (default: its host name)")
    init.add_argument("--allow-insecure-http", action="store_true", help="allow http:// to a hub off this machine")

    join = command("join", cmd_join, "join an existing vault with a setup code (or the hub's address)")
    join.add_argument("hub", metavar="HUB|SETUP-CODE")
    join.add_argument("--device-name", metavar="NAME")
    join.add_argument("--allow-insecure-http", action="store_true")

    command("setup-code", cmd_setup_code, "print a one-time code another laptop can join with (last line)")

    folder = command("folder", lambda args: _usage(folder), "add, place, list or remove synced folders")
    folder_commands = folder.add_subparsers(title="folder commands", metavar="ACTION")
    add = command("add", cmd_folder_add, "sync the folder at PATH under the name NAME", folder_commands)
    add.add_argument("name", metavar="NAME")
    add.add_argument("path", metavar="PATH")
    add.add_argument("--include", action="append", metavar="GLOB", help="only sync files matching GLOB (repeatable)")
    add.add_argument("--exclude", action="append", metavar="GLOB", help="never sync files matching GLOB (repeatable)")
    place = command("map", cmd_folder_map, "on this laptop, folder NAME lives at PATH", folder_commands)
    place.add_argument("name", metavar="NAME")
    place.add_argument("path", metavar="PATH")
    listing = command("list", cmd_folder_list, "list the vault's folders and where they live here", folder_commands)
    listing.add_argument("--json", action="store_true")
    remove = command("remove", cmd_folder_remove, "stop syncing folder NAME (its files stay)", folder_commands)
    remove.add_argument("name", metavar="NAME")

    sync = command("sync", cmd_sync, "one push and pull cycle with a one-line summary")
    sync.add_argument("--watch", action="store_true", help="keep running and sync whenever something changes")
    sync.add_argument(
        "--allow-mass-delete", action="store_true", help="go ahead even if more than half of a folder would be deleted"
    )

    status = command("status", cmd_status, "show this laptop's state")
    status.add_argument("--json", action="store_true")

    devices = command("devices", cmd_devices, "list the laptops in the vault")
    devices.add_argument("--json", action="store_true")
    device_commands = devices.add_subparsers(title="device commands", metavar="ACTION")
    revoke = command("revoke", cmd_devices_revoke, "stop laptop NAME from reaching the hub", device_commands)
    revoke.add_argument("name", metavar="NAME")

    passphrase = command("passphrase", lambda args: _usage(passphrase), "change the vault passphrase")
    passphrase_commands = passphrase.add_subparsers(title="passphrase commands", metavar="ACTION")
    command("change", cmd_passphrase_change, "set a new passphrase (the vault key is re-wrapped)", passphrase_commands)

    recovery = command("recovery", lambda args: _usage(recovery), "use the recovery key")
    recovery_commands = recovery.add_subparsers(title="recovery commands", metavar="ACTION")
    command("use", cmd_recovery_use, "regain access with the recovery key and set a new passphrase", recovery_commands)

    settings = command("settings", cmd_settings, "list settings, or show or change one (e.g. conflict_policy)")
    settings.add_argument("key", nargs="?", metavar="KEY")
    settings.add_argument("value", nargs="?", metavar="VALUE")

    selftest = command("self-test", cmd_self_test, "check this installation and write a JSON report to FILE")
    selftest.add_argument("--out", required=True, metavar="FILE")

    from memtray.hubserver.cli import register

    register(commands)
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _setup_logging(home: Home) -> None:
    try:
        home.log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(home.log_dir / "memtray.log", encoding="utf-8")
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
        print(f"memtray: {exc.message}", file=sys.stderr)
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
