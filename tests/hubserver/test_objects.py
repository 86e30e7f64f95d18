"""Create-only objects, listing with paging, deletes."""

from __future__ import annotations

import pytest
import requests

from memtray.errors import ObjectExistsError, ObjectMissingError
from memtray.hubs.http import PAGE_LIMIT
from tests.hubserver.conftest import Vault, seq_key
from tests.servers.http_hub import RunningHub, SQLiteRawStore


def test_put_is_create_only(vault: Vault) -> None:
    key = seq_key(vault.a.device_id or "", 1)
    vault.a.put_new(key, b"first")
    with pytest.raises(ObjectExistsError):
        vault.a.put_new(key, b"second")
    with pytest.raises(ObjectExistsError):
        vault.a.put_new(key, b"first")
    assert vault.b.get(key) == b"first"


def test_binary_round_trip_and_empty_object(vault: Vault) -> None:
    payload = bytes(range(256)) * 64
    vault.a.put_new("blob/binary", payload)
    vault.a.put_new("blob/empty", b"")
    assert vault.b.get("blob/binary") == payload
    assert vault.b.get("blob/empty") == b""


def test_missing_object_raises_object_missing(vault: Vault) -> None:
    with pytest.raises(ObjectMissingError) as caught:
        vault.a.get(seq_key(vault.b.device_id or "", 7))
    assert "missing" in caught.value.message


def test_list_prefix_and_after(vault: Vault) -> None:
    a_id, b_id = vault.a.device_id or "", vault.b.device_id or ""
    for seq in (1, 2, 3):
        vault.a.put_new(seq_key(a_id, seq), b"a")
    vault.b.put_new(seq_key(b_id, 1), b"b")
    vault.b.put_new("blob/x", b"b")
    assert vault.b.list(f"log/{a_id}/") == [seq_key(a_id, s) for s in (1, 2, 3)]
    assert vault.b.list(f"log/{a_id}/", after=seq_key(a_id, 1)) == [seq_key(a_id, s) for s in (2, 3)]
    assert vault.b.list(f"log/{a_id}/", after=seq_key(a_id, 3)) == []
    assert vault.b.list("log/") == sorted([*(seq_key(a_id, s) for s in (1, 2, 3)), seq_key(b_id, 1)])
    assert vault.b.list("ckpt/") == []
    assert vault.b.list("") == sorted(["blob/x", seq_key(b_id, 1), *(seq_key(a_id, s) for s in (1, 2, 3))])


def test_list_follows_server_paging(hub: RunningHub, vault: Vault) -> None:
    a_id = vault.a.device_id or ""
    count = PAGE_LIMIT + 17
    raw = SQLiteRawStore(hub.db_path, vault.vault_id)
    for seq in range(count):
        raw.write(seq_key(a_id, seq), b"x")
    listed = vault.b.list(f"log/{a_id}/")
    assert listed == [seq_key(a_id, seq) for seq in range(count)]
    assert vault.b.list(f"log/{a_id}/", after=seq_key(a_id, count - 3)) == [
        seq_key(a_id, count - 2),
        seq_key(a_id, count - 1),
    ]


def test_server_pages_carry_next_after(hub: RunningHub, vault: Vault) -> None:
    a_id = vault.a.device_id or ""
    for seq in range(5):
        vault.a.put_new(seq_key(a_id, seq), b"x")
    url = f"{hub.url}/v1/vaults/{vault.vault_id}/objects"
    headers = {"Authorization": f"Bearer {vault.b.token}"}
    first = requests.get(url, params={"prefix": "log/", "limit": "2"}, headers=headers, timeout=10).json()
    assert first == {"keys": [seq_key(a_id, 0), seq_key(a_id, 1)], "next_after": seq_key(a_id, 1)}
    params: dict[str, str | int] = {"prefix": "log/", "limit": 3, "after": first["next_after"]}
    last = requests.get(url, params=params, headers=headers, timeout=10).json()
    assert last == {"keys": [seq_key(a_id, s) for s in (2, 3, 4)], "next_after": None}


def test_delete_is_idempotent_for_the_owner(vault: Vault) -> None:
    key = seq_key(vault.a.device_id or "", 1)
    vault.a.put_new(key, b"x")
    vault.a.delete(key)
    vault.a.delete(key)
    assert vault.b.list("log/") == []
    vault.a.put_new(key, b"again")
    assert vault.b.get(key) == b"again"


def test_invalid_keys_are_refused(vault: Vault) -> None:
    headers = {"Authorization": f"Bearer {vault.a.token}"}
    base = f"{vault.a.url}/v1/vaults/{vault.vault_id}/objects/"
    for key in ("other/x", "log", "blob/a%20b", "blob/..", f"log/{vault.a.device_id}/" + "a" * 200):
        response = requests.put(base + key, data=b"x", headers=headers, timeout=10)
        assert 400 <= response.status_code < 500, key
        assert response.json()["error"]["code"] in ("invalid_key", "not_found", "forbidden"), key
    assert vault.a.list("") == []
