"""PostgresStorage against a real PostgreSQL: the same answers as SQLite, and the same rules under concurrency.

The server's default collation is ICU English, so keys compared by locale instead of byte by byte
would list in another order than SQLite's (and than every laptop expects).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest

from memtray.hubserver.pg_pool import DatabaseUnreachableError, PoolLimits
from memtray.hubserver.pg_store import CHANGES_CHANNEL, PostgresStorage
from memtray.hubserver.sqlite_store import SQLiteStorage
from memtray.hubserver.storage import (
    DeviceRecord,
    StorageBusyError,
    StorageConflictError,
    StorageFullError,
)
from tests.servers.postgres import RunningPostgres, run_postgres
from tests.support.disks import tiny_disk

VAULT, OTHER = "a" * 32, "b" * 32
FIRST, SECOND, THIRD = "1" * 32, "2" * 32, "3" * 32
NOW = 1_800_000_000.0
KEYS = ["blob/B", "blob/a", "blob/a-b", "blob/a.b", "blob/a_b", "blob/aB", "blob/a/c", "log/x/01", "log/x/1", "vault/Z"]


@pytest.fixture(scope="module")
def postgres() -> Iterator[RunningPostgres]:
    with run_postgres() as server:
        yield server


@pytest.fixture
def database(postgres: RunningPostgres) -> str:
    return postgres.new_database()


@pytest.fixture
def storage(database: str) -> Iterator[PostgresStorage]:
    opened = PostgresStorage(database)
    yield opened
    opened.close()


def device(vault_id: str, device_id: str, name: str, at: float = NOW) -> DeviceRecord:
    return DeviceRecord(vault_id, device_id, name, "mt_" + device_id[:4], at, None, False)


def outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as exc:  # the exception's kind is the answer being compared
        return f"raised {type(exc).__name__} {getattr(exc, 'reason', '')}".strip()


def scenario(store: Any) -> list[Any]:
    """The same calls on any Storage; what each returned or raised, in order."""
    seen: list[Any] = [outcome(lambda: store.needs_vault_invite(NOW))]
    store.add_invite("vault-invite", None, None, NOW, NOW + 100)
    store.add_invite("stale-invite", None, None, NOW - 200, NOW - 100)
    seen.append(outcome(lambda: store.needs_vault_invite(NOW)))
    seen.append(outcome(lambda: store.create_vault("stale-invite", VAULT, device(VAULT, FIRST, "A"), "t1", NOW)))
    seen.append(outcome(lambda: store.create_vault("vault-invite", VAULT, device(VAULT, FIRST, "A"), "t1", NOW)))
    seen.append(outcome(lambda: store.create_vault("vault-invite", OTHER, device(OTHER, FIRST, "A"), "t9", NOW)))
    store.add_invite("again", None, None, NOW, NOW + 100)
    seen.append(outcome(lambda: store.create_vault("again", VAULT, device(VAULT, SECOND, "dup"), "t8", NOW)))
    for n in range(3):
        seen.append(outcome(partial(store.add_invite, f"join-{n}", VAULT, FIRST, NOW, NOW + 100, max_open=2)))
    seen.append(outcome(lambda: store.join_vault("join-0", device(OTHER, SECOND, "wrong vault"), "t2", NOW)))
    seen.append(outcome(lambda: store.join_vault("join-0", device(VAULT, SECOND, "B", NOW + 1), "t2", NOW + 1)))
    seen.append(outcome(lambda: store.join_vault("join-0", device(VAULT, THIRD, "C", NOW + 2), "t3", NOW + 2)))
    seen.append(outcome(lambda: store.add_invite("by-second", VAULT, SECOND, NOW, NOW + 100, max_open=2)))
    seen.append(outcome(lambda: store.join_vault("join-1", device(VAULT, SECOND, "again"), "t4", NOW + 2)))
    seen.append(outcome(lambda: store.join_vault("join-1", device(VAULT, THIRD, "C", NOW + 2), "t3", NOW + 2)))
    seen.append(outcome(lambda: store.device_for_token("t3")))
    seen.append(outcome(lambda: store.device_for_token("nobody")))
    store.touch_device(VAULT, THIRD, NOW + 3)
    seen.append(outcome(lambda: store.list_devices(VAULT)))
    seen.append([outcome(partial(store.put_new, VAULT, k, k.encode(), FIRST, NOW)) for k in reversed(KEYS)])
    seen.append(outcome(lambda: store.put_new(VAULT, "blob/a", b"other bytes", SECOND, NOW)))
    seen.append(outcome(lambda: store.put_new(VAULT, "blob/empty", b"", SECOND, NOW)))
    seen.append(
        [(outcome(partial(store.get, VAULT, k)), outcome(partial(store.owner, VAULT, k))) for k in ["blob/a", "nope"]]
    )
    seen.append(outcome(lambda: store.get(VAULT, "blob/empty")))
    pages = [("", None, 100), ("", None, 3), ("blob/", "blob/a", 2), ("blob/a", None, 10), ("blob/", "a", 2)]
    pages += [("blob/a", "blob/a-b", 3), ("log/", "log/x/01", 5), ("z", None, 5)]
    for prefix, after, limit in pages:
        seen.append(outcome(partial(store.list_keys, VAULT, prefix, after, limit)))
    seen.append([outcome(partial(store.delete, VAULT, k)) for k in ["blob/B", "blob/B", "nope"]])
    seen.append([outcome(partial(store.change_counter, v)) for v in [VAULT, OTHER]])
    seen.append(outcome(lambda: store.revoke_device(VAULT, THIRD, NOW, THIRD)))
    seen.append(outcome(lambda: store.revoke_device(VAULT, FIRST, NOW, SECOND)))
    seen.append(outcome(lambda: store.revoke_device(VAULT, OTHER, NOW, FIRST)))
    seen.append(outcome(lambda: store.revoke_device(VAULT, SECOND, NOW + 5, FIRST)))
    seen.append(outcome(lambda: store.revoke_device(VAULT, SECOND, NOW + 6, FIRST)))
    seen.append(outcome(lambda: store.join_vault("by-second", device(VAULT, "4" * 32, "D"), "t5", NOW + 7)))
    seen.append(outcome(lambda: store.revoke_device(VAULT, FIRST, NOW + 8, None)))
    seen.append(outcome(lambda: store.revoke_device(VAULT, THIRD, NOW + 9, None)))
    seen.append(outcome(lambda: store.list_devices(VAULT)))
    seen.append(outcome(lambda: store.list_vaults()))
    seen.append(outcome(lambda: store.vault_exists(VAULT)))
    seen.append(outcome(lambda: store.vault_exists(OTHER)))
    return seen


def test_same_answers_as_sqlite(storage: PostgresStorage, tmp_path: Path) -> None:
    reference = SQLiteStorage(tmp_path / "hub.sqlite3")
    try:
        expected = scenario(reference)
    finally:
        reference.close()
    assert scenario(storage) == expected
    assert "raised RevokeRefusedError last" in expected and "raised InviteLimitError" in expected


def test_keys_list_byte_by_byte_whatever_the_database_locale(storage: PostgresStorage) -> None:
    store_vault(storage)
    for key in KEYS:
        storage.put_new(VAULT, key, b"x", FIRST, NOW)
    assert storage.list_keys(VAULT, "", None, 100).keys == sorted(KEYS)
    assert sorted(KEYS) != sorted(KEYS, key=str.lower), "the keys no longer tell byte order from a locale's"


def store_vault(store: PostgresStorage, first: str = FIRST, others: tuple[str, ...] = ()) -> None:
    store.add_invite(f"make-{first}", None, None, NOW, NOW + 100)
    store.create_vault(f"make-{first}", VAULT, device(VAULT, first, "first"), f"token-{first}", NOW)
    for n, other in enumerate(others, start=1):
        store.add_invite(f"join-{other}", VAULT, first, NOW, NOW + 100)
        store.join_vault(f"join-{other}", device(VAULT, other, f"laptop {n}", NOW + n), f"token-{other}", NOW + n)


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; what each returned or raised."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        results[index] = outcome(calls[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_a_key_written_at_once_by_many_is_created_once(storage: PostgresStorage) -> None:
    store_vault(storage)
    results = at_once([partial(storage.put_new, VAULT, "blob/same", bytes([n]), FIRST, NOW) for n in range(12)])
    assert results.count("raised StorageConflictError") == 11
    assert [r for r in results if isinstance(r, int)] == [1]
    assert storage.change_counter(VAULT) == 1


def test_each_write_gets_its_own_counter_value(storage: PostgresStorage) -> None:
    store_vault(storage)
    results = at_once([partial(storage.put_new, VAULT, f"blob/{n}", b"x", FIRST, NOW) for n in range(12)])
    assert sorted(results) == list(range(1, 13))


def test_revocations_at_once_never_leave_a_vault_without_a_laptop(database: str) -> None:
    storage = PostgresStorage(database)
    try:
        for round_ in range(8):
            first, second = f"{round_:x}1".ljust(32, "0"), f"{round_:x}2".ljust(32, "0")
            with psycopg.connect(database, autocommit=True) as conn:
                conn.execute("TRUNCATE memtray_vaults, memtray_devices, memtray_invites")
            store_vault(storage, first, (second,))
            results = at_once([partial(storage.revoke_device, VAULT, d, NOW, None) for d in (first, second)])
            assert sorted(map(str, results)) == ["True", "raised RevokeRefusedError last"], results
            assert sum(not laptop.revoked for laptop in storage.list_devices(VAULT)) == 1
    finally:
        storage.close()


def test_invites_asked_at_once_stop_at_the_cap(storage: PostgresStorage) -> None:
    store_vault(storage)
    for round_ in range(4):
        opened = NOW + round_ * 200
        results = at_once(
            [partial(storage.add_invite, f"r{opened}-{n}", VAULT, FIRST, opened, opened + 100, 5) for n in range(10)]
        )
        assert results.count(None) == 5, results
        assert results.count("raised InviteLimitError") == 5


def test_an_invite_is_void_once_its_maker_is_revoked_even_at_the_same_moment(database: str) -> None:
    storage = PostgresStorage(database)
    try:
        store_vault(storage, FIRST, (SECOND,))
        storage.add_invite("from-second", VAULT, SECOND, NOW, NOW + 100)
        with psycopg.connect(database) as revoking:
            # The revocation is in flight (row updated, not committed) while the invite is redeemed.
            revoking.execute("UPDATE memtray_devices SET revoked = %s WHERE device_id = %s", (NOW, SECOND))
            joined: list[Any] = []
            joiner = threading.Thread(
                target=lambda: joined.append(
                    outcome(lambda: storage.join_vault("from-second", device(VAULT, THIRD, "C"), "t3", NOW))
                )
            )
            joiner.start()
            time.sleep(0.5)
            revoking.commit()
            joiner.join(30)
        assert joined == ["raised InviteRejectedError"]
    finally:
        storage.close()


def test_the_pool_never_opens_more_connections_than_allowed(database: str) -> None:
    storage = PostgresStorage(database, PoolLimits(size=2, wait_seconds=0.5))
    try:
        store_vault(storage)
        with psycopg.connect(database) as holder:
            holder.execute("SELECT 1 FROM memtray_vaults WHERE vault_id = %s FOR UPDATE", (VAULT,))
            writers = [
                threading.Thread(target=storage.put_new, args=(VAULT, f"blob/{n}", b"x", FIRST, NOW)) for n in range(2)
            ]
            for writer in writers:
                writer.start()
            time.sleep(0.5)  # both writers now hold a connection, waiting for the vault's row
            with pytest.raises(StorageBusyError):
                storage.change_counter(VAULT)
            assert hub_connections(holder, database) == 2
            holder.rollback()
        for writer in writers:
            writer.join(30)
        assert storage.change_counter(VAULT) == 2
    finally:
        storage.close()


def hub_connections(conn: psycopg.Connection[tuple[object, ...]], database: str) -> int:
    name = database.rsplit("/", 1)[1]
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = 'memtray-hub'", (name,)
    ).fetchone()
    return int(str(row[0])) if row else 0


def test_a_row_locked_too_long_is_busy_not_a_crash(database: str) -> None:
    storage = PostgresStorage(database, PoolLimits(lock_seconds=0.3))
    try:
        store_vault(storage)
        with psycopg.connect(database) as holder:
            holder.execute("SELECT 1 FROM memtray_vaults WHERE vault_id = %s FOR UPDATE", (VAULT,))
            with pytest.raises(StorageBusyError):
                storage.put_new(VAULT, "blob/waits", b"x", FIRST, NOW)
        assert storage.get(VAULT, "blob/waits") is None
        assert storage.put_new(VAULT, "blob/waits", b"x", FIRST, NOW) == 1
    finally:
        storage.close()


def test_a_restarted_connection_is_replaced(storage: PostgresStorage, database: str) -> None:
    store_vault(storage)
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'memtray-hub'"
            " AND datname = %s",
            (database.rsplit("/", 1)[1],),
        )
    with pytest.raises(StorageBusyError):
        storage.change_counter(VAULT)
    assert storage.put_new(VAULT, "blob/after", b"x", FIRST, NOW) == 1


def test_a_full_disk_is_storage_full(postgres: RunningPostgres, database: str) -> None:
    storage = PostgresStorage(database)
    with tiny_disk(postgres.folder / f"tiny-{os.urandom(4).hex()}", "2m") as disk:
        try:
            store_vault(storage)
            owner = os.stat(postgres.folder)
            os.chown(disk, owner.st_uid, owner.st_gid)
            space = "tiny_" + os.urandom(4).hex()
            with psycopg.connect(postgres.url(), autocommit=True) as admin:
                admin.execute(f"CREATE TABLESPACE {space} LOCATION '{disk}'")
            with psycopg.connect(database, autocommit=True) as conn:
                conn.execute(f"ALTER TABLE memtray_objects SET TABLESPACE {space}")
            stored = []
            with pytest.raises(StorageFullError):
                for n in range(40):
                    storage.put_new(VAULT, f"blob/{n}", os.urandom(256 * 1024), FIRST, NOW)
                    stored.append(f"blob/{n}")
            assert stored and storage.get(VAULT, stored[0]) is not None
            assert storage.change_counter(VAULT) == len(stored)
        finally:
            storage.close()
            with psycopg.connect(database, autocommit=True) as conn:
                conn.execute("DROP TABLE memtray_objects")


def test_each_change_is_announced_to_every_listener(storage: PostgresStorage, database: str) -> None:
    store_vault(storage, FIRST, (SECOND,))
    with psycopg.connect(database, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANGES_CHANNEL}")
        storage.put_new(VAULT, "blob/1", b"x", FIRST, NOW)
        with pytest.raises(StorageConflictError):
            storage.put_new(VAULT, "blob/1", b"x", FIRST, NOW)
        storage.delete(VAULT, "blob/1")
        storage.delete(VAULT, "blob/1")
        storage.revoke_device(VAULT, SECOND, NOW, FIRST)
        heard = [note.payload for note in listener.notifies(timeout=2)]
    assert heard == [VAULT, VAULT, f"{VAULT} {SECOND}"]


def test_an_unreachable_database_is_one_plain_sentence_without_the_password(postgres: RunningPostgres) -> None:
    wrong = postgres.url().replace(postgres.password, "Wr0ngSecretPassw0rd")
    cases = {
        wrong: "the user name or password was not accepted",
        postgres.url("no_such_db"): "that database does not exist",
        f"postgresql://memtray:{postgres.password}@127.0.0.1:1/postgres": "nothing answered there",
    }
    for url, reason in cases.items():
        with pytest.raises(DatabaseUnreachableError) as caught:
            PostgresStorage(url)
        message = str(caught.value)
        assert reason in message
        assert "The hub cannot open its PostgreSQL database memtray@127.0.0.1:" in message
        assert postgres.password not in message and "Wr0ngSecret" not in message
        assert message.count(". ") == 0 and "\n" not in message
