"""``memtray hub serve`` and the operator's ``memtray hub invite|devices|revoke``.

FastAPI and uvicorn are imported only inside ``serve`` so other memtray commands start fast. The
server logs to stderr only, never to the memtray.log of the laptop whose command line started it.
"""

from __future__ import annotations

import argparse
import logging
import socket
import ssl
import sys
import time
from pathlib import Path
from typing import Any

from memtray.errors import UsageError
from memtray.hubserver import admin
from memtray.hubserver.admin import mint_vault_invite
from memtray.hubserver.pg_choice import change_feed_for, default_database, open_storage
from memtray.hubserver.tls import certificate_fingerprint, self_signed

DEFAULT_PORT = 8765
DEFAULT_MAX_CONNECTIONS = 1000
KEEP_ALIVE_SECONDS = 30
GRACEFUL_SHUTDOWN_SECONDS = 3
LISTEN_BACKLOG = 2048


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    hub = subparsers.add_parser("hub", help="run a self-hosted memtray hub")
    commands = hub.add_subparsers(dest="hub_command", metavar="COMMAND", required=True)

    serve_parser = commands.add_parser("serve", help="serve the hub over HTTP(S)")
    _data_option(serve_parser)
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve_parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (0 picks a free one)")
    serve_parser.add_argument("--tls-cert", type=Path, help="PEM certificate chain for https")
    serve_parser.add_argument("--tls-key", type=Path, help="PEM private key for https")
    serve_parser.add_argument(
        "--tls-self-signed",
        action="store_true",
        help="serve https with a self-signed certificate made once and kept in --data; laptops pin its fingerprint",
    )
    serve_parser.add_argument(
        "--max-body", type=_positive, default=None, help="largest accepted object in bytes (default 32 MiB)"
    )
    serve_parser.add_argument(
        "--rate", type=_positive, default=None, help="requests a minute allowed per device (default 3000)"
    )
    serve_parser.add_argument(
        "--max-connections",
        type=_positive,
        default=DEFAULT_MAX_CONNECTIONS,
        help="most connections held open at once, half of them long-polls (default 1000, less if the "
        "open-file limit is lower)",
    )
    serve_parser.add_argument(
        "--request-timeout",
        type=_positive_seconds,
        default=None,
        help="seconds a client has to send a request's headers (TLS handshake included) or a small JSON body; "
        "an upload may pause three times as long (default 10)",
    )
    serve_parser.add_argument("--no-access-log", action="store_true", help="do not log each request")
    serve_parser.set_defaults(handler=serve)

    invite_parser = commands.add_parser("invite", help="print a one-time code that lets a laptop create a vault")
    _data_option(invite_parser)
    invite_parser.set_defaults(handler=admin.invite)

    devices_parser = commands.add_parser("devices", help="list the hub's vaults and their laptops (never tokens)")
    _data_option(devices_parser)
    devices_parser.set_defaults(handler=admin.devices)

    revoke_parser = commands.add_parser("revoke", help="revoke a laptop's access (for when its owner cannot)")
    _data_option(revoke_parser)
    revoke_parser.add_argument("device", metavar="DEVICE_ID", help="the laptop's id, as 'memtray hub devices' shows")
    revoke_parser.add_argument("--vault", help="the vault's id, when several vaults have a laptop with that id")
    revoke_parser.set_defaults(handler=admin.revoke)


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, help="folder holding the hub's SQLite database (and its certificate)")
    parser.add_argument(
        "--database",
        metavar="URL",
        default=default_database(),
        help="postgresql://user@host:port/dbname: keep the hub in PostgreSQL instead, so several 'hub serve' "
        "processes can share it; keep the password in PGPASSWORD or ~/.pgpass (default $MEMTRAY_HUB_DATABASE)",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number above zero")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds between 0 and 3600")
    return value


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from memtray.hubserver.app import DEFAULT_MAX_BODY, DEFAULT_RATE, DEFAULT_REQUEST_SECONDS, create_app
    from memtray.hubserver.connections import (
        ACCEPT_BATCH,
        ConnectionGuard,
        connection_cap,
        guarded_protocol,
        raise_open_file_limit,
    )

    _own_logging()
    tls_files = _tls_files(args)
    ssl_context = _server_context(*tls_files) if tls_files else None
    open_files = raise_open_file_limit()
    storage = open_storage(args.data, args.database, must_exist=False)
    if storage.needs_vault_invite(time.time()):
        print(f"invite: {mint_vault_invite(storage)}", flush=True)
    if tls_files:
        print(f"fingerprint: {certificate_fingerprint(tls_files[0].read_bytes())}", flush=True)
    cap = connection_cap(args.max_connections, open_files)
    request_seconds = args.request_timeout or DEFAULT_REQUEST_SECONDS
    app = create_app(
        storage,
        max_body=args.max_body or DEFAULT_MAX_BODY,
        rate_per_minute=args.rate or DEFAULT_RATE,
        max_long_polls=max(1, cap // 2),
        request_seconds=request_seconds,
        change_feed=change_feed_for(storage),
    )
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        storage.close()
        raise UsageError(f"The hub cannot listen on {args.host}:{args.port}: {exc.strerror}.") from None
    scheme = "https" if tls_files else "http"
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            # uvicorn's backlog (ACCEPT_BATCH) also sized the kernel's queue; give that its full length back.
            sock.listen(LISTEN_BACKLOG)
            if not self.should_exit:
                print(f"listening: {scheme}://{shown_host}:{port}", flush=True)

    config = uvicorn.Config(
        app,
        http=guarded_protocol(ConnectionGuard(cap, request_seconds, ssl_context)),
        backlog=ACCEPT_BATCH,
        access_log=not args.no_access_log,
        proxy_headers=False,
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    try:
        _Server(config).run(sockets=[sock])
    finally:
        storage.close()
    return 0


def _own_logging() -> None:
    """Replace whatever the memtray command line set up (a laptop's log file) by stderr."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _tls_files(args: argparse.Namespace) -> tuple[Path, Path] | None:
    if args.tls_self_signed:
        if args.tls_cert or args.tls_key:
            raise UsageError("Give either --tls-self-signed or --tls-cert and --tls-key, not both.")
        if args.data is None:
            raise UsageError("--tls-self-signed keeps its certificate in a folder: give it with --data.")
        return self_signed(args.data, args.host)
    if (args.tls_cert is None) != (args.tls_key is None):
        raise UsageError("Give both --tls-cert and --tls-key, or neither.")
    return (args.tls_cert, args.tls_key) if args.tls_cert else None


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError):
        raise UsageError(
            f"The hub cannot use the certificate {cert} with the key {key}: a file is missing, unreadable, "
            "or they do not belong together."
        ) from None
    return context


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(LISTEN_BACKLOG)
    sock.set_inheritable(True)
    return sock
