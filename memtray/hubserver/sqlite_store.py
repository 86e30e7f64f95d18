"""SQLite storage for one hub process: one file, WAL mode, one connection behind a lock."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from memtray.hubserver.storage import (
    DeviceRecord,
    InviteLimitError,
    InviteRejectedError,
    Page,
    StorageBusyError,
    StorageConflictError,
    StorageFullError,
    VaultRecord,
)
from memtray.hubserver.store_rules import DEVICE_COLUMNS, device_record, key_page, key_range, revoke_step

DB_NAME = "hub.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS invites (
    hash TEXT PRIMARY KEY, vault_id TEXT, created_by TEXT, created REAL, expires REAL, used REAL
);
CREATE TABLE IF NOT EXISTS vaults (
    vault_id TEXT PRIMARY KEY, created REAL NOT NULL, changes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS devices (
    vault_id TEXT NOT NULL, device_id TEXT NOT NULL, name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE, token_prefix TEXT NOT NULL,
    created REAL NOT NULL, last_seen REAL, revoked REAL,
    PRIMARY KEY (vault_id, device_id)
);
CREATE TABLE IF NOT EXISTS objects (
    vault_id TEXT NOT NULL, key TEXT NOT NULL, owner TEXT NOT NULL, created REAL NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (vault_id, key)
);
"""


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_NAME


class SQLiteStorage:
    """The default ``Storage``; several processes (server and ``hub invite``) may open one file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            path.touch(mode=0o600)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        for suffix in ("-wal", "-shm"):
            sidecar = Path(f"{path}{suffix}")
            if sidecar.exists():
                os.chmod(sidecar, 0o600)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _translate_errors():
            yield self._db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _translate_errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def add_invite(
        self,
        invite_hash: str,
        vault_id: str | None,
        created_by: str | None,
        now: float,
        expires: float,
        max_open: int | None = None,
    ) -> None:
        with self._write() as db:
            if max_open is not None:
                (open_invites,) = db.execute(
                    "SELECT count(*) FROM invites WHERE vault_id IS ? AND created_by IS ? AND used IS NULL"
                    " AND expires > ?",
                    (vault_id, created_by, now),
                ).fetchone()
                if open_invites >= max_open:
                    raise InviteLimitError("too many open invites")
            db.execute(
                "INSERT INTO invites (hash, vault_id, created_by, created, expires) VALUES (?, ?, ?, ?, ?)",
                (invite_hash, vault_id, created_by, now, expires),
            )

    def needs_vault_invite(self, now: float) -> bool:
        with self._read() as db:
            row = db.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM vaults) AND NOT EXISTS (SELECT 1 FROM invites"
                " WHERE vault_id IS NULL AND used IS NULL AND expires > ?)",
                (now,),
            ).fetchone()
        return bool(row[0])

    def create_vault(self, invite_hash: str, vault_id: str, device: DeviceRecord, token_hash: str, now: float) -> None:
        with self._write() as db:
            _redeem(db, invite_hash, None, now)
            if db.execute("SELECT 1 FROM vaults WHERE vault_id = ?", (vault_id,)).fetchone():
                raise StorageConflictError("vault exists")
            db.execute("INSERT INTO vaults (vault_id, created) VALUES (?, ?)", (vault_id, now))
            _insert_device(db, device, token_hash)

    def join_vault(self, invite_hash: str, device: DeviceRecord, token_hash: str, now: float) -> None:
        with self._write() as db:
            _redeem(db, invite_hash, device.vault_id, now)
            _insert_device(db, device, token_hash)

    def device_for_token(self, token_hash: str) -> tuple[DeviceRecord, str] | None:
        with self._read() as db:
            row = db.execute(
                f"SELECT {DEVICE_COLUMNS}, token_hash FROM devices WHERE token_hash = ?", (token_hash,)
            ).fetchone()
        return None if row is None else (device_record(row), str(row[7]))

    def touch_device(self, vault_id: str, device_id: str, now: float) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE devices SET last_seen = ? WHERE vault_id = ? AND device_id = ?", (now, vault_id, device_id)
            )

    def list_vaults(self) -> list[VaultRecord]:
        with self._read() as db:
            rows = db.execute("SELECT vault_id, created FROM vaults ORDER BY created, vault_id").fetchall()
        return [VaultRecord(vault_id=str(row[0]), created=float(row[1])) for row in rows]

    def list_devices(self, vault_id: str) -> list[DeviceRecord]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {DEVICE_COLUMNS} FROM devices WHERE vault_id = ? ORDER BY rowid", (vault_id,)
            ).fetchall()
        return [device_record(row) for row in rows]

    def revoke_device(self, vault_id: str, device_id: str, now: float, by: str | None) -> bool:
        with self._write() as db:
            # Devices are never deleted, so rowid order is enrollment order.
            rows = db.execute(
                "SELECT device_id, rowid, revoked IS NOT NULL FROM devices WHERE vault_id = ?", (vault_id,)
            ).fetchall()
            step = revoke_step(rows, device_id, by)
            if step != "revoke":
                return step == "already"
            db.execute(
                "UPDATE devices SET revoked = ? WHERE vault_id = ? AND device_id = ?", (now, vault_id, device_id)
            )
        return True

    def vault_exists(self, vault_id: str) -> bool:
        with self._read() as db:
            return db.execute("SELECT 1 FROM vaults WHERE vault_id = ?", (vault_id,)).fetchone() is not None

    def put_new(self, vault_id: str, key: str, data: bytes, owner: str, now: float) -> int:
        with self._write() as db:
            try:
                db.execute(
                    "INSERT INTO objects (vault_id, key, owner, created, data) VALUES (?, ?, ?, ?, ?)",
                    (vault_id, key, owner, now, data),
                )
            except sqlite3.IntegrityError:
                raise StorageConflictError("key exists") from None
            return _bump(db, vault_id)

    def get(self, vault_id: str, key: str) -> bytes | None:
        with self._read() as db:
            row = db.execute("SELECT data FROM objects WHERE vault_id = ? AND key = ?", (vault_id, key)).fetchone()
        return None if row is None else bytes(row[0])

    def owner(self, vault_id: str, key: str) -> str | None:
        with self._read() as db:
            row = db.execute("SELECT owner FROM objects WHERE vault_id = ? AND key = ?", (vault_id, key)).fetchone()
        return None if row is None else str(row[0])

    def delete(self, vault_id: str, key: str) -> int | None:
        with self._write() as db:
            gone = db.execute("DELETE FROM objects WHERE vault_id = ? AND key = ?", (vault_id, key)).rowcount
            return _bump(db, vault_id) if gone else None

    def list_keys(self, vault_id: str, prefix: str, after: str | None, limit: int) -> Page:
        operator, low, high = key_range(prefix, after)
        with self._read() as db:
            rows = db.execute(
                f"SELECT key FROM objects WHERE vault_id = ? AND key {operator} ? AND key < ? ORDER BY key LIMIT ?",
                (vault_id, low, high, limit + 1),
            ).fetchall()
        return key_page(rows, prefix, limit)

    def change_counter(self, vault_id: str) -> int:
        with self._read() as db:
            row = db.execute("SELECT changes FROM vaults WHERE vault_id = ?", (vault_id,)).fetchone()
        return 0 if row is None else int(row[0])


def _redeem(db: sqlite3.Connection, invite_hash: str, vault_id: str | None, now: float) -> None:
    used = db.execute(
        "UPDATE invites SET used = ? WHERE hash = ? AND vault_id IS ? AND used IS NULL AND expires > ?"
        " AND (created_by IS NULL OR EXISTS (SELECT 1 FROM devices WHERE devices.vault_id = invites.vault_id"
        " AND devices.device_id = invites.created_by AND devices.revoked IS NULL))",
        (now, invite_hash, vault_id, now),
    ).rowcount
    if not used:
        raise InviteRejectedError("invite rejected")


def _insert_device(db: sqlite3.Connection, device: DeviceRecord, token_hash: str) -> None:
    try:
        db.execute(
            "INSERT INTO devices (vault_id, device_id, name, token_hash, token_prefix, created)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (device.vault_id, device.device_id, device.name, token_hash, device.token_prefix, device.created),
        )
    except sqlite3.IntegrityError:
        raise StorageConflictError("device exists") from None


def _bump(db: sqlite3.Connection, vault_id: str) -> int:
    row = db.execute("UPDATE vaults SET changes = changes + 1 WHERE vault_id = ? RETURNING changes", (vault_id,))
    return int(row.fetchone()[0])


@contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if code == sqlite3.SQLITE_FULL:
            raise StorageFullError("storage full") from None
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise StorageBusyError("storage busy") from None
        raise
