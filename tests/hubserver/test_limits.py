"""Payload cap (413) and per-token rate limit (429 + Retry-After), on a hub started with small limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from memtray.errors import HubPayloadTooLargeError, HubRateLimitedError
from memtray.hubs.http import HttpHub
from tests.hubserver.conftest import Vault, make_vault, seq_key
from tests.servers.http_hub import RunningHub, run_hub_server

MAX_BODY = 4096
RATE = 30  # a burst of 5 requests, then one every 2 s
BURST = 5
BOUND = 50


@pytest.fixture(scope="module")
def small_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    folder: Path = tmp_path_factory.mktemp("small-hub")
    with run_hub_server(folder, "--max-body", str(MAX_BODY), "--rate", str(RATE)) as running:
        yield running


@pytest.fixture(scope="module")
def small_vault(small_hub: RunningHub) -> Vault:
    return make_vault(small_hub)


def put_url(vault: Vault, key: str) -> str:
    return f"{vault.a.url}/v1/vaults/{vault.vault_id}/objects/{key}"


def test_oversized_body_is_413_json(small_vault: Vault) -> None:
    headers = {"Authorization": f"Bearer {small_vault.a.token}"}
    response = requests.put(put_url(small_vault, "blob/big"), data=b"x" * (MAX_BODY + 1), headers=headers, timeout=10)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_streamed_oversized_body_is_413(small_vault: Vault) -> None:
    headers = {"Authorization": f"Bearer {small_vault.b.token}"}
    chunks = (b"y" * 1024 for _ in range(8))
    response = requests.put(put_url(small_vault, "blob/streamed"), data=chunks, headers=headers, timeout=10)
    assert response.status_code == 413
    assert small_vault.a.list("blob/") == []


def test_client_maps_413_and_accepts_the_limit(small_hub: RunningHub) -> None:
    vault = make_vault(small_hub)
    with pytest.raises(HubPayloadTooLargeError) as caught:
        vault.a.put_new("blob/too-big", b"z" * (MAX_BODY * 2))
    assert "larger than this memtray server accepts" in caught.value.message
    vault.a.put_new("blob/just-fits", b"z" * MAX_BODY)
    assert vault.a.info()["max_body"] == MAX_BODY


def test_rate_limit_answers_429_with_retry_after_per_token(small_hub: RunningHub) -> None:
    vault = make_vault(small_hub)
    url = f"{small_hub.url}/v1/vaults/{vault.vault_id}/objects"
    headers = {"Authorization": f"Bearer {vault.a.token}"}
    statuses = []
    limited = None
    for _ in range(BOUND):
        response = requests.get(url, headers=headers, timeout=10)
        statuses.append(response.status_code)
        if response.status_code == 429:
            limited = response
            break
    assert limited is not None, f"no 429 within {BOUND} requests: {statuses}"
    assert statuses.count(200) <= BURST
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60 / RATE + 1
    assert vault.b.list("") == []

    impatient = HttpHub(
        small_hub.url, vault_id=vault.vault_id, device_id=vault.a.device_id, token=vault.a.token, retry_budget=0.5
    )
    with pytest.raises(HubRateLimitedError) as caught:
        impatient.list("")
    assert caught.value.retry_after is not None and caught.value.retry_after >= 1


def test_client_waits_out_retry_after(small_hub: RunningHub) -> None:
    vault = make_vault(small_hub)
    key = seq_key(vault.b.device_id or "", 1)
    vault.b.put_new(key, b"x")
    for _ in range(BURST):
        assert vault.b.get(key) == b"x"
    assert '" 429' in small_hub.log_text()
