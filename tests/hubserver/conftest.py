"""One real hub server per test module, and vaults with enrolled devices on it."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from memtray.hubs.http import HttpHub
from memtray.hubserver.cli import mint_vault_invite
from tests.servers.http_hub import RunningHub, run_hub_server


@dataclass
class Vault:
    vault_id: str
    a: HttpHub
    b: HttpHub

    @property
    def tokens(self) -> list[str]:
        return [hub.token for hub in (self.a, self.b) if hub.token]


def new_id() -> str:
    return secrets.token_hex(16)


def vault_invite(hub: RunningHub) -> str:
    """A vault-creation invite written straight into the hub's database (what ``hub invite`` does)."""
    storage = hub.open_storage()
    try:
        return mint_vault_invite(storage)
    finally:
        storage.close()


def make_vault(hub: RunningHub) -> Vault:
    """A fresh vault with two enrolled laptops, A (creator) and B (joined by A's invite)."""
    vault_id = new_id()
    a = HttpHub(hub.url)
    a.create_vault(vault_invite(hub), vault_id, new_id(), "laptop A")
    b = HttpHub(hub.url)
    b.join_vault(a.create_invite(), vault_id, new_id(), "laptop B")
    return Vault(vault_id=vault_id, a=a, b=b)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    with run_hub_server(tmp_path_factory.mktemp("hub")) as running:
        yield running


@pytest.fixture
def vault(hub: RunningHub) -> Iterator[Vault]:
    made = make_vault(hub)
    yield made
    made.a.close()
    made.b.close()


def seq_key(device_id: str, seq: int) -> str:
    return f"log/{device_id}/{seq:016x}"


def data_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


# These start `memtray hub serve` under an open-file limit (the resource module), which Windows lacks.
collect_ignore = (
    ["test_connection_flood.py", "test_enrollment_flood.py", "test_self_signed_tls.py"]
    if sys.platform == "win32"
    else []
)
