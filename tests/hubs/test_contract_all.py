"""The shared Hub contract (tests/hubs/contract.py) against every hub kind, each a real server or folder here.

Each kind's server starts once per module; every test gets the hub empty. Adapters come from
``memtray.hubs.open_hub`` with the credential the app keeps in the keychain; on the memtray hub the
two laptops enroll first (laptop A creates the vault with a hub invite, laptop B joins with A's invite).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest

from memtray.hubs import open_hub
from memtray.hubs.base import Enrollment, Hub
from tests.hubs.contract import DEVICE_A, DEVICE_B, EACH_CHECK, TwoLaptops, laptops_until_done
from tests.servers import HubEndpoint
from tests.servers.kinds import HUB_KINDS


@pytest.fixture(scope="module", params=list(HUB_KINDS))
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubEndpoint]:
    with HUB_KINDS[request.param](tmp_path_factory.mktemp(request.param)) as running:
        yield running


@pytest.fixture(scope="module")
def laptops(endpoint: HubEndpoint) -> Iterator[TwoLaptops]:
    if endpoint.kind == "memtray":
        a, b = _enrolled_laptops(endpoint)
    else:
        a, b = (open_hub(endpoint.url, secret=endpoint.secret) for _ in range(2))
    yield from laptops_until_done(a, b, endpoint.raw)


def _enrolled_laptops(endpoint: HubEndpoint) -> tuple[Hub, Hub]:
    """Laptop A creates a vault with a hub invite, B joins with A's invite; both reopen with their tokens."""
    vault_id = secrets.token_hex(16)
    creator = open_hub(endpoint.url)
    joiner = open_hub(endpoint.url)
    assert isinstance(creator, Enrollment) and isinstance(joiner, Enrollment)
    a_token = creator.create_vault(endpoint.new_invite() or "", vault_id, DEVICE_A, "laptop A")
    b_token = joiner.join_vault(creator.create_invite(), vault_id, DEVICE_B, "laptop B")
    creator.close()
    joiner.close()
    a = open_hub(endpoint.url, vault_id=vault_id, device_id=DEVICE_A, secret=a_token)
    b = open_hub(endpoint.url, vault_id=vault_id, device_id=DEVICE_B, secret=b_token)
    return a, b


@EACH_CHECK
def test_hub_contract(hubs: TwoLaptops, check: Callable[[TwoLaptops], None]) -> None:
    check(hubs)
