"""Setting up this laptop: ``init``, ``join``, ``setup-code`` and ``trust-certificate``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from memtray.cli.base import (
    add_command,
    folder_line,
    new_passphrase,
    open_service,
    print_recovery_key,
    prompt_passphrase,
)
from memtray.errors import KeychainMissingError, PassphraseError, UsageError

if TYPE_CHECKING:
    from memtray.cli.base import SubCommands
    from memtray.model import FolderInfo
    from memtray.service import Service

TLS_FINGERPRINT_HELP = (
    "trust only the memtray hub certificate with this fingerprint (sha256:…, printed by 'memtray hub serve'); "
    "needed when the hub has a certificate of its own"
)

NO_KEYCHAIN_HELP = (
    "for a computer without a keychain (a server reached over SSH, a container): keep the storage's password in "
    "memtray's own folder, locked by your passphrase, which you then give each time (typed, or MEMTRAY_PASSPHRASE)"
)
NO_KEYCHAIN_HINT = (
    " Or run the same command again with --no-keychain: memtray then keeps it in its own folder, locked by your "
    "passphrase, and asks for the passphrase (or reads MEMTRAY_PASSPHRASE) each time it runs."
)


def register(commands: SubCommands) -> None:
    init = add_command(commands, "init", cmd_init, "create a vault on HUB and print the recovery key once")
    init.add_argument("hub", metavar="HUB", help="a folder path or file:// URL, https://…, webdav(s)://…, s3://…")
    init.add_argument("--invite", metavar="CODE", help="invite code from the memtray hub's owner")
    init.add_argument("--device-name", metavar="NAME", help="how this laptop is shown (default: its host name)")
    init.add_argument("--allow-insecure-http", action="store_true", help="allow http:// to a hub off this machine")
    init.add_argument("--tls-fingerprint", metavar="SHA256", help=TLS_FINGERPRINT_HELP)
    init.add_argument("--no-keychain", action="store_true", help=NO_KEYCHAIN_HELP)

    join = add_command(commands, "join", cmd_join, "join an existing vault with a setup code (or the hub's address)")
    join.add_argument("hub", metavar="HUB|SETUP-CODE")
    join.add_argument("--device-name", metavar="NAME")
    join.add_argument("--allow-insecure-http", action="store_true")
    join.add_argument("--tls-fingerprint", metavar="SHA256", help=TLS_FINGERPRINT_HELP)
    join.add_argument("--no-keychain", action="store_true", help=NO_KEYCHAIN_HELP)
    join.add_argument(
        "--hub-folder",
        metavar="FOLDER",
        help="where the hub folder is on this laptop, when memtray does not find it in your cloud drives",
    )
    join.add_argument(
        "--folder",
        metavar="NAME=PATH",
        action="append",
        default=[],
        help="place the vault's folder NAME at PATH on this laptop and bring its files there at once (repeatable)",
    )

    setup_code = add_command(
        commands,
        "setup-code",
        cmd_setup_code,
        "print the codes another laptop can join with: a short one for a hub folder, and the full one (last line)",
    )
    setup_code.add_argument("--qr", action="store_true", help="print the full code as a QR code too")
    trust = add_command(
        commands,
        "trust-certificate",
        cmd_trust_certificate,
        "trust the memtray hub's new certificate after it was renewed",
    )
    trust.add_argument("fingerprint", metavar="SHA256", help="the fingerprint whoever runs the hub gives you")


def _hub_secret(url: str) -> str | None:
    from memtray.hubs import hub_kind, person_gives_secret

    if not person_gives_secret(hub_kind(url)) or os.environ.get("MEMTRAY_HUB_SECRET"):
        return os.environ.get("MEMTRAY_HUB_SECRET")
    if not sys.stdin or not sys.stdin.isatty():
        raise UsageError("This hub needs a password or access key: set MEMTRAY_HUB_SECRET, or run in a terminal.")
    return getpass.getpass("Hub password (for S3: ACCESS_KEY_ID:SECRET): ")


def _open_for_setup(args: argparse.Namespace) -> Service:
    service = open_service(args)
    if args.no_keychain:
        service.use_sealed_store()
    return service


@contextmanager
def _hint_without_keychain() -> Iterator[None]:
    """A setup refused for want of a keychain also says how to go on without one."""
    try:
        yield
    except KeychainMissingError as exc:
        raise KeychainMissingError(exc.message + NO_KEYCHAIN_HINT) from None


def cmd_init(args: argparse.Namespace) -> int:
    service = _open_for_setup(args)
    passphrase = new_passphrase("MEMTRAY_PASSPHRASE")
    with _hint_without_keychain():
        result = service.init(
            args.hub,
            passphrase,
            invite=args.invite,
            device_name=args.device_name,
            hub_secret=_hub_secret(args.hub),
            allow_insecure_http=args.allow_insecure_http,
            tls_fingerprint=args.tls_fingerprint,
        )
    print(f"Created a new vault on {service.hub_info()[1]}.")
    print_recovery_key(result.recovery_key)
    return 0


def _folder_places(given: list[str]) -> list[tuple[str, str]]:
    """``--folder NAME=PATH`` options as (name, path), refused before anything is joined."""
    places = []
    for option in given:
        name, equals, path = option.partition("=")
        if not equals or not name.strip() or not path.strip():
            raise UsageError(
                f"--folder wants NAME=PATH (the folder's name in the vault, then where it goes): {option!r}"
            )
        places.append((name.strip(), path.strip()))
    return places


def cmd_join(args: argparse.Namespace) -> int:
    places = _folder_places(args.folder)
    service = _open_for_setup(args)
    passphrase = os.environ.get("MEMTRAY_PASSPHRASE") or prompt_passphrase("join")
    if not passphrase:
        raise PassphraseError("memtray needs the vault's passphrase: type it at the prompt, or set MEMTRAY_PASSPHRASE.")
    from memtray.errors import StorageNotFoundError
    from memtray.service.setupcode import SetupCode, join_target

    target = join_target(args.hub)
    try:
        with _hint_without_keychain():
            result = service.join(
                target,
                passphrase,
                device_name=args.device_name,
                hub_secret=_hub_secret(target.hub_url) if isinstance(target, SetupCode) else None,
                allow_insecure_http=args.allow_insecure_http,
                tls_fingerprint=args.tls_fingerprint,
                storage_folder=args.hub_folder,
            )
    except StorageNotFoundError as exc:
        raise StorageNotFoundError(f"{exc.message} Give it with --hub-folder FOLDER.") from None
    if places:
        return _place_and_pull(service, places, result.folders)
    print(f"Joined the vault. Its {len(result.folders)} folder(s) on this laptop (files arrive at the next sync):")
    _print_folders(result.folders)
    return 0


def _place_and_pull(service: Service, places: list[tuple[str, str]], folders: tuple[FolderInfo, ...]) -> int:
    """After a join, put each named folder where ``places`` says and sync once, in this same process."""
    from memtray.cli.sync_report import report

    names = [folder.name for folder in folders]
    unknown = [name for name, _ in places if name not in names]
    if unknown:
        raise UsageError(
            f"Joined the vault, but it has no folder called {', '.join(map(repr, unknown))} (its folders: "
            f"{', '.join(map(repr, names)) or 'none yet'}). Place them with 'memtray folder map NAME PATH'."
        )
    print("Joined the vault.")
    for name, path in places:
        try:
            placed = service.map_folder(name, path)
        except UsageError as exc:
            raise UsageError(f"Joined the vault, but '{name}' was not placed: {exc.message}") from None
        print(f"Placed '{placed.name}' at {placed.path}.")
    report(service.sync())
    _print_folders([folder for folder in service.folders() if folder.waiting])
    return 0


def _print_folders(folders: Sequence[FolderInfo]) -> None:
    for folder in folders:
        if folder.waiting:
            print(f"  {folder.name}: waiting — run 'memtray folder map \"{folder.name}\" PATH'")
        else:
            print(f"  {folder_line(folder)}")


def cmd_trust_certificate(args: argparse.Namespace) -> int:
    service = open_service(args)
    service.set_hub(service.hub_info()[1], None, tls_fingerprint=args.fingerprint)
    print("memtray reached the hub with this certificate and trusts it from now on.")
    return 0


def cmd_setup_code(args: argparse.Namespace) -> int:
    from memtray.qr import qr_text

    codes = open_service(args).setup_codes()
    if codes.short is not None:
        print("On your other laptop, choose 'Join from another laptop' and type this code, then your passphrase")
        print("(or run 'memtray join CODE' there). Your passphrase is not in it:")
        print(f"\n    {codes.short}\n")
        print("That laptop finds the hub folder in its own cloud drive. The full code works as well:")
    else:
        print("On your other laptop, choose 'Join from another laptop' and paste this code")
        print("(or run 'memtray join CODE'). A code for a memtray hub works once. Your passphrase is not in it.")
    if args.qr:
        print(qr_text(codes.full, colours=sys.stdout.isatty()))
    print(codes.full)
    return 0
