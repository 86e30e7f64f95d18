"""Scenario fixtures: every multi-laptop scenario runs against each hub kind that is available here."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from tests.servers import HubEndpoint, folder_endpoint
from tests.support.laptops import Laptop


@contextmanager
def _folder(workdir: Path) -> Iterator[HubEndpoint]:
    yield folder_endpoint(workdir / "hub")


def _server(module: str, factory: str) -> Callable[[Path], AbstractContextManager[HubEndpoint]]:
    def start(workdir: Path) -> AbstractContextManager[HubEndpoint]:
        return getattr(importlib.import_module(f"tests.servers.{module}"), factory)(workdir)

    return start


HUB_KINDS: dict[str, Callable[[Path], AbstractContextManager[HubEndpoint]]] = {
    "folder": _folder,
    "memtray-hub": _server("http_hub", "http_hub_endpoint"),
    "webdav-apache": _server("webdav_apache", "webdav_apache_endpoint"),
    "webdav-wsgidav": _server("webdav_wsgidav", "webdav_wsgidav_endpoint"),
    "webdav-rclone": _server("webdav_rclone", "webdav_rclone_endpoint"),
    "s3-moto": _server("s3_moto", "s3_moto_endpoint"),
}


@pytest.fixture(params=list(HUB_KINDS))
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubEndpoint]:
    with HUB_KINDS[request.param](tmp_path / "server") as endpoint:
        yield endpoint


@pytest.fixture
def folder_hub(tmp_path: Path) -> HubEndpoint:
    return folder_endpoint(tmp_path / "hub")


@pytest.fixture
def make_laptop(tmp_path: Path) -> Callable[[str, HubEndpoint], Laptop]:
    def make(name: str, endpoint: HubEndpoint) -> Laptop:
        root = tmp_path / name
        root.mkdir()
        return Laptop(name, root, endpoint)

    return make
