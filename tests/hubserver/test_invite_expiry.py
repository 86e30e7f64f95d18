"""Device invites expire on the hub itself: time is moved on the hub's clock, and a stale invite is refused.

The hub is the real application served over real HTTP on 127.0.0.1 (uvicorn in a thread of this
process, so the test can move ``HubState.clock``); laptops talk to it with the real ``HttpHub``.
The expiry is the one the hub announces when it mints the invite.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import requests

from memtray.errors import HubAuthError
from memtray.hubs.http import HttpHub
from memtray.hubserver.admin import mint_vault_invite
from tests.hubserver.hub_in_process import InProcessHub, hub_in_process


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[InProcessHub]:
    with hub_in_process(tmp_path) as running:
        yield running


def mint_device_invite(hub: InProcessHub, laptop: HttpHub) -> tuple[str, float]:
    """A device invite from ``laptop``, and the expiry the hub announced with it."""
    response = requests.post(
        f"{hub.url}/v1/vaults/{laptop.vault_id}/invites",
        headers={"Authorization": f"Bearer {laptop.token}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    return str(answer["invite"]), float(answer["expires"])


def enrolled(laptop: HttpHub) -> set[str]:
    return {device.device_id for device in laptop.list_devices() if not device.revoked}


def test_a_device_invite_is_refused_once_it_has_expired(clocked: InProcessHub) -> None:
    vault_id = secrets.token_hex(16)
    with closing(HttpHub(clocked.url)) as first:
        first.create_vault(mint_vault_invite(clocked.storage), vault_id, secrets.token_hex(16), "laptop A")
        minted_at = clocked.time.now
        stale, expires = mint_device_invite(clocked, first)
        fresh, fresh_expires = mint_device_invite(clocked, first)
        assert fresh_expires == expires
        assert minted_at < expires <= minted_at + 31 * 24 * 3600, "an invite lives for days, not forever"

        clocked.time.now = expires - 1
        with closing(HttpHub(clocked.url)) as in_time:
            in_time.join_vault(fresh, vault_id, secrets.token_hex(16), "laptop B")
            assert in_time.device_id in enrolled(first)

        clocked.time.now = expires + 1
        late_id = secrets.token_hex(16)
        with closing(HttpHub(clocked.url)) as late, pytest.raises(HubAuthError) as caught:
            late.join_vault(stale, vault_id, late_id, "laptop C")
        message = caught.value.message
        assert "expired" in message and "\n" not in message and message.endswith("."), message
        assert stale not in message
        assert late_id not in enrolled(first)
