"""The local index's tables, and its rows as records: the schema, how a file row is read and written, and the
columns an index written by an earlier memtray gains."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from memtray.sync.records import DiskStamp, FileRow, FileVersion, FolderDef

UNSETTLED = "CASE WHEN deleted THEN disk_sha IS NOT NULL ELSE disk_sha IS NULL OR disk_sha != sha OR disk_vv != vv END"
"""The files whose disk does not hold their version yet: a write or a deletion still to do (the ones
``materialise._in_step`` does not skip)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    folder TEXT NOT NULL, path TEXT NOT NULL, vv TEXT NOT NULL, deleted INTEGER NOT NULL,
    sha TEXT NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL, origin TEXT NOT NULL,
    resolved INTEGER NOT NULL, blob TEXT,
    disk_sha TEXT, disk_size INTEGER, disk_mtime_ns INTEGER, disk_inode INTEGER, disk_vv TEXT,
    pending INTEGER NOT NULL DEFAULT 0, combined INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (folder, path)
);
CREATE INDEX IF NOT EXISTS files_pending ON files (pending) WHERE pending = 1;
CREATE INDEX IF NOT EXISTS files_unsettled ON files (folder, path) WHERE {UNSETTLED};
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY, folder TEXT NOT NULL, path TEXT NOT NULL, vv TEXT NOT NULL,
    deleted INTEGER NOT NULL, sha TEXT NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL,
    origin TEXT NOT NULL, blob TEXT, recorded REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_by_path ON versions (folder, path);
CREATE TABLE IF NOT EXISTS content (sha TEXT PRIMARY KEY, data BLOB NOT NULL, packed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS cursors (device TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, platform TEXT NOT NULL, last_seq INTEGER NOT NULL,
    last_seen REAL, acks TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS folders (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, include TEXT NOT NULL, exclude TEXT NOT NULL,
    removed INTEGER NOT NULL, stamp_time REAL NOT NULL, stamp_device TEXT NOT NULL, pending INTEGER NOT NULL,
    tags TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS activity (
    id INTEGER PRIMARY KEY, time REAL NOT NULL, kind TEXT NOT NULL, folder TEXT NOT NULL,
    path TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problems (folder TEXT NOT NULL, path TEXT NOT NULL, message TEXT NOT NULL,
    PRIMARY KEY (folder, path));
CREATE TABLE IF NOT EXISTS sent_entries (seq INTEGER PRIMARY KEY, time REAL NOT NULL, size INTEGER NOT NULL);
""".replace("{UNSETTLED}", UNSETTLED)

FILE_COLUMNS = (
    "folder, path, vv, deleted, sha, size, mtime, origin, resolved, blob, "
    "disk_sha, disk_size, disk_mtime_ns, disk_inode, disk_vv, pending, combined"
)


compact_json = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode
"""Compact JSON with sorted keys; one encoder for every call, as ``json.dumps`` with options makes a new one each."""


def _vector(text: str, decoded: dict[str, Any] | None) -> Any:
    """``text`` decoded; rows read together share one dict per distinct vector (vectors are never changed
    in place: vectors.py always builds new ones), which makes reading a large folder much faster."""
    if decoded is None:
        return json.loads(text)
    vector = decoded.get(text)
    if vector is None:
        vector = decoded[text] = json.loads(text)
    return vector


def row_to_file(row: tuple[Any, ...], decoded: dict[str, Any] | None = None) -> FileRow:
    folder, path, vv, deleted, sha, size, mtime, origin, resolved, blob = row[:10]
    version = FileVersion(
        folder, path, _vector(vv, decoded), bool(deleted), sha, size, mtime, origin, bool(resolved), blob, bool(row[16])
    )
    disk = None
    if row[10] is not None:
        disk = DiskStamp(row[10], row[11], row[12], row[13], _vector(row[14], decoded))
    return FileRow(version, disk, bool(row[15]))


def row_to_folder(r: tuple[Any, ...]) -> FolderDef:
    include, exclude, tags = json.loads(r[2]), json.loads(r[3]), json.loads(r[7])
    return FolderDef(r[0], r[1], include, exclude, bool(r[4]), (r[5], r[6]), **tags)


def file_params(row: FileRow) -> tuple[Any, ...]:
    v, d = row.version, row.disk
    return (
        v.folder,
        v.path,
        compact_json(v.vv),
        int(v.deleted),
        v.sha,
        v.size,
        v.mtime,
        v.origin,
        int(v.resolved),
        v.blob,
        d.sha if d else None,
        d.size if d else None,
        d.mtime_ns if d else None,
        d.inode if d else None,
        compact_json(d.vv) if d else None,
        int(row.pending),
        int(v.combined),
    )


def bring_up_to_date(db: sqlite3.Connection) -> None:
    """Add the columns an index written by an earlier memtray lacks."""
    added = (
        ("folders", "tags", "TEXT NOT NULL DEFAULT '{}'"),
        ("files", "combined", "INTEGER NOT NULL DEFAULT 0"),
        ("content", "packed", "INTEGER NOT NULL DEFAULT 1"),  # earlier indexes kept every text zlib-compressed
    )
    for table, column, definition in added:
        if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
