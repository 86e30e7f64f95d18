"""Who may do what: tokens, revocation, vault scope, per-device write scope, invites."""

from __future__ import annotations

import pytest
import requests

from memtray.errors import HubAuthError, HubError, HubRevokedError, ObjectExistsError, ObjectMissingError
from memtray.hubs.http import HttpHub
from memtray.hubs.keys import EPOCH_PREFIX, ROSTER_PREFIX, epoch_key, roster_key
from tests.hubserver.conftest import Vault, make_vault, new_id, seq_key, vault_invite
from tests.servers.http_hub import RunningHub


def objects_url(hub: RunningHub, vault_id: str) -> str:
    return f"{hub.url}/v1/vaults/{vault_id}/objects"


def test_no_token_is_401_json(hub: RunningHub, vault: Vault) -> None:
    response = requests.get(objects_url(hub, vault.vault_id), timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "no_token"


def test_wrong_token_is_refused(hub: RunningHub, vault: Vault) -> None:
    headers = {"Authorization": "Bearer mt_" + "x" * 43}
    response = requests.get(objects_url(hub, vault.vault_id), headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_token"
    stranger = HttpHub(hub.url, vault_id=vault.vault_id, device_id=new_id(), token="mt_" + "y" * 43)
    with pytest.raises(HubAuthError) as caught:
        stranger.list("log/")
    assert not isinstance(caught.value, HubRevokedError)
    assert "y" * 10 not in str(caught.value)


def test_revoked_device_gets_a_distinct_error(vault: Vault) -> None:
    key = seq_key(vault.b.device_id or "", 1)
    vault.b.put_new(key, b"before")
    vault.a.revoke_device(vault.b.device_id or "")
    with pytest.raises(HubRevokedError) as caught:
        vault.b.get(key)
    assert "removed from your synced memory" in caught.value.message
    devices = {device.device_id: device for device in vault.a.list_devices()}
    assert devices[vault.b.device_id or ""].revoked
    assert not devices[vault.a.device_id or ""].revoked
    assert vault.a.get(key) == b"before"


def test_another_vaults_token_sees_404(hub: RunningHub, vault: Vault) -> None:
    other = make_vault(hub)
    vault.a.put_new(seq_key(vault.a.device_id or "", 1), b"secret of vault one")
    intruder = HttpHub(hub.url, vault_id=vault.vault_id, device_id=other.a.device_id, token=other.a.token)
    with pytest.raises(HubError) as caught:
        intruder.list("")
    assert "no synced memory with this id" in caught.value.message
    response = requests.get(
        f"{objects_url(hub, vault.vault_id)}/{seq_key(vault.a.device_id or '', 1)}",
        headers={"Authorization": f"Bearer {other.a.token}"},
        timeout=10,
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "vault_not_found"


def test_device_writes_only_its_own_prefixes(vault: Vault) -> None:
    a_id, b_id = vault.a.device_id or "", vault.b.device_id or ""
    for key in (seq_key(a_id, 1), f"ckpt/{a_id}/{1:016x}"):
        with pytest.raises(HubAuthError) as caught:
            vault.b.put_new(key, b"forged")
        assert "belongs to another laptop" in caught.value.message
    vault.b.put_new(seq_key(b_id, 1), b"mine")
    vault.b.put_new(f"ckpt/{b_id}/{1:016x}", b"mine")
    vault.b.put_new("blob/b-owned", b"blob")
    vault.b.put_new("vault/keyfile/0000000000000002", b"keyfile")
    assert vault.a.list("") == sorted(
        [seq_key(b_id, 1), f"ckpt/{b_id}/{1:016x}", "blob/b-owned", "vault/keyfile/0000000000000002"]
    )


def test_device_deletes_only_its_own_objects(vault: Vault) -> None:
    b_id = vault.b.device_id or ""
    vault.b.put_new(seq_key(b_id, 1), b"log")
    vault.b.put_new("blob/of-b", b"blob")
    vault.b.put_new("vault/keyfile/0000000000000001", b"kf")
    for key in (seq_key(b_id, 1), "blob/of-b"):
        with pytest.raises(HubAuthError):
            vault.a.delete(key)
        assert vault.a.get(key)
    vault.a.delete("vault/keyfile/0000000000000001")
    vault.b.delete("blob/of-b")
    with pytest.raises(ObjectMissingError):
        vault.a.get("blob/of-b")
    assert vault.a.list("") == [seq_key(b_id, 1)]


def test_any_device_writes_roster_and_epoch_objects_and_none_deletes_them(vault: Vault) -> None:
    vault.a.put_new(roster_key(1), b"founded")
    vault.b.put_new(roster_key(2), b"joined")
    vault.b.put_new(epoch_key(2), b"new key")
    assert vault.a.list(ROSTER_PREFIX) == [roster_key(1), roster_key(2)]
    assert vault.a.list(EPOCH_PREFIX) == [epoch_key(2)]
    for hub, key in ((vault.a, roster_key(1)), (vault.b, roster_key(2)), (vault.a, epoch_key(2))):
        with pytest.raises(HubAuthError):
            hub.delete(key)
        assert hub.get(key)
    with pytest.raises(ObjectExistsError):
        vault.a.put_new(epoch_key(2), b"another new key")


def test_invites_are_one_time(hub: RunningHub, vault: Vault) -> None:
    code = vault.a.create_invite()
    HttpHub(hub.url).join_vault(code, vault.vault_id, new_id(), "laptop C")
    with pytest.raises(HubAuthError) as caught:
        HttpHub(hub.url).join_vault(code, vault.vault_id, new_id(), "laptop D")
    assert "invite" in caught.value.message
    creation = vault_invite(hub)
    HttpHub(hub.url).create_vault(creation, new_id(), new_id(), "first")
    with pytest.raises(HubAuthError):
        HttpHub(hub.url).create_vault(creation, new_id(), new_id(), "second")


def test_device_invite_is_bound_to_its_vault(hub: RunningHub, vault: Vault) -> None:
    other = make_vault(hub)
    code = vault.a.create_invite()
    with pytest.raises(HubAuthError):
        HttpHub(hub.url).join_vault(code, other.vault_id, new_id(), "wrong vault")
    with pytest.raises(HubAuthError):
        HttpHub(hub.url).create_vault(code, new_id(), new_id(), "not a creation invite")
    HttpHub(hub.url).join_vault(code, vault.vault_id, new_id(), "right vault")
    assert len(vault.a.list_devices()) == 3


def test_device_list_masks_tokens_and_tracks_last_seen(vault: Vault) -> None:
    devices = vault.b.list_devices()
    assert {device.name for device in devices} == {"laptop A", "laptop B"}
    for device in devices:
        assert device.masked_token.startswith("mt_")
        assert device.masked_token.endswith("…")
        assert len(device.masked_token) <= 8
        assert device.last_seen is not None
    assert all(device.masked_token[:-1] in token for device, token in zip(devices, vault.tokens, strict=True))


def test_cli_hub_invite_creates_a_usable_invite(hub: RunningHub) -> None:
    code = hub.new_invite()
    assert code.startswith("mti_")
    hub.first_invites.clear()
    fresh = hub.new_invite()
    assert fresh != code
    token = HttpHub(hub.url).create_vault(fresh, new_id(), new_id(), "via cli invite")
    assert token.startswith("mt_")
