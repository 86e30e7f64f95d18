"""Revocation that sticks: who may revoke whom, void invites, and the operator's own commands.

The rule the hub enforces: a laptop may revoke only laptops that joined the vault after it (so the
first laptop may revoke any other), never itself; the hub's operator may revoke any laptop with
``memtray hub revoke``; nobody may revoke a vault's last laptop.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests

from memtray.errors import HubAuthError, HubError, HubRevokedError
from memtray.hubs.http import HttpHub
from tests.hubserver.conftest import Vault, make_vault, new_id
from tests.servers.http_hub import RunningHub, memtray_command, memtray_env


def join(hub: RunningHub, inviter: HttpHub, name: str) -> HttpHub:
    laptop = HttpHub(hub.url)
    laptop.join_vault(inviter.create_invite(), inviter.vault_id or "", new_id(), name)
    return laptop


def revoke(hub: RunningHub, by: HttpHub, target: HttpHub) -> requests.Response:
    return requests.delete(
        f"{hub.url}/v1/vaults/{by.vault_id}/devices/{target.device_id}",
        headers={"Authorization": f"Bearer {by.token}"},
        timeout=30,
    )


def assert_refused(response: requests.Response, wording: str) -> None:
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "revoke_refused"
    assert wording in error["message"]


def active(laptop: HttpHub) -> set[str]:
    return {device.name for device in laptop.list_devices() if not device.revoked}


def hub_admin(hub: RunningHub, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**memtray_env(), "MEMTRAY_HOME": str(tmp_path / "operator-home")}
    return subprocess.run(
        memtray_command("hub", *args, "--data", str(hub.data_dir)),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_laptop_revokes_only_laptops_that_joined_after_it(hub: RunningHub, vault: Vault) -> None:
    c = join(hub, vault.b, "laptop C")
    assert_refused(revoke(hub, vault.b, vault.a), "joined the vault after it")
    assert_refused(revoke(hub, c, vault.b), "joined the vault after it")
    assert_refused(revoke(hub, vault.b, vault.b), "cannot remove itself")
    with pytest.raises(HubError) as caught:
        vault.b.revoke_device(vault.a.device_id or "")
    assert "only remove laptops that joined your synced memory after it" in caught.value.message
    assert active(vault.a) == {"laptop A", "laptop B", "laptop C"}

    assert revoke(hub, vault.b, c).status_code == 204
    assert revoke(hub, vault.a, vault.b).status_code == 204
    assert active(vault.a) == {"laptop A"}
    assert_refused(revoke(hub, vault.a, vault.a), "cannot remove itself")
    with pytest.raises(HubRevokedError):
        c.list("")
    c.close()


def test_invites_made_by_a_revoked_laptop_are_void(hub: RunningHub, vault: Vault) -> None:
    saved_by_thief = vault.b.create_invite()
    kept_by_owner = vault.a.create_invite()
    vault.a.revoke_device(vault.b.device_id or "")
    thief = HttpHub(hub.url)
    with pytest.raises(HubAuthError) as caught:
        thief.join_vault(saved_by_thief, vault.vault_id, new_id(), "stolen laptop again")
    assert not isinstance(caught.value, HubRevokedError)
    assert active(vault.a) == {"laptop A"}
    join(hub, vault.a, "new laptop").close()
    HttpHub(hub.url).join_vault(kept_by_owner, vault.vault_id, new_id(), "owner's laptop")
    assert active(vault.a) == {"laptop A", "new laptop", "owner's laptop"}


def test_the_operator_lists_laptops_without_tokens_and_revokes_a_lost_first_laptop(
    hub: RunningHub, tmp_path: Path
) -> None:
    vault = make_vault(hub)
    listed = hub_admin(hub, tmp_path, "devices")
    assert listed.returncode == 0, listed.stderr
    section = listed.stdout.split(f"vault {vault.vault_id}")[1].split("\nvault ")[0]
    lines = [line for line in section.splitlines() if line.startswith("  ")]
    assert [line.split()[0] for line in lines] == [vault.a.device_id, vault.b.device_id]
    assert "laptop A" in lines[0] and "active" in lines[0]
    assert "mt_" not in listed.stdout
    assert all(token not in listed.stdout for token in vault.tokens)

    lost_first = hub_admin(hub, tmp_path, "revoke", vault.a.device_id or "")
    assert lost_first.returncode == 0, lost_first.stderr
    with pytest.raises(HubRevokedError):
        vault.a.list("")
    assert active(vault.b) == {"laptop B"}
    assert "revoked" in hub_admin(hub, tmp_path, "devices").stdout.split(vault.a.device_id or "")[1].splitlines()[0]

    last = hub_admin(hub, tmp_path, "revoke", vault.b.device_id or "")
    assert last.returncode == 2
    assert "last laptop" in last.stderr and "Traceback" not in last.stderr
    unknown = hub_admin(hub, tmp_path, "revoke", new_id())
    assert unknown.returncode == 2 and "No vault on this hub" in unknown.stderr
    assert vault.b.list("") == []
