"""Tokens and invites are shown once: neither the database files nor the server's logs hold them."""

from __future__ import annotations

import traceback

import pytest
import requests

from memtray.errors import HubRevokedError
from memtray.hubs.http import HttpHub
from tests.hubserver.conftest import data_files, make_vault, new_id, seq_key, vault_invite
from tests.servers.http_hub import RunningHub


def test_tokens_and_invites_never_stored_or_logged_in_clear(hub: RunningHub) -> None:
    vault = make_vault(hub)
    spare_invite = vault.a.create_invite()
    unused_creation_invite = vault_invite(hub)
    vault.a.put_new(seq_key(vault.a.device_id or "", 1), b"payload")
    vault.b.list("")
    requests.get(f"{hub.url}/v1/vaults/{vault.vault_id}/objects", headers={"Authorization": "Bearer junk"}, timeout=10)
    HttpHub(hub.url, vault_id=vault.vault_id, device_id=new_id(), token="mt_" + "q" * 43).close()
    secrets_in_play = [*vault.tokens, spare_invite, unused_creation_invite]
    assert len(secrets_in_play) == 4

    files = data_files(hub.data_dir)
    assert hub.db_path in files
    assert hub.log_path in files
    blobs = {path: path.read_bytes() for path in files}
    assert b"POST /v1/vaults" in blobs[hub.log_path]
    for secret in secrets_in_play:
        for path, content in blobs.items():
            assert secret.encode() not in content, f"{path.name} holds a secret in clear"
            assert secret[4:20].encode() not in content, f"{path.name} holds part of a secret"


def test_hub_repr_and_errors_hide_the_token(hub: RunningHub) -> None:
    vault = make_vault(hub)
    token = vault.b.token or ""
    assert token.startswith("mt_")
    assert token not in repr(vault.b)
    vault.a.revoke_device(vault.b.device_id or "")
    with pytest.raises(HubRevokedError) as caught:
        vault.b.list("")
    assert token not in str(caught.value)
    assert token not in repr(caught.value)
    assert token not in "".join(traceback.format_exception(caught.value))
