"""The shared Hub contract (tests/hubs/contract.py) through a laptop's adapter, on a memtray hub kept in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hubs.conftest import hubs  # noqa: F401
from tests.hubs.test_contract_all import laptops, test_hub_contract  # noqa: F401
from tests.servers import HubEndpoint
from tests.servers.postgres import postgres_hub_endpoint


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubEndpoint]:
    with postgres_hub_endpoint(tmp_path_factory.mktemp("postgres-hub")) as running:
        yield running
