"""PostgreSQL storage, so several ``memtray hub serve`` processes can share one database.

Same rules as ``sqlite_store`` (the shared ones in ``store_rules``): create-only objects, one-time invites,
the revoke rule, a change counter per vault. SQLite serialises every write with one lock; here each write
locks only what it must (the vault's row for counters and revocations, an advisory lock for one device's
invites), so writes to different vaults run side by side. Every counter bump also sends ``NOTIFY`` on
``CHANGES_CHANNEL`` in the same transaction (payload: the vault id; for a revocation, the vault
and device ids): ``pg_changes`` wakes, or ends, long-polls in every process.
Objects live in ``bytea``; keys compare byte by byte (``COLLATE "C"``) whatever the database's locale.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import errors

from memtray.hubserver.pg_pool import (
    DEFAULT_LIMITS,
    ConnectionPool,
    DatabaseUnreachableError,
    PoolLimits,
    connect,
)
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

log = logging.getLogger(__name__)

CHANGES_CHANNEL = "memtray_hub_changes"
LOCK_SPACE = 0x6D74  # first key of this module's advisory locks ("mt")
SCHEMA_LOCK = 0

SCHEMA = """
CREATE TABLE IF NOT EXISTS memtray_invites (
    hash text PRIMARY KEY, vault_id text, created_by text, created double precision NOT NULL,
    expires double precision NOT NULL, used double precision
);
CREATE INDEX IF NOT EXISTS memtray_invites_open ON memtray_invites (vault_id, created_by) WHERE used IS NULL;
CREATE TABLE IF NOT EXISTS memtray_vaults (
    vault_id text PRIMARY KEY, created double precision NOT NULL, changes bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS memtray_devices (
    enrolled bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    vault_id text NOT NULL, device_id text NOT NULL, name text NOT NULL,
    token_hash text NOT NULL UNIQUE, token_prefix text NOT NULL,
    created double precision NOT NULL, last_seen double precision, revoked double precision,
    PRIMARY KEY (vault_id, device_id)
);
CREATE TABLE IF NOT EXISTS memtray_objects (
    vault_id text NOT NULL, key text COLLATE "C" NOT NULL, owner text NOT NULL, created double precision NOT NULL,
    data bytea NOT NULL, PRIMARY KEY (vault_id, key)
);
"""

Connection = psycopg.Connection[tuple[object, ...]]


class PostgresStorage:
    """A ``Storage`` on PostgreSQL; ``url`` is a libpq address (``postgresql://user@host:port/dbname``).

    The password may sit in the address, in ``PGPASSWORD`` or in ``~/.pgpass``; it never appears in
    a message. Raises DatabaseUnreachableError when the database cannot be opened at all.
    """

    def __init__(self, url: str, limits: PoolLimits = DEFAULT_LIMITS) -> None:
        self.url = url
        with connect(url) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, SCHEMA_LOCK))
            conn.execute(SCHEMA)
        self._pool = ConnectionPool(url, limits)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with _translate_errors(), self._pool.connection() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with _translate_errors(), self._pool.connection() as conn, conn.transaction():
            yield conn

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
                # Two requests of one device at once must not both pass the count.
                db.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_SPACE, f"invites/{vault_id}/{created_by}")
                )
                row = db.execute(
                    "SELECT count(*) FROM memtray_invites WHERE vault_id IS NOT DISTINCT FROM %s"
                    " AND created_by IS NOT DISTINCT FROM %s AND used IS NULL AND expires > %s",
                    (vault_id, created_by, now),
                ).fetchone()
                if row is not None and int(str(row[0])) >= max_open:
                    raise InviteLimitError("too many open invites")
            db.execute(
                "INSERT INTO memtray_invites (hash, vault_id, created_by, created, expires)"
                " VALUES (%s, %s, %s, %s, %s)",
                (invite_hash, vault_id, created_by, now, expires),
            )

    def needs_vault_invite(self, now: float) -> bool:
        with self._read() as db:
            row = db.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM memtray_vaults) AND NOT EXISTS (SELECT 1 FROM memtray_invites"
                " WHERE vault_id IS NULL AND used IS NULL AND expires > %s)",
                (now,),
            ).fetchone()
        return bool(row and row[0])

    def create_vault(self, invite_hash: str, vault_id: str, device: DeviceRecord, token_hash: str, now: float) -> None:
        with self._write() as db:
            _redeem(db, invite_hash, None, now)
            created = db.execute(
                "INSERT INTO memtray_vaults (vault_id, created) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING 1",
                (vault_id, now),
            ).fetchone()
            if created is None:
                raise StorageConflictError("vault exists")
            _insert_device(db, device, token_hash)

    def join_vault(self, invite_hash: str, device: DeviceRecord, token_hash: str, now: float) -> None:
        with self._write() as db:
            _redeem(db, invite_hash, device.vault_id, now)
            _insert_device(db, device, token_hash)

    def device_for_token(self, token_hash: str) -> tuple[DeviceRecord, str] | None:
        with self._read() as db:
            row = db.execute(
                f"SELECT {DEVICE_COLUMNS}, token_hash FROM memtray_devices WHERE token_hash = %s", (token_hash,)
            ).fetchone()
        return None if row is None else (device_record(row), str(row[7]))

    def touch_device(self, vault_id: str, device_id: str, now: float) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE memtray_devices SET last_seen = %s WHERE vault_id = %s AND device_id = %s",
                (now, vault_id, device_id),
            )

    def list_vaults(self) -> list[VaultRecord]:
        with self._read() as db:
            rows = db.execute("SELECT vault_id, created FROM memtray_vaults ORDER BY created, vault_id").fetchall()
        return [VaultRecord(vault_id=str(row[0]), created=float(str(row[1]))) for row in rows]

    def list_devices(self, vault_id: str) -> list[DeviceRecord]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {DEVICE_COLUMNS} FROM memtray_devices WHERE vault_id = %s ORDER BY enrolled", (vault_id,)
            ).fetchall()
        return [device_record(row) for row in rows]

    def revoke_device(self, vault_id: str, device_id: str, now: float, by: str | None) -> bool:
        with self._write() as db:
            # The vault's row lock serialises revocations, so two at once cannot both pass the "last" rule.
            db.execute("SELECT 1 FROM memtray_vaults WHERE vault_id = %s FOR UPDATE", (vault_id,))
            rows = db.execute(
                "SELECT device_id, enrolled, revoked IS NOT NULL FROM memtray_devices WHERE vault_id = %s",
                (vault_id,),
            ).fetchall()
            step = revoke_step(rows, device_id, by)
            if step != "revoke":
                return step == "already"
            db.execute(
                "UPDATE memtray_devices SET revoked = %s WHERE vault_id = %s AND device_id = %s",
                (now, vault_id, device_id),
            )
            db.execute("SELECT pg_notify(%s, %s)", (CHANGES_CHANNEL, f"{vault_id} {device_id}"))
        return True

    def vault_exists(self, vault_id: str) -> bool:
        with self._read() as db:
            return db.execute("SELECT 1 FROM memtray_vaults WHERE vault_id = %s", (vault_id,)).fetchone() is not None

    def put_new(self, vault_id: str, key: str, data: bytes, owner: str, now: float) -> int:
        with self._write() as db:
            created = db.execute(
                "INSERT INTO memtray_objects (vault_id, key, owner, created, data) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING RETURNING 1",
                (vault_id, key, owner, now, data),
            ).fetchone()
            if created is None:
                raise StorageConflictError("key exists")
            return _bump(db, vault_id)

    def get(self, vault_id: str, key: str) -> bytes | None:
        with self._read() as db:
            row = db.execute(
                "SELECT data FROM memtray_objects WHERE vault_id = %s AND key = %s", (vault_id, key)
            ).fetchone()
        return None if row is None else bytes(row[0])  # type: ignore[call-overload]

    def owner(self, vault_id: str, key: str) -> str | None:
        with self._read() as db:
            row = db.execute(
                "SELECT owner FROM memtray_objects WHERE vault_id = %s AND key = %s", (vault_id, key)
            ).fetchone()
        return None if row is None else str(row[0])

    def delete(self, vault_id: str, key: str) -> int | None:
        with self._write() as db:
            gone = db.execute("DELETE FROM memtray_objects WHERE vault_id = %s AND key = %s", (vault_id, key)).rowcount
            return _bump(db, vault_id) if gone else None

    def list_keys(self, vault_id: str, prefix: str, after: str | None, limit: int) -> Page:
        operator, low, high = key_range(prefix, after)
        with self._read() as db:
            rows = db.execute(
                f"SELECT key FROM memtray_objects WHERE vault_id = %s AND key {operator} %s AND key < %s"
                " ORDER BY key LIMIT %s",
                (vault_id, low, high, limit + 1),
            ).fetchall()
        return key_page(rows, prefix, limit)

    def change_counter(self, vault_id: str) -> int:
        with self._read() as db:
            row = db.execute("SELECT changes FROM memtray_vaults WHERE vault_id = %s", (vault_id,)).fetchone()
        return 0 if row is None else int(str(row[0]))


def _redeem(db: Connection, invite_hash: str, vault_id: str | None, now: float) -> None:
    row = db.execute(
        "UPDATE memtray_invites SET used = %s WHERE hash = %s AND vault_id IS NOT DISTINCT FROM %s"
        " AND used IS NULL AND expires > %s RETURNING created_by",
        (now, invite_hash, vault_id, now),
    ).fetchone()
    if row is None:
        raise InviteRejectedError("invite rejected")
    if row[0] is not None:
        # FOR SHARE waits for a revocation of the inviting device in flight and then sees its outcome.
        inviter = db.execute(
            "SELECT revoked IS NULL FROM memtray_devices WHERE vault_id = %s AND device_id = %s FOR SHARE",
            (vault_id, row[0]),
        ).fetchone()
        if inviter is None or not inviter[0]:
            raise InviteRejectedError("invite rejected")


def _insert_device(db: Connection, device: DeviceRecord, token_hash: str) -> None:
    inserted = db.execute(
        "INSERT INTO memtray_devices (vault_id, device_id, name, token_hash, token_prefix, created)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
        (device.vault_id, device.device_id, device.name, token_hash, device.token_prefix, device.created),
    ).fetchone()
    if inserted is None:
        raise StorageConflictError("device exists")


def _bump(db: Connection, vault_id: str) -> int:
    row = db.execute(
        "UPDATE memtray_vaults SET changes = changes + 1 WHERE vault_id = %s RETURNING changes", (vault_id,)
    ).fetchone()
    if row is None:
        raise StorageConflictError("no such vault")
    db.execute("SELECT pg_notify(%s, %s)", (CHANGES_CHANNEL, vault_id))
    return int(str(row[0]))


@contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except DatabaseUnreachableError as exc:
        log.warning("%s", exc)
        raise StorageBusyError("database unreachable") from None
    except errors.DiskFull:
        raise StorageFullError("storage full") from None
    except psycopg.OperationalError:
        # Lock or statement timeouts, deadlocks, a dropped connection, a server restarting: worth a retry.
        raise StorageBusyError("storage busy") from None
