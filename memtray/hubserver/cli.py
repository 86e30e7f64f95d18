"""``memtray hub serve`` and ``memtray hub invite``.

FastAPI and uvicorn are imported only inside ``serve`` so other memtray commands start fast.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memtray.hubserver import auth
from memtray.hubserver.sqlite_store import SQLiteStorage, database_path

if TYPE_CHECKING:
    from memtray.hubserver.storage import Storage

DEFAULT_PORT = 8765
GRACEFUL_SHUTDOWN_SECONDS = 3


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    hub = subparsers.add_parser("hub", help="run a self-hosted memtray hub")
    commands = hub.add_subparsers(dest="hub_command", metavar="COMMAND", required=True)

    serve_parser = commands.add_parser("serve", help="serve the hub over HTTP(S)")
    serve_parser.add_argument("--data", type=Path, required=True, help="folder holding the hub's database")
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve_parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (0 picks a free one)")
    serve_parser.add_argument("--tls-cert", type=Path, help="PEM certificate chain for https")
    serve_parser.add_argument("--tls-key", type=Path, help="PEM private key for https")
    serve_parser.add_argument(
        "--max-body", type=_positive, default=None, help="largest accepted request body in bytes (default 32 MiB)"
    )
    serve_parser.add_argument(
        "--rate", type=_positive, default=None, help="requests a minute allowed per device (default 3000)"
    )
    serve_parser.add_argument("--no-access-log", action="store_true", help="do not log each request")
    serve_parser.set_defaults(handler=serve)

    invite_parser = commands.add_parser("invite", help="print a one-time code that lets a laptop create a vault")
    invite_parser.add_argument("--data", type=Path, required=True, help="folder holding the hub's database")
    invite_parser.set_defaults(handler=invite)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number above zero")
    return value


def mint_vault_invite(storage: Storage) -> str:
    code = auth.new_invite()
    storage.add_invite(auth.digest(code), None, None, time.time(), None)
    return code


def invite(args: argparse.Namespace) -> int:
    path = database_path(args.data)
    if not path.exists():
        print(
            f"No hub data in {args.data}; start it once with 'memtray hub serve --data {args.data}'.", file=sys.stderr
        )
        return 2
    storage = SQLiteStorage(path)
    try:
        print(f"invite: {mint_vault_invite(storage)}", flush=True)
    finally:
        storage.close()
    return 0


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from memtray.hubserver.app import DEFAULT_MAX_BODY, DEFAULT_RATE, create_app

    if (args.tls_cert is None) != (args.tls_key is None):
        print("Give both --tls-cert and --tls-key, or neither.", file=sys.stderr)
        return 2
    _log_to_stderr()
    storage = SQLiteStorage(database_path(args.data))
    if not storage.has_minted_vault_invite():
        print(f"invite: {mint_vault_invite(storage)}", flush=True)
    app = create_app(
        storage,
        max_body=args.max_body or DEFAULT_MAX_BODY,
        rate_per_minute=args.rate or DEFAULT_RATE,
    )
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(f"Cannot listen on {args.host}:{args.port}: {exc.strerror}.", file=sys.stderr)
        storage.close()
        return 1
    scheme = "https" if args.tls_cert else "http"
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if not self.should_exit:
                print(f"listening: {scheme}://{shown_host}:{port}", flush=True)

    config = uvicorn.Config(
        app,
        ssl_certfile=args.tls_cert,
        ssl_keyfile=args.tls_key,
        access_log=not args.no_access_log,
        proxy_headers=False,
        server_header=False,
        timeout_keep_alive=75,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    try:
        _Server(config).run(sockets=[sock])
    finally:
        storage.close()
    return 0


def _log_to_stderr() -> None:
    """Server warnings go next to uvicorn's lines, not into a laptop's memtray.log."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
    server_log = logging.getLogger("memtray.hubserver")
    server_log.addHandler(handler)
    server_log.setLevel(logging.INFO)
    server_log.propagate = False


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock
