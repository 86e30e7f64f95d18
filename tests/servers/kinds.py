"""Every hub kind the tests can run here, each started on demand (a server's module is imported only when its kind
runs: the Apache fixture, for one, needs a POSIX system)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from tests.servers import HubEndpoint, folder_endpoint

StartHub = Callable[[Path], AbstractContextManager[HubEndpoint]]


@contextmanager
def _folder(workdir: Path) -> Iterator[HubEndpoint]:
    yield folder_endpoint(workdir / "hub")


def _server(module: str, factory: str) -> StartHub:
    def start(workdir: Path) -> AbstractContextManager[HubEndpoint]:
        return getattr(importlib.import_module(f"tests.servers.{module}"), factory)(workdir)

    return start


HUB_KINDS: dict[str, StartHub] = {
    "folder": _folder,
    "memtray-hub": _server("http_hub", "http_hub_endpoint"),
    "webdav-apache": _server("webdav_apache", "webdav_apache_endpoint"),
    "webdav-wsgidav": _server("webdav_wsgidav", "webdav_wsgidav_endpoint"),
    "webdav-rclone": _server("webdav_rclone", "webdav_rclone_endpoint"),
    "s3-moto": _server("s3_moto", "s3_moto_endpoint"),
    "git-http": _server("git_http", "git_http_endpoint"),
}
