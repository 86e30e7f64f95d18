"""Two ``memtray hub serve`` processes on one PostgreSQL database, as behind one address: laptops see one hub.

Laptop B talks to process 1 and laptop A to process 2 (each with its own token), so every wake-up and
refusal below had to cross from one process to the other through the database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from memtray.errors import HubRevokedError, ObjectExistsError
from memtray.hubs.http import HttpHub
from tests.hubserver.conftest import make_vault, seq_key
from tests.servers.postgres import PostgresHub, RunningPostgres, run_postgres, run_postgres_hub

LONG_WAIT = 45.0
PROMPT = 10.0


@dataclass
class TwoProcesses:
    one: PostgresHub
    two: PostgresHub
    server: RunningPostgres


@dataclass
class Laptops:
    a_on_two: HttpHub
    b_on_one: HttpHub
    a_on_one: HttpHub


@pytest.fixture(scope="module")
def processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoProcesses]:
    with run_postgres() as server:
        database = server.new_database()
        with (
            run_postgres_hub(tmp_path_factory.mktemp("process-1"), database) as one,
            run_postgres_hub(tmp_path_factory.mktemp("process-2"), database) as two,
        ):
            yield TwoProcesses(one, two, server)


@pytest.fixture
def laptops(processes: TwoProcesses) -> Iterator[Laptops]:
    vault = make_vault(processes.one)
    a = vault.a
    a_on_two = HttpHub(processes.two.url, vault_id=vault.vault_id, device_id=a.device_id, token=a.token)
    yield Laptops(a_on_two=a_on_two, b_on_one=vault.b, a_on_one=a)
    for laptop in (a_on_two, vault.a, vault.b):
        laptop.close()


class Waiter:
    """A long-poll in a thread: what it returned or raised."""

    def __init__(self, laptop: HttpHub, cursor: str | None) -> None:
        self.result: dict[str, Any] = {}
        self.thread = threading.Thread(target=self._wait, args=(laptop, cursor))
        self.thread.start()

    def _wait(self, laptop: HttpHub, cursor: str | None) -> None:
        try:
            self.result["cursor"] = laptop.wait_for_change(cursor, LONG_WAIT)
        except Exception as exc:  # the test inspects it
            self.result["error"] = exc

    def done_within(self, seconds: float) -> bool:
        self.thread.join(seconds)
        return not self.thread.is_alive()


def start_waiting(laptop: HttpHub) -> tuple[Waiter, str]:
    cursor = laptop.wait_for_change(None, 0) or "0"
    waiter = Waiter(laptop, cursor)
    assert laptop.wait_for_change(cursor, 0.3) == cursor
    assert not waiter.done_within(0.5), "the long-poll answered before anything changed"
    return waiter, cursor


def test_a_laptop_watching_through_one_process_wakes_when_another_pushes_through_the_other(laptops: Laptops) -> None:
    waiter, cursor = start_waiting(laptops.b_on_one)
    assert laptops.a_on_two.wait_for_change(None, 0) == cursor, "the two processes disagree on the cursor"
    laptops.a_on_two.put_new(seq_key(laptops.a_on_two.device_id or "", 1), b"pushed through process 2")
    assert waiter.done_within(LONG_WAIT / 2), "the laptop on process 1 was not woken by a push through process 2"
    assert waiter.result["cursor"] == str(int(cursor) + 1)
    assert laptops.a_on_two.wait_for_change(None, 0) == waiter.result["cursor"]
    assert laptops.b_on_one.get(seq_key(laptops.a_on_two.device_id or "", 1)) == b"pushed through process 2"


def test_revoking_through_one_process_ends_long_polls_in_the_other_at_once(laptops: Laptops) -> None:
    waiter, _ = start_waiting(laptops.b_on_one)
    laptops.a_on_two.revoke_device(laptops.b_on_one.device_id or "")
    assert waiter.done_within(PROMPT), "the revoked laptop's long-poll on process 1 kept waiting"
    assert isinstance(waiter.result.get("error"), HubRevokedError)
    with pytest.raises(HubRevokedError):
        laptops.b_on_one.list("")


def test_one_key_pushed_through_both_processes_at_once_is_created_once(laptops: Laptops) -> None:
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def push(laptop: HttpHub, data: bytes) -> None:
        start.wait()
        try:
            laptop.put_new("blob/same-moment", data)
            outcomes.append("created")
        except ObjectExistsError:
            outcomes.append("exists")

    pushers = [
        threading.Thread(target=push, args=(laptops.a_on_one, b"one")),
        threading.Thread(target=push, args=(laptops.a_on_two, b"two")),
    ]
    for pusher in pushers:
        pusher.start()
    for pusher in pushers:
        pusher.join(60)
    assert sorted(outcomes) == ["created", "exists"]
    assert laptops.b_on_one.get("blob/same-moment") in (b"one", b"two")


def test_a_change_made_while_a_process_lost_its_feed_still_wakes_its_laptops(
    processes: TwoProcesses, laptops: Laptops
) -> None:
    waiter, cursor = start_waiting(laptops.b_on_one)
    assert laptops.a_on_two.list("") == []  # process 2 now holds an open database connection
    name = processes.one.database.rsplit("/", 1)[1]
    with psycopg.connect(processes.server.url(), autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND query LIKE 'LISTEN %%'",
                (name,),
            )
            laptops.a_on_two.put_new(seq_key(laptops.a_on_two.device_id or "", 1), b"pushed while nobody listened")
            assert not waiter.done_within(2), "the change was heard without a feed: this test no longer tests the gap"
        finally:
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
    reconnected = time.monotonic()
    assert waiter.done_within(LONG_WAIT / 2), "the laptop slept through a change made while its feed was down"
    assert waiter.result["cursor"] == str(int(cursor) + 1)
    assert time.monotonic() - reconnected < PROMPT
    assert "listening for changes again" in processes.one.log_text()
