"""The hub server's own tests (objects, auth, revocation, change feed, malformed requests) on a hub kept in PostgreSQL.

The test bodies are the SQLite hub's, collected again here where ``hub`` is a ``memtray hub serve
--database postgresql://…`` process on a real PostgreSQL; the operator's ``memtray hub`` commands in
them reach the same database through ``MEMTRAY_HUB_DATABASE``. Below them, what differs: raw
database access, the database's own contents, and the operator's ``--database`` option.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from memtray.hubs.http import PAGE_LIMIT, HttpHub
from memtray.hubserver.pg_choice import DATABASE_ENV
from tests.hubserver import test_auth, test_changes, test_malformed, test_objects, test_revocation
from tests.hubserver.conftest import Vault, make_vault, new_id, seq_key, vault_invite
from tests.hubserver.test_secrets import test_hub_repr_and_errors_hide_the_token  # noqa: F401 (collected here too)
from tests.servers.http_hub import memtray_command, memtray_env
from tests.servers.postgres import PostgresHub, PostgresRawStore, RunningPostgres, run_postgres, run_postgres_hub

# Writes behind the hub's back into its SQLite file; its PostgreSQL twin is below.
SQLITE_ONLY = {"test_list_follows_server_paging"}

for _module in (test_auth, test_changes, test_malformed, test_objects, test_revocation):
    for _name, _test in vars(_module).items():
        if _name.startswith("test_") and callable(_test) and _name not in SQLITE_ONLY:
            globals()[_name] = _test


@pytest.fixture(scope="module")
def postgres() -> Iterator[RunningPostgres]:
    with run_postgres() as server:
        yield server


@pytest.fixture(scope="module")
def hubs(postgres: RunningPostgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], PostgresHub]]:
    """One hub (and database) per module the tests come from, as each had its own hub (rate limits included)."""
    with contextlib.ExitStack() as stack:
        started: dict[str, PostgresHub] = {}

        def hub_for(origin: str) -> PostgresHub:
            if origin not in started:
                folder = tmp_path_factory.mktemp("pg-hub")
                started[origin] = stack.enter_context(run_postgres_hub(folder, postgres.new_database()))
            return started[origin]

        yield hub_for


@pytest.fixture
def hub(
    hubs: Callable[[str], PostgresHub], request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> PostgresHub:
    running = hubs(request.function.__module__)
    monkeypatch.setenv(DATABASE_ENV, running.database)
    return running


def test_list_follows_server_paging_on_postgres(hub: PostgresHub, vault: Vault) -> None:
    a_id = vault.a.device_id or ""
    count = PAGE_LIMIT + 17
    raw = PostgresRawStore(hub.database, vault.vault_id)
    for seq in range(count):
        raw.write(seq_key(a_id, seq), b"x")
    assert vault.b.list(f"log/{a_id}/") == [seq_key(a_id, seq) for seq in range(count)]
    assert vault.b.list(f"log/{a_id}/", after=seq_key(a_id, count - 3)) == [
        seq_key(a_id, count - 2),
        seq_key(a_id, count - 1),
    ]


def test_the_database_and_the_log_never_hold_a_token_an_invite_or_the_password(
    hub: PostgresHub, postgres: RunningPostgres
) -> None:
    vault = make_vault(hub)
    secrets_in_play = [*vault.tokens, vault.a.create_invite(), vault_invite(hub)]
    vault.a.put_new(seq_key(vault.a.device_id or "", 1), b"payload")
    with psycopg.connect(hub.database) as conn:
        rows = [
            json.dumps(conn.execute(f"SELECT * FROM {table}").fetchall(), default=str)
            for table in ("memtray_invites", "memtray_devices", "memtray_vaults")
        ]
    assert vault.vault_id in rows[2]
    log = hub.log_text()
    assert "PUT /v1/vaults" in log
    for secret in secrets_in_play:
        for text in (*rows, log):
            assert secret not in text and secret[4:20] not in text
    assert postgres.password not in log


def operator(*args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in memtray_env().items() if name != DATABASE_ENV}
    return subprocess.run(
        memtray_command("hub", *args), env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_operator_commands_take_the_database_address(hub: PostgresHub, tmp_path: Path) -> None:
    invited = operator("invite", "--database", hub.database)
    assert invited.returncode == 0, invited.stderr
    code = invited.stdout.split("invite: ")[1].split()[0]
    vault_id = new_id()
    laptop = HttpHub(hub.url)
    laptop.create_vault(code, vault_id, new_id(), "made with a PostgreSQL invite")
    listed = operator("devices", "--database", hub.database)
    assert listed.returncode == 0, listed.stderr
    assert f"vault {vault_id}" in listed.stdout and "made with a PostgreSQL invite" in listed.stdout
    neither = operator("devices")
    assert neither.returncode == 2 and "--database postgresql://" in neither.stderr


def test_a_wrong_database_password_stops_serve_with_one_plain_sentence(
    postgres: RunningPostgres, tmp_path: Path
) -> None:
    wrong = postgres.url().replace(postgres.password, "N0tTheRightPassw0rd")
    env = {name: value for name, value in memtray_env().items() if name != DATABASE_ENV}
    done = subprocess.run(
        memtray_command("hub", "serve", "--database", wrong, "--port", "0"),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "The hub cannot open its PostgreSQL database memtray@127.0.0.1:" in done.stderr
    assert "the user name or password was not accepted" in done.stderr
    assert "N0tTheRight" not in done.stderr + done.stdout and "Traceback" not in done.stderr
    assert "listening:" not in done.stdout
