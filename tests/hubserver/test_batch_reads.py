"""The memtray hub's batch read (POST …/objects/batch): many objects in one request, in order, within the
answer budget, under the same auth as a GET, and counted once against the rate limit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from memtray.errors import HubError, HubRateLimitedError, ObjectMissingError, ObjectTooLargeError
from memtray.hubs import batch_frames
from memtray.hubs.base import OBJECT_CAPS
from memtray.hubs.batch import fetch_all, fetch_many
from memtray.hubs.http import HttpHub
from tests.hubserver.conftest import Vault, make_vault, new_id, seq_key
from tests.servers._process import stop
from tests.servers.http_hub import RunningHub, SQLiteRawStore, _wait_for_listening, run_hub_server
from tests.support.previous_release import previous_release  # noqa: F401 (a fixture)

RATE = 30  # a burst of 5 requests, then one every 2 s
BURST = 5


@pytest.fixture(scope="module")
def slow_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    folder: Path = tmp_path_factory.mktemp("rate-hub")
    with run_hub_server(folder, "--rate", str(RATE)) as running:
        yield running


def batch_url(vault: Vault) -> str:
    return f"{vault.a.url}/v1/vaults/{vault.vault_id}/objects/batch"


def raw(hub: RunningHub, vault: Vault) -> SQLiteRawStore:
    return SQLiteRawStore(hub.db_path, vault.vault_id)


def test_objects_come_back_in_order_across_many_batches(hub: RunningHub, vault: Vault) -> None:
    device = vault.a.device_id or ""
    keys = [seq_key(device, seq) for seq in range(1, 3 * batch_frames.MAX_KEYS + 2)]
    store = raw(hub, vault)
    for number, key in enumerate(keys):
        store.write(key, f"entry {number}".encode() * (number + 1))
    fetched = list(fetch_many(vault.b, keys))
    assert [key for key, _ in fetched] == keys
    assert all(data == vault.b.get(key) for key, data in fetched[::17])
    assert dict(fetched) == {key: store.read(key) for key in keys}


def test_a_missing_object_is_named_when_its_turn_comes(hub: RunningHub, vault: Vault) -> None:
    store = raw(hub, vault)
    store.write("blob/first", b"1")
    store.write("blob/third", b"3")
    stream = fetch_many(vault.a, ["blob/first", "blob/second", "blob/third"])
    assert next(stream) == ("blob/first", b"1")
    with pytest.raises(ObjectMissingError, match="blob/second"):
        next(stream)


def test_an_answer_stays_within_its_budget_and_the_rest_is_asked_again(hub: RunningHub, vault: Vault) -> None:
    store = raw(hub, vault)
    keys = [f"blob/big{number}" for number in range(9)]
    for number, key in enumerate(keys):
        store.write(key, bytes([number]) * (1024 * 1024))
    headers = {"Authorization": f"Bearer {vault.a.token}"}
    answer = requests.post(batch_url(vault), json={"keys": keys}, headers=headers, timeout=30)
    assert answer.status_code == 200
    assert len(answer.content) <= batch_frames.MAX_ANSWER
    first = list(batch_frames.read_frames(answer.content, keys))
    assert 1 <= len(first) < len(keys)
    assert fetch_all(vault.a, keys) == {key: store.read(key) for key in keys}


def test_an_object_too_big_for_a_batch_is_read_on_its_own(hub: RunningHub, vault: Vault) -> None:
    store = raw(hub, vault)
    huge = b"h" * (batch_frames.MAX_ANSWER + 1)
    store.write("blob/small", b"s")
    store.write("blob/huge", huge)
    headers = {"Authorization": f"Bearer {vault.a.token}"}
    keys = ["blob/huge", "blob/small"]
    answer = requests.post(batch_url(vault), json={"keys": keys}, headers=headers, timeout=30)
    statuses = [status for _, _, status in batch_frames.read_frames(answer.content, keys)]
    assert statuses == [batch_frames.ALONE, batch_frames.FOUND]
    assert fetch_all(vault.a, keys) == {"blob/huge": huge, "blob/small": b"s"}


def test_the_batch_read_needs_a_token_of_this_vault(hub: RunningHub, vault: Vault) -> None:
    raw(hub, vault).write("blob/secret", b"ciphertext")
    body = {"keys": ["blob/secret"]}
    assert requests.post(batch_url(vault), json=body, timeout=10).status_code == 401
    bad = {"Authorization": "Bearer mt_" + "x" * 40}
    assert requests.post(batch_url(vault), json=body, headers=bad, timeout=10).status_code == 401
    other = make_vault(hub)
    try:
        theirs = {"Authorization": f"Bearer {other.a.token}"}
        answer = requests.post(batch_url(vault), json=body, headers=theirs, timeout=10)
        assert answer.status_code == 404
        assert b"ciphertext" not in answer.content
    finally:
        other.a.close()
        other.b.close()


def test_the_batch_read_refuses_bad_keys_and_too_many(vault: Vault) -> None:
    headers = {"Authorization": f"Bearer {vault.a.token}"}
    bad = requests.post(batch_url(vault), json={"keys": ["../hub.sqlite3"]}, headers=headers, timeout=10)
    assert bad.status_code == 400
    many = [f"blob/{number}" for number in range(batch_frames.MAX_KEYS + 1)]
    assert requests.post(batch_url(vault), json={"keys": many}, headers=headers, timeout=10).status_code == 422
    empty = requests.post(batch_url(vault), json={"keys": []}, headers=headers, timeout=10)
    assert empty.status_code == 422


def test_a_full_batch_of_log_keys_fits_in_one_request(hub: RunningHub, vault: Vault) -> None:
    device = vault.a.device_id or ""
    keys = [seq_key(device, 10**6 + seq) for seq in range(batch_frames.MAX_KEYS)]
    store = raw(hub, vault)
    for key in keys:
        store.write(key, key.encode())
    replies = list(vault.b.get_many(keys))
    assert [(key, data) for key, data in replies] == [(key, key.encode()) for key in keys]


def test_a_batch_counts_once_against_the_rate_limit(slow_hub: RunningHub) -> None:
    vault = make_vault(slow_hub)  # spends A's and B's first requests: enrolling, one invite
    store = raw(slow_hub, vault)
    keys = [f"blob/{number:04d}" for number in range((BURST - 2) * batch_frames.MAX_KEYS)]
    for key in keys:
        store.write(key, key.encode())
    patient_a = HttpHub(vault.a.url, vault_id=vault.vault_id, device_id=vault.a.device_id, token=vault.a.token)
    patient_a.max_tries = 1  # a 429 is raised at once, never waited out
    patient_b = HttpHub(vault.b.url, vault_id=vault.vault_id, device_id=vault.b.device_id, token=vault.b.token)
    patient_b.max_tries = 1
    try:
        assert fetch_all(patient_a, keys) == {key: key.encode() for key in keys}
        with pytest.raises(HubRateLimitedError):
            for key in keys[: BURST + 1]:
                patient_b.get(key)
    finally:
        patient_a.close()
        patient_b.close()
        vault.a.close()
        vault.b.close()


def test_a_hostile_answer_is_refused() -> None:
    key = "log/" + "a" * 32 + "/" + "0" * 16
    over = batch_frames.MAGIC + batch_frames.HEADER.pack(batch_frames.FOUND, OBJECT_CAPS["log"] + 1)
    with pytest.raises(ObjectTooLargeError, match=key):
        list(batch_frames.read_frames(over, [key]))
    short = batch_frames.MAGIC + batch_frames.frame(batch_frames.FOUND, b"abc")[:-1]
    with pytest.raises(HubError, match="could not read"):
        list(batch_frames.read_frames(short, [key]))
    extra = batch_frames.MAGIC + batch_frames.frame(batch_frames.MISSING) * 2
    with pytest.raises(HubError, match="could not read"):
        list(batch_frames.read_frames(extra, [key]))
    with pytest.raises(HubError, match="could not read"):
        list(batch_frames.read_frames(b"<html>", [key]))


def test_a_server_from_before_batch_reads_is_read_one_object_at_a_time(
    tmp_path: Path,
    previous_release: Path,  # noqa: F811
) -> None:
    log_path = tmp_path / "server.log"
    env = {**os.environ, "PYTHONPATH": str(previous_release), "PYTHONSAFEPATH": "1"}
    command = [sys.executable, "-m", "memtray", "hub", "serve", "--data", str(tmp_path), "--host", "127.0.0.1"]
    with log_path.open("ab") as log:
        process = subprocess.Popen([*command, "--port", "0"], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        url = _wait_for_listening(process, log_path)
        (invite,) = re.findall(r"^invite: (\S+)$", log_path.read_text(), re.MULTILINE)
        with HttpHub(url) as hub:
            hub.create_vault(invite, new_id(), new_id(), "laptop A")
            keys = [f"blob/{number:03d}" for number in range(batch_frames.MAX_KEYS + 5)]
            for key in keys:
                hub.put_new(key, key.encode())
            assert hub.batch_size() == batch_frames.MAX_KEYS
            assert fetch_all(hub, keys) == {key: key.encode() for key in keys}
            assert hub.batch_size() == 0, "the server answered 405, so later fetches are plain reads"
            assert fetch_all(hub, keys[:3]) == {key: key.encode() for key in keys[:3]}
    finally:
        stop(process, 10)
