"""The index's table of conflicts: which text stayed in a file, which was set aside, from which laptops, and what
the other laptops still have to hear about it (see conflict_news.py).

A conflict is the same on every laptop that has it: same folder, same path, same two texts (by SHA-256).
"""

from __future__ import annotations

import sqlite3
import time
from enum import IntEnum
from typing import Any

from memtray.sync.records import ConflictRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS conflicts (
    id INTEGER PRIMARY KEY, time REAL NOT NULL, folder TEXT NOT NULL, path TEXT NOT NULL,
    copy_path TEXT, current_sha TEXT NOT NULL, other_sha TEXT NOT NULL, other_device TEXT NOT NULL,
    resolved INTEGER NOT NULL DEFAULT 0
);
"""
# Added after the first release; an older index gets them in place, empty (see ``ConflictRecord``).
ADDED_COLUMNS = {
    "kept_from": "TEXT NOT NULL DEFAULT ''",
    "other_from": "TEXT NOT NULL DEFAULT ''",
    "news": "INTEGER NOT NULL DEFAULT 0",
}
COLUMNS = "id, time, folder, path, copy_path, current_sha, other_sha, other_device, resolved, kept_from, other_from"


class News(IntEnum):
    """What this laptop's next log entry says about a conflict."""

    NONE = 0
    OPENED = 1
    """It happened here: laptops that wrote one of its texts learn of it."""
    SETTLED = 2
    """It was resolved here: every laptop that has it marks it resolved."""


def _record(row: tuple[Any, ...]) -> ConflictRecord:
    conflict_id, when, folder, path, copy_path, kept, other, device, resolved, kept_from, other_from = row
    return ConflictRecord(
        conflict_id, when, folder, path, copy_path, kept, other, device, bool(resolved), kept_from, other_from
    )


class ConflictStore:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(SCHEMA)
        present = {column[1] for column in db.execute("PRAGMA table_info(conflicts)")}
        for name, definition in ADDED_COLUMNS.items():
            if name not in present:
                db.execute(f"ALTER TABLE conflicts ADD COLUMN {name} {definition}")

    def add(
        self,
        folder: str,
        path: str,
        copy_path: str | None,
        kept: tuple[str, str],
        other: tuple[str, str],
        other_device: str,
        news: News,
    ) -> int:
        """Record a conflict; ``kept`` and ``other`` are each (SHA-256 of the text, id of the laptop it came from)."""
        cursor = self.db.execute(
            "INSERT INTO conflicts (time, folder, path, copy_path, current_sha, other_sha, other_device, kept_from,"
            " other_from, news) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (time.time(), folder, path, copy_path, kept[0], other[0], other_device, kept[1], other[1], int(news)),
        )
        return int(cursor.lastrowid or 0)

    def all(self) -> list[ConflictRecord]:
        """Every conflict, newest first, resolved ones included."""
        return [_record(row) for row in self.db.execute(f"SELECT {COLUMNS} FROM conflicts ORDER BY id DESC")]

    def get(self, conflict_id: int) -> ConflictRecord | None:
        row = self.db.execute(f"SELECT {COLUMNS} FROM conflicts WHERE id = ?", (conflict_id,)).fetchone()
        return _record(row) if row else None

    def open_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM conflicts WHERE resolved = 0").fetchone()[0])

    def matching(self, folder: str, path: str, sha_a: str, sha_b: str) -> list[ConflictRecord]:
        """This laptop's records of the conflict between these two texts of this file, resolved or not."""
        rows = self.db.execute(
            f"SELECT {COLUMNS} FROM conflicts WHERE folder = ? AND path = ?"
            " AND ((current_sha = ? AND other_sha = ?) OR (current_sha = ? AND other_sha = ?))",
            (folder, path, sha_a, sha_b, sha_b, sha_a),
        )
        return [_record(row) for row in rows]

    def resolve(self, conflict_id: int, *, tell_others: bool) -> None:
        news = News.SETTLED if tell_others else News.NONE
        self.db.execute("UPDATE conflicts SET resolved = 1, news = ? WHERE id = ?", (int(news), conflict_id))

    def news(self, kind: News, limit: int) -> list[ConflictRecord]:
        """Up to ``limit`` conflicts the next log entry tells the other laptops about, oldest first."""
        rows = self.db.execute(
            f"SELECT {COLUMNS} FROM conflicts WHERE news = ? ORDER BY id LIMIT ?", (int(kind), limit)
        )
        return [_record(row) for row in rows]

    def told(self, conflict_ids: list[int]) -> None:
        """The other laptops were told (a sync holds the home's lock, so nothing was resolved here meanwhile)."""
        self.db.executemany("UPDATE conflicts SET news = 0 WHERE id = ?", ((i,) for i in conflict_ids))

    def first_author(self, folder: str, path: str, sha: str) -> str | None:
        """The laptop the earliest version of this file with this content, that this laptop knows, came from."""
        row = self.db.execute(
            "SELECT origin FROM versions WHERE folder = ? AND path = ? AND sha = ? AND deleted = 0 ORDER BY id LIMIT 1",
            (folder, path, sha),
        ).fetchone()
        return str(row[0]) if row else None
