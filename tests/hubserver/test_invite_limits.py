"""Invites on a hub whose time the test moves: expiry, the cap per laptop, and throttled guessing.

Guesses come from many 127.0.0.0/8 addresses, as in the attack that ran at 867 guesses a second.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from memtray.errors import HubAuthError
from memtray.hubs.http import HttpHub
from memtray.hubserver import auth
from memtray.hubserver.admin import VAULT_INVITE_SECONDS, mint_vault_invite
from memtray.hubserver.ratelimit import REDEEMS_PER_INVITE_PREFIX_PER_MINUTE
from memtray.hubserver.routes_enroll import DEVICE_INVITE_SECONDS, MAX_OPEN_INVITES_PER_DEVICE
from tests.hubserver.hub_in_process import InProcessHub, hub_in_process, post_from

GUESS_BOUND = 200
DAY = 24 * 3600


def new_id() -> str:
    return secrets.token_hex(16)


def guess() -> str:
    return auth.new_invite()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[InProcessHub]:
    with hub_in_process(tmp_path) as running:
        yield running


@pytest.fixture
def first(hub: InProcessHub) -> Iterator[HttpHub]:
    with closing(HttpHub(hub.url)) as laptop:
        laptop.create_vault(mint_vault_invite(hub.storage, hub.time.now), new_id(), new_id(), "first laptop")
        yield laptop


def join_body(code: str) -> dict[str, str]:
    return {"invite": code, "device_id": new_id(), "device_name": "joiner"}


def test_vault_creation_invite_expires_after_a_week_and_a_new_one_works(hub: InProcessHub) -> None:
    in_time = mint_vault_invite(hub.storage, hub.time.now)
    stale = mint_vault_invite(hub.storage, hub.time.now)
    assert not hub.storage.needs_vault_invite(hub.time.now)
    hub.time.advance(VAULT_INVITE_SECONDS - DAY)
    with closing(HttpHub(hub.url)) as laptop:
        laptop.create_vault(in_time, new_id(), new_id(), "in time")
    hub.time.advance(DAY + 1)
    with closing(HttpHub(hub.url)) as late, pytest.raises(HubAuthError) as caught:
        late.create_vault(stale, new_id(), new_id(), "too late")
    assert "expired" in caught.value.message
    with closing(HttpHub(hub.url)) as laptop:
        laptop.create_vault(mint_vault_invite(hub.storage, hub.time.now), new_id(), new_id(), "re-minted")


def test_a_vault_creation_invite_stored_without_an_expiry_is_refused(tmp_path: Path) -> None:
    """Hubs before expiry stored vault-creation invites that never expired; the hub now mints a fresh one."""
    legacy = guess()
    with hub_in_process(tmp_path) as hub:
        now = hub.time.now
    with closing(sqlite3.connect(tmp_path / "hub.sqlite3")) as db, db:
        db.execute(
            "INSERT INTO invites (hash, vault_id, created_by, created, expires) VALUES (?, NULL, NULL, ?, NULL)",
            (auth.digest(legacy), now),
        )
    with hub_in_process(tmp_path) as hub, closing(HttpHub(hub.url)) as laptop:
        assert hub.storage.needs_vault_invite(hub.time.now)
        with pytest.raises(HubAuthError):
            laptop.create_vault(legacy, new_id(), new_id(), "legacy")


def test_open_invites_per_laptop_are_capped_until_used_or_expired(hub: InProcessHub, first: HttpHub) -> None:
    codes = [first.create_invite() for _ in range(MAX_OPEN_INVITES_PER_DEVICE)]
    path = f"/v1/vaults/{first.vault_id}/invites"
    status, answer = post_from("127.0.0.1", hub.port, path, {}, first.token)
    assert (status, answer["error"]["code"]) == (403, "invite_limit")
    assert "unused invites" in answer["error"]["message"]

    with closing(HttpHub(hub.url)) as joiner:
        joiner.join_vault(codes[0], first.vault_id or "", new_id(), "joiner")
    first.create_invite()
    assert post_from("127.0.0.1", hub.port, path, {}, first.token)[0] == 403

    hub.time.advance(DEVICE_INVITE_SECONDS + 1)
    for _ in range(MAX_OPEN_INVITES_PER_DEVICE):
        first.create_invite()


def test_guessing_one_invite_from_many_addresses_is_throttled_by_its_prefix(hub: InProcessHub, first: HttpHub) -> None:
    code = first.create_invite()
    path = f"/v1/vaults/{first.vault_id}/devices"
    statuses = []
    for attempt in range(GUESS_BOUND):
        status, answer = post_from(f"127.0.0.{2 + attempt}", hub.port, path, join_body(code[:12] + guess()[12:]))
        statuses.append(status)
        if status == 429:
            assert answer["error"]["code"] == "rate_limited"
            break
    assert statuses[-1] == 429 and statuses.count(403) <= 5, statuses
    assert post_from("127.0.1.1", hub.port, path, join_body(code))[0] == 429
    assert post_from("127.0.1.2", hub.port, path, join_body(guess()))[0] == 403, "other invites are not held up"

    hub.time.advance(60 / REDEEMS_PER_INVITE_PREFIX_PER_MINUTE + 0.5)
    assert post_from("127.0.1.3", hub.port, path, join_body(code))[0] == 201


def test_wrong_invites_from_many_addresses_pause_redemption_for_a_minute(
    hub: InProcessHub, first: HttpHub, caplog: pytest.LogCaptureFixture
) -> None:
    code = first.create_invite()
    path = f"/v1/vaults/{first.vault_id}/devices"
    statuses = []
    for attempt in range(GUESS_BOUND):
        status, _ = post_from(f"127.0.0.{2 + attempt % 20}", hub.port, path, join_body(guess()))
        statuses.append(status)
        if status == 429:
            break
    assert statuses[-1] == 429, f"no 429 within {GUESS_BOUND} wrong invites from 20 addresses"
    assert statuses.count(403) <= 11, statuses
    assert "redemptions are paused" in caplog.text

    assert post_from("127.0.0.99", hub.port, path, join_body(code))[0] == 429
    hub.time.advance(60)
    assert post_from("127.0.0.99", hub.port, path, join_body(code))[0] == 201


def test_one_address_is_throttled_before_its_body_is_read_even_when_malformed(hub: InProcessHub) -> None:
    statuses = []
    for _ in range(GUESS_BOUND):
        status, _ = post_from("127.0.0.7", hub.port, "/v1/vaults", {"invite": 5})
        statuses.append(status)
        if status != 422:
            break
    assert statuses[-1] == 429, statuses
    assert len(statuses) <= 25, "the burst per address is twenty redemptions"
    assert post_from("127.0.0.8", hub.port, "/v1/vaults", {"invite": 5})[0] == 422, "other addresses go on"
