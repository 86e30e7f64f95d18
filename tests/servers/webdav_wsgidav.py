"""WsgiDAV (PyPI, on cheroot) on 127.0.0.1 serving a folder in ``workdir``, Basic auth, one user."""

from __future__ import annotations

import contextlib
import json
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.servers import FolderRawStore, HubEndpoint
from tests.servers._process import free_port, running

USER = "memtray"


@contextlib.contextmanager
def webdav_wsgidav_endpoint(workdir: Path) -> Iterator[HubEndpoint]:
    root = workdir / "wsgidav-root"
    root.mkdir(parents=True)
    port = free_port()
    password = secrets.token_urlsafe(16)
    config = workdir / "wsgidav.yaml"
    config.write_text(
        json.dumps(
            {
                "host": "127.0.0.1",
                "port": port,
                "server": "cheroot",
                "verbose": 1,
                "provider_mapping": {"/dav": str(root)},
                "http_authenticator": {"accept_basic": True, "accept_digest": False, "default_to_digest": False},
                "simple_dc": {"user_mapping": {"*": {USER: {"password": password}}}},
                "dir_browser": {"enable": False},
            }
        )
    )
    command = [sys.executable, "-m", "wsgidav.server.server_cli", "--config", str(config)]
    with running(command, port, workdir / "wsgidav.log"):
        yield HubEndpoint(
            kind="webdav",
            url=f"webdav://{USER}@127.0.0.1:{port}/dav/hub",
            secret=password,
            raw=FolderRawStore(root / "hub"),
        )
