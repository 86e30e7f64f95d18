"""A hub whose database breaks underneath it still answers JSON and logs one line without secrets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import requests

from memtray.errors import HubError
from memtray.hubs.http import HttpHub
from tests.hubserver.conftest import make_vault, seq_key
from tests.servers.http_hub import run_hub_server


def test_broken_storage_gives_json_500_and_a_clean_log_line(tmp_path: Path) -> None:
    with run_hub_server(tmp_path / "hub") as hub:
        vault = make_vault(hub)
        token = vault.a.token or ""
        vault.a.put_new(seq_key(vault.a.device_id or "", 1), b"x")
        with sqlite3.connect(hub.db_path) as db:
            db.execute("DROP TABLE objects")
        response = requests.get(
            f"{hub.url}/v1/vaults/{vault.vault_id}/objects", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert response.status_code == 500
        assert response.json()["error"]["code"] == "internal"
        impatient = HttpHub(hub.url, vault_id=vault.vault_id, device_id=vault.a.device_id, token=token, max_tries=2)
        with pytest.raises(HubError) as caught:
            impatient.get(seq_key(vault.a.device_id or "", 1))
        assert "internal problem" in caught.value.message
        assert requests.get(f"{hub.url}/healthz", timeout=10).status_code == 200
        log = hub.log_text()
    assert "internal error OperationalError on GET /v1/vaults/{vault_id}/objects" in log
    assert "Traceback" not in log
    assert token not in log
