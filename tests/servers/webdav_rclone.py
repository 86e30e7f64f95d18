"""``rclone serve webdav`` (Debian rclone) on 127.0.0.1 over a folder in ``workdir``, one user.

rclone ignores ``If-None-Match`` on PUT, so this server exercises the adapter's other create-only
path: write under a hidden temporary name, then ``MOVE`` with ``Overwrite: F``. Its directory cache
is cut to 100 ms so objects written behind its back show up at once (with no cache at all, rclone
1.60 re-reads a folder per entry and a 300-entry listing takes seconds).
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from tests.servers import FolderRawStore, HubEndpoint
from tests.servers._process import free_port, running

RCLONE = shutil.which("rclone") or "/usr/bin/rclone"
USER = "memtray"


@contextlib.contextmanager
def webdav_rclone_endpoint(workdir: Path) -> Iterator[HubEndpoint]:
    root = workdir / "rclone-root"
    root.mkdir(parents=True)
    port = free_port()
    password = secrets.token_urlsafe(16)
    command = [
        RCLONE,
        "serve",
        "webdav",
        str(root),
        "--addr",
        f"127.0.0.1:{port}",
        "--baseurl",
        "/dav",
        "--user",
        USER,
        "--pass",
        password,
        "--dir-cache-time",
        "100ms",
        "--config",
        str(workdir / "rclone.conf"),
    ]
    with running(command, port, workdir / "rclone.log"):
        yield HubEndpoint(
            kind="webdav",
            url=f"webdav://{USER}@127.0.0.1:{port}/dav/hub",
            secret=password,
            raw=FolderRawStore(root / "hub"),
        )
