"""Scenario fixtures: every multi-laptop scenario runs against each hub kind that is available here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers import HubEndpoint, folder_endpoint
from tests.servers.kinds import HUB_KINDS
from tests.support.laptops import Laptop
from tests.support.previous_release import previous_release  # noqa: F401  (a fixture, named as a parameter)


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
