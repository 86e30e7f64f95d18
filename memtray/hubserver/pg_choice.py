"""Which database a hub command uses: SQLite in ``--data`` (the default) or PostgreSQL at ``--database``.

psycopg is imported only when PostgreSQL is chosen, so a SQLite hub never needs it installed (and other
memtray commands never pay for loading it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from memtray.errors import UsageError
from memtray.hubserver.sqlite_store import SQLiteStorage, database_path
from memtray.hubserver.storage import Storage

if TYPE_CHECKING:
    from memtray.hubserver.changes import ChangeFeed

DATABASE_ENV = "MEMTRAY_HUB_DATABASE"
SCHEMES = ("postgresql://", "postgres://")


def default_database() -> str | None:
    return os.environ.get(DATABASE_ENV) or None


def open_storage(data: Path | None, database: str | None, *, must_exist: bool) -> Storage:
    """The hub's storage; ``must_exist`` refuses to start a new SQLite file (operator commands)."""
    if database:
        if not database.startswith(SCHEMES):
            raise UsageError("The hub's --database must be a postgresql://user@host:port/dbname address.")
        try:
            from memtray.hubserver.pg_pool import DatabaseUnreachableError
            from memtray.hubserver.pg_store import PostgresStorage
        except ImportError:
            raise UsageError(
                "This memtray has no PostgreSQL support; install it with: pip install 'memtray[postgres]'."
            ) from None
        try:
            return PostgresStorage(database)
        except DatabaseUnreachableError as exc:
            raise UsageError(str(exc)) from None
    if data is None:
        raise UsageError("Give --data FOLDER (the hub keeps its SQLite database there) or --database postgresql://….")
    path = database_path(data)
    if must_exist and not path.exists():
        raise UsageError(f"No hub data in {data}; start it once with 'memtray hub serve --data {data}'.")
    return SQLiteStorage(path)


def change_feed_for(storage: Storage) -> ChangeFeed | None:
    """Other processes' changes reach this one only through PostgreSQL; SQLite has one process."""
    if isinstance(storage, SQLiteStorage):
        return None
    from memtray.hubserver.pg_changes import PostgresChangeFeed
    from memtray.hubserver.pg_store import PostgresStorage

    return PostgresChangeFeed(storage.url) if isinstance(storage, PostgresStorage) else None
