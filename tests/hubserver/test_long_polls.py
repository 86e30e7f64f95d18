"""Long-polls cannot take the hub: capped per laptop and in total, and a revoked laptop's end at once.

The hub here runs with ``--max-connections 40``, so at most 20 long-polls wait at a time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

import pytest
import requests

from memtray.errors import HubRevokedError
from memtray.hubs.http import HttpHub
from memtray.hubserver.changes import MAX_WAITS_PER_DEVICE
from tests.hubserver.conftest import make_vault, new_id, seq_key
from tests.servers.http_hub import RunningHub, run_hub_server

MAX_CONNECTIONS = 40
MAX_LONG_POLLS = MAX_CONNECTIONS // 2
LONG_WAIT = 45.0
PROMPT = 10.0


@pytest.fixture(scope="module")
def small_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    folder: Path = tmp_path_factory.mktemp("long-poll-hub")
    with run_hub_server(folder, "--max-connections", str(MAX_CONNECTIONS)) as running:
        yield running


def changes(hub: RunningHub, laptop: HttpHub, cursor: str, timeout: float) -> requests.Response:
    return requests.get(
        f"{hub.url}/v1/vaults/{laptop.vault_id}/changes",
        params={"cursor": cursor, "timeout": str(timeout)},
        headers={"Authorization": f"Bearer {laptop.token}"},
        timeout=timeout + 30,
    )


def wait_until_refused(hub: RunningHub, laptop: HttpHub, cursor: str) -> requests.Response:
    """Probe (timeout 0) until the hub refuses this laptop another long-poll: then all its earlier ones wait.

    A long-poll that arrives while a probe holds its slot is refused; the real client retries it.
    """
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        probe = changes(hub, laptop, cursor, 0)
        if probe.status_code == 429:
            return probe
        time.sleep(0.05)
    raise AssertionError("the hub never refused a long-poll past its cap")


def test_a_revoked_laptops_long_polls_end_at_once(small_hub: RunningHub) -> None:
    vault = make_vault(small_hub)
    cursor = vault.b.wait_for_change(None, 0) or "0"
    with ThreadPoolExecutor(MAX_WAITS_PER_DEVICE) as pool:
        waits = [pool.submit(vault.b.wait_for_change, cursor, LONG_WAIT) for _ in range(MAX_WAITS_PER_DEVICE)]
        refused = wait_until_refused(small_hub, vault.b, cursor)
        assert refused.json()["error"]["code"] == "too_many_waits"
        assert int(refused.headers["Retry-After"]) >= 1
        revoked_at = time.monotonic()
        vault.a.revoke_device(vault.b.device_id or "")
        done, _ = wait(waits, timeout=PROMPT)
        assert len(done) == MAX_WAITS_PER_DEVICE, "a revoked laptop's long-poll kept waiting"
        assert time.monotonic() - revoked_at < PROMPT
        for future in waits:
            assert isinstance(future.exception(), HubRevokedError)


def test_long_polls_are_capped_in_total_and_other_requests_still_answer(small_hub: RunningHub) -> None:
    vault = make_vault(small_hub)
    laptops = [HttpHub(small_hub.url) for _ in range(MAX_LONG_POLLS // MAX_WAITS_PER_DEVICE)]
    for laptop in laptops:
        laptop.join_vault(vault.a.create_invite(), vault.vault_id, new_id(), "another laptop")
    cursor = vault.a.wait_for_change(None, 0) or "0"
    futures: list[Future[str | None]] = []
    with ThreadPoolExecutor(MAX_LONG_POLLS) as pool:
        for laptop in laptops:
            futures += [pool.submit(laptop.wait_for_change, cursor, LONG_WAIT) for _ in range(MAX_WAITS_PER_DEVICE)]
            wait_until_refused(small_hub, laptop, cursor)
        started = time.monotonic()
        assert vault.a.list("") == []
        over_cap = changes(small_hub, vault.a, cursor, LONG_WAIT)
        assert over_cap.status_code == 429 and over_cap.json()["error"]["code"] == "too_many_waits"
        assert time.monotonic() - started < PROMPT

        vault.a.put_new(seq_key(vault.a.device_id or "", 1), b"wake everyone")
        done, _ = wait(futures, timeout=LONG_WAIT / 2)
    assert len(done) == len(futures) == MAX_LONG_POLLS
    assert all(future.result() != cursor for future in done)
    for laptop in laptops:
        laptop.close()
