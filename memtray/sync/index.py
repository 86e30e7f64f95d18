"""The local SQLite index: this laptop's view of the vault.

It holds, per file, the version this laptop has and what was last seen on disk; the history of
versions (for merges against a common base and for restoring old versions); the content of
small versions, and of large ones that are not on the hub as a blob (so no version memtray read is
ever unrecoverable); how far each other laptop's log has been applied; and activity for the UI.
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from memtray.errors import LocalFileError
from memtray.paths import create_private_file
from memtray.sync.conflict_store import ConflictStore
from memtray.sync.index_rows import (
    FILE_COLUMNS,
    SCHEMA,
    UNSETTLED,
    bring_up_to_date,
    compact_json,
    file_params,
    row_to_file,
    row_to_folder,
)
from memtray.sync.records import (
    ActivityRecord,
    DeviceRecord,
    FileRow,
    FileVersion,
    FolderDef,
    ProblemRecord,
    StoredVersion,
)

SQL_VARIABLES = 500
"""Values bound in one statement at most (SQLite's own limit is 32,766 since 3.32, 999 before)."""


def remove_index_files(path: Path) -> None:
    """Delete the index at ``path`` with its write-ahead log and shared-memory files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def open_private_database(path: Path, schema: str) -> sqlite3.Connection:
    """Open (or create) a local SQLite database in WAL mode, shared by threads, and run ``schema`` on it.

    Its content may be plaintext: the file is created 0600 first, and SQLite gives its -wal and -shm files the
    same mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    create_private_file(path)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(schema)
    return db


class Index:
    def __init__(self, path: Path) -> None:
        try:
            self.db = open_private_database(path, SCHEMA)
            self.conflicts = ConflictStore(self.db)
            bring_up_to_date(self.db)
        except (sqlite3.Error, OSError) as exc:
            raise LocalFileError(f"memtray could not open its index at {path} ({exc}).") from exc

    def close(self) -> None:
        self.db.close()

    def close_as_single_file(self) -> None:
        """Close with the write-ahead log folded into the database file, so that one file can be moved."""
        self.db.execute("PRAGMA journal_mode=DELETE")
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def files(self, folder: str) -> dict[str, FileRow]:
        rows = self.db.execute(f"SELECT {FILE_COLUMNS} FROM files WHERE folder = ?", (folder,))
        vectors: dict[str, Any] = {}
        return {row[1]: row_to_file(row, vectors) for row in rows}

    def files_below(self, folder: str, path: str) -> Iterator[FileRow]:
        """The rows of ``path`` and of every file below it ("/"-separated), in ``folder``."""
        return self._select(folder, "path = ? OR (path > ? AND path < ?)", (path, path + "/", path + "0"))

    def files_in(self, folder: str, parent: str) -> Iterator[FileRow]:
        """The rows of the files right in the folder ``parent`` ("" for the top) of ``folder``, not below."""
        if not parent:
            return self._select(folder, "instr(path, '/') = 0")
        below = "path > ? AND path < ? AND instr(substr(path, ?), '/') = 0"
        return self._select(folder, below, (parent + "/", parent + "0", len(parent) + 2))

    def unsettled_files(self, folder: str) -> Iterator[FileRow]:
        """The rows of ``folder`` whose disk does not hold their version yet (see ``UNSETTLED``)."""
        return self._select(folder, UNSETTLED)

    def _select(self, folder: str, where: str, params: tuple[object, ...] = ()) -> Iterator[FileRow]:
        rows = self.db.execute(f"SELECT {FILE_COLUMNS} FROM files WHERE folder = ? AND ({where})", (folder, *params))
        vectors: dict[str, Any] = {}
        return (row_to_file(row, vectors) for row in rows)

    def count_on_disk(self, folder: str, live_only: bool) -> int:
        """How many files of ``folder`` have a stamp on disk (only those not deleted, if ``live_only``)."""
        query = "SELECT COUNT(*) FROM files WHERE folder = ? AND disk_sha IS NOT NULL" + (
            " AND deleted = 0" if live_only else ""
        )
        return int(self.db.execute(query, (folder,)).fetchone()[0])

    def disk_stamps(self, folder: str) -> dict[str, tuple[int, int, int]]:
        """The stamp on disk (size, mtime in ns, inode) of each file of ``folder`` that has one, by path."""
        rows = self.db.execute(
            "SELECT path, disk_size, disk_mtime_ns, disk_inode FROM files WHERE folder = ? AND disk_sha IS NOT NULL",
            (folder,),
        )
        return {path: (size, mtime_ns, inode) for path, size, mtime_ns, inode in rows}

    def paths_on_disk(self, folder: str) -> list[str]:
        """The paths of the files of ``folder`` that have a stamp on disk."""
        rows = self.db.execute("SELECT path FROM files WHERE folder = ? AND disk_sha IS NOT NULL", (folder,))
        return [path for (path,) in rows]

    def file(self, folder: str, path: str) -> FileRow | None:
        row = self.db.execute(f"SELECT {FILE_COLUMNS} FROM files WHERE folder = ? AND path = ?", (folder, path))
        found = row.fetchone()
        return row_to_file(found) if found else None

    def put_files(self, rows: Iterable[FileRow]) -> None:
        placeholders = ", ".join("?" * 17)
        self.db.executemany(
            f"INSERT OR REPLACE INTO files ({FILE_COLUMNS}) VALUES ({placeholders})", (file_params(r) for r in rows)
        )

    def mark_sent(self, versions: Iterable[FileVersion]) -> None:
        """These versions reached the hub: files still at exactly that version are no longer pending."""
        self.db.executemany(
            "UPDATE files SET pending = 0, blob = ? WHERE folder = ? AND path = ? AND vv = ?",
            ((v.blob, v.folder, v.path, compact_json(v.vv)) for v in versions),
        )

    def forget_disk(self, folder: str) -> None:
        """The folder moved: nothing is known about what its new place holds."""
        self.db.execute(
            "UPDATE files SET disk_sha = NULL, disk_size = NULL, disk_mtime_ns = NULL, disk_inode = NULL,"
            " disk_vv = NULL WHERE folder = ?",
            (folder,),
        )

    def known_vv(self, folder: str, path: str, sha: str) -> dict[str, int] | None:
        """The vector of a version of this file with this content that this laptop has seen, if any."""
        row = self.db.execute(
            "SELECT vv FROM versions WHERE folder = ? AND path = ? AND sha = ? AND deleted = 0 ORDER BY id DESC",
            (folder, path, sha),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def pending_files(self) -> list[FileRow]:
        vectors: dict[str, Any] = {}
        rows = self.db.execute(f"SELECT {FILE_COLUMNS} FROM files WHERE pending = 1")
        return [row_to_file(row, vectors) for row in rows]

    def all_files(self) -> Iterator[FileRow]:
        """Every file's row, read as the caller goes (a large vault's rows are never all in memory)."""
        return (row_to_file(r) for r in self.db.execute(f"SELECT {FILE_COLUMNS} FROM files"))

    def count_files(self, folder: str, live_only: bool = True) -> int:
        query = "SELECT COUNT(*) FROM files WHERE folder = ?" + (" AND deleted = 0" if live_only else "")
        return int(self.db.execute(query, (folder,)).fetchone()[0])

    def add_versions(self, versions: Iterable[FileVersion]) -> None:
        now = time.time()
        self.db.executemany(
            "INSERT INTO versions (folder, path, vv, deleted, sha, size, mtime, origin, blob, recorded)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (v.folder, v.path, compact_json(v.vv), int(v.deleted), v.sha, v.size, v.mtime, v.origin, v.blob, now)
                for v in versions
            ),
        )

    def versions(self, folder: str, path: str) -> list[StoredVersion]:
        """The history of one file, newest first."""
        rows = self.db.execute(
            "SELECT id, vv, deleted, sha, size, mtime, origin, blob, recorded FROM versions"
            " WHERE folder = ? AND path = ? ORDER BY id DESC",
            (folder, path),
        )
        return [
            StoredVersion(
                row[0],
                FileVersion(
                    folder, path, json.loads(row[1]), bool(row[2]), row[3], row[4], row[5], row[6], False, row[7]
                ),
                row[8],
            )
            for row in rows
        ]

    def version(self, version_id: int) -> FileVersion | None:
        row = self.db.execute(
            "SELECT folder, path, vv, deleted, sha, size, mtime, origin, blob FROM versions WHERE id = ?", (version_id,)
        ).fetchone()
        if row is None:
            return None
        return FileVersion(
            row[0], row[1], json.loads(row[2]), bool(row[3]), row[4], row[5], row[6], row[7], False, row[8]
        )

    def prune_versions(self, older_than: float) -> None:
        """Forget superseded versions recorded before ``older_than``, and content nothing refers to."""
        self.db.execute(
            "DELETE FROM versions WHERE recorded < ? AND NOT EXISTS (SELECT 1 FROM files f WHERE f.folder ="
            " versions.folder AND f.path = versions.path AND f.sha = versions.sha)",
            (older_than,),
        )
        self.db.execute(
            "DELETE FROM content WHERE sha NOT IN (SELECT sha FROM versions) AND sha NOT IN (SELECT sha FROM files)"
            " AND sha NOT IN (SELECT current_sha FROM conflicts) AND sha NOT IN (SELECT other_sha FROM conflicts)"
        )

    def put_content(self, items: Iterable[tuple[str, bytes]]) -> None:
        """Keep these bytes as they are: compressing each small text on its own cost more time than any other step of
        a first push (zlib sets up its tables for every call), for a few kilobytes of disk per note."""
        self.db.executemany("INSERT OR IGNORE INTO content (sha, data, packed) VALUES (?, ?, 0)", items)

    def content_held(self, shas: Iterable[str]) -> set[str]:
        """Which of ``shas`` the content table holds (their bytes are not read)."""
        return {sha for (sha,) in self._content_rows("sha", shas)}

    def content(self, sha: str) -> bytes | None:
        row = self.db.execute("SELECT data, packed FROM content WHERE sha = ?", (sha,)).fetchone()
        return None if row is None else _unpacked(row[0], row[1])

    def contents(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The bytes of those of ``shas`` the content table holds, by SHA-256."""
        return {sha: _unpacked(data, packed) for sha, data, packed in self._content_rows("sha, data, packed", shas)}

    def _content_rows(self, columns: str, shas: Iterable[str]) -> Iterator[Any]:
        """The content table's ``columns`` for those of ``shas`` it holds: one query per ``SQL_VARIABLES``."""
        wanted = list(dict.fromkeys(shas))
        for start in range(0, len(wanted), SQL_VARIABLES):
            part = wanted[start : start + SQL_VARIABLES]
            marks = ",".join("?" * len(part))
            yield from self.db.execute(f"SELECT {columns} FROM content WHERE sha IN ({marks})", part)

    def cursors(self) -> dict[str, tuple[int, str]]:
        return {row[0]: (row[1], row[2]) for row in self.db.execute("SELECT device, seq, hash FROM cursors")}

    def set_cursor(self, device: str, seq: int, entry_hash: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO cursors (device, seq, hash) VALUES (?, ?, ?)", (device, seq, entry_hash)
        )

    def put_device(self, device_id: str, name: str, platform: str, seq: int, seen: float, acks: dict[str, int]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO devices (id, name, platform, last_seq, last_seen, acks) VALUES (?, ?, ?, ?, ?, ?)",
            (device_id, name, platform, seq, seen, compact_json(acks)),
        )

    def devices(self) -> list[DeviceRecord]:
        rows = self.db.execute("SELECT id, name, platform, last_seq, last_seen, acks FROM devices ORDER BY name")
        return [DeviceRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def device_names(self) -> dict[str, str]:
        """Each known laptop's name by its id."""
        return {device_id: name for device_id, name in self.db.execute("SELECT id, name FROM devices")}

    def folder_defs(self) -> dict[str, FolderDef]:
        columns = "id, name, include, exclude, removed, stamp_time, stamp_device, tags"
        rows = self.db.execute(f"SELECT {columns} FROM folders")
        return {r[0]: row_to_folder(r) for r in rows}

    def pending_folder_defs(self) -> list[FolderDef]:
        pending = {r[0] for r in self.db.execute("SELECT id FROM folders WHERE pending = 1")}
        return [folder for folder_id, folder in self.folder_defs().items() if folder_id in pending]

    def put_folder_def(self, folder: FolderDef, pending: bool) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO folders (id, name, include, exclude, removed, stamp_time, stamp_device, pending,"
            " tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                folder.folder_id,
                folder.name,
                compact_json(folder.include),
                compact_json(folder.exclude),
                int(folder.removed),
                folder.stamp[0],
                folder.stamp[1],
                int(pending),
                compact_json({key: value for key, value in folder.tags().items() if value}),
            ),
        )

    def clear_pending_folder_defs(self) -> None:
        self.db.execute("UPDATE folders SET pending = 0")

    def add_activity(self, kind: str, folder: str, path: str, detail: str = "") -> None:
        self.db.execute(
            "INSERT INTO activity (time, kind, folder, path, detail) VALUES (?, ?, ?, ?, ?)",
            (time.time(), kind, folder, path, detail),
        )

    def activity(self, limit: int) -> list[ActivityRecord]:
        """The ``limit`` most recent things sync did, newest first."""
        rows = self.db.execute(
            "SELECT time, kind, folder, path, detail FROM activity ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [ActivityRecord(*row) for row in rows]

    def set_problems(self, folder: str, problems: dict[str, str]) -> None:
        self.db.execute("DELETE FROM problems WHERE folder = ?", (folder,))
        self.db.executemany(
            "INSERT INTO problems (folder, path, message) VALUES (?, ?, ?)",
            ((folder, path, message) for path, message in problems.items()),
        )

    def problems(self) -> list[ProblemRecord]:
        rows = self.db.execute("SELECT folder, path, message FROM problems ORDER BY folder, path")
        return [ProblemRecord(*row) for row in rows]

    def forget_device(self, device_id: str) -> None:
        """Stop tracking a laptop identity: its cursor and its entry in the list of laptops go."""
        self.db.execute("DELETE FROM cursors WHERE device = ?", (device_id,))
        self.db.execute("DELETE FROM devices WHERE id = ?", (device_id,))

    def note_entry_sent(self, seq: int, when: float, size: int) -> None:
        """This laptop's entry ``seq`` (``size`` bytes sealed, written at ``when``) is on the hub."""
        self.db.execute("INSERT OR REPLACE INTO sent_entries (seq, time, size) VALUES (?, ?, ?)", (seq, when, size))

    def sent_entries(self, after: int = 0) -> list[tuple[int, float, int]]:
        """Sequence number, time and sealed size of each entry of this laptop's still on the hub, after ``after``."""
        rows = self.db.execute("SELECT seq, time, size FROM sent_entries WHERE seq > ? ORDER BY seq", (after,))
        return [(int(seq), float(when), int(size)) for seq, when, size in rows]

    def forget_sent_entries(self, up_to: int) -> None:
        self.db.execute("DELETE FROM sent_entries WHERE seq <= ?", (up_to,))

    def republish_all(self) -> None:
        """Every file and folder definition is to be sent again, content included (no blob reused)."""
        self.db.execute("UPDATE files SET pending = 1, blob = NULL")
        self.db.execute("UPDATE folders SET pending = 1")


def _unpacked(data: bytes, packed: int) -> bytes:
    return zlib.decompress(data) if packed else bytes(data)
