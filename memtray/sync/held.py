"""Files the secret guard holds back: what is checked before it is sent, and the record of what was held.

Before a pending version is sent (publish.py), its content is checked for secrets (secret_guard.py). A version
with a finding is not sent: it stays pending, so every sync checks it again, and it is recorded here as held
(folder, path, fingerprint, line, what was found) until the file changes again (a new version replaces the
record) or the version is sent. ``allow`` lets exactly the held version of a file go ("Send anyway"); the next
sync sends it.

Only text that would newly reach the hub counts: lines the hub already has are not checked again. Those are the
lines of the file's versions that other laptops sent (they came from the hub) and of the texts of it this laptop
sent last. So a file merged with another laptop's text is not held for a key that laptop already sent (say, with
its guard off), and a file sent anyway is not held again for the same line when another line changes.

Never checked: deletions, versions already on the hub as a blob (a repair sends them again), and the folders
whose guard is off on this laptop (``SyncContext.unguarded``). Credentials files are never sent at all (see
``globs.is_credentials_file``). Content that cannot be read right now is not sent this time: nothing is ever
sent unchecked. Older texts that a conflict set aside travel only when clean (``sendable``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from memtray.model import HeldFile
from memtray.sync.contents import with_bytes_at_hand
from memtray.sync.globs import is_credentials_file
from memtray.sync.records import FileRow, FileVersion
from memtray.sync.scan import read_file
from memtray.sync.secret_guard import GROUP_BYTES, Finding, could_hold_a_key, first_finding

if TYPE_CHECKING:
    from memtray.sync.cycle import SyncContext
    from memtray.sync.index import Index

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS held (folder TEXT NOT NULL, path TEXT NOT NULL, sha TEXT NOT NULL,"
    " line INTEGER NOT NULL, finding TEXT NOT NULL, allowed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (folder, path))",
    "CREATE TABLE IF NOT EXISTS sent_texts (id INTEGER PRIMARY KEY, folder TEXT NOT NULL, path TEXT NOT NULL,"
    " sha TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sent_texts_by_path ON sent_texts (folder, path)",
)
# What counts as already on the hub, per file: its newest versions (those from other laptops among them), and the
# newest texts this laptop sent.
ON_HUB_VERSIONS = 32
SENT_KEPT = 4


@dataclass(frozen=True)
class Held:
    folder_id: str
    path: str
    sha: str
    finding: Finding


class HeldStore:
    """The held files, in their own tables of the index's database."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        for statement in SCHEMA:  # one by one: executescript would commit a transaction in progress
            self._db.execute(statement)

    def allowed(self) -> dict[tuple[str, str], str]:
        """The version (fingerprint) of each file the person said to send anyway."""
        rows = self._db.execute("SELECT folder, path, sha FROM held WHERE allowed = 1")
        return {(folder, path): sha for folder, path, sha in rows}

    def allow(self, folder_id: str, path: str) -> bool:
        """Let the held version of this file go at the next sync; False if the file is not held."""
        cursor = self._db.execute("UPDATE held SET allowed = 1 WHERE folder = ? AND path = ?", (folder_id, path))
        return cursor.rowcount > 0

    def replace(self, held: Iterable[Held], sending: dict[tuple[str, str], str]) -> None:
        """The files held now; an allowance stays only while its version is still the one to send."""
        self._db.execute("DELETE FROM held WHERE allowed = 0")
        for (folder, path), sha in self.allowed().items():
            if sending.get((folder, path)) != sha:
                self._db.execute("DELETE FROM held WHERE folder = ? AND path = ?", (folder, path))
        self._db.executemany(
            "INSERT OR REPLACE INTO held (folder, path, sha, line, finding) VALUES (?, ?, ?, ?, ?)",
            ((h.folder_id, h.path, h.sha, h.finding.line, h.finding.kind) for h in held),
        )

    def sent(self, versions: Iterable[FileVersion]) -> None:
        """These versions reached the hub: none of them is held any more; the newest ``SENT_KEPT`` texts sent of
        each file are remembered."""
        versions = list(versions)
        texts = [(version.folder, version.path, version.sha) for version in versions if not version.deleted]
        self._db.executemany(
            "DELETE FROM held WHERE folder = ? AND path = ? AND sha = ?",
            ((version.folder, version.path, version.sha) for version in versions),
        )
        self._db.executemany("INSERT INTO sent_texts (folder, path, sha) VALUES (?, ?, ?)", texts)
        self._db.executemany(
            "DELETE FROM sent_texts WHERE folder = ? AND path = ? AND id NOT IN"
            " (SELECT id FROM sent_texts WHERE folder = ? AND path = ? ORDER BY id DESC LIMIT ?)",
            ((folder, path, folder, path, SENT_KEPT) for folder, path, _ in texts),
        )

    def sent_texts(self, folder_id: str, path: str) -> set[str]:
        """The fingerprints of the newest texts of this file that this laptop sent."""
        rows = self._db.execute("SELECT sha FROM sent_texts WHERE folder = ? AND path = ?", (folder_id, path))
        return {str(row[0]) for row in rows}

    def held(self) -> list[Held]:
        """The files held back and not allowed, by folder and path."""
        rows = self._db.execute(
            "SELECT folder, path, sha, line, finding FROM held WHERE allowed = 0 ORDER BY folder, path"
        )
        return [Held(folder, path, sha, Finding(line, finding)) for folder, path, sha, line, finding in rows]


def held_files(index: Index) -> list[HeldFile]:
    """The files held back on this laptop, in folders the vault still has, for the person to see."""
    names = {folder_id: folder.name for folder_id, folder in index.folder_defs().items() if not folder.removed}
    return [
        HeldFile(held.folder_id, names[held.folder_id], held.path, held.finding.line, held.finding.kind)
        for held in HeldStore(index.db).held()
        if held.folder_id in names
    ]


def note_sent(index: Index, versions: Iterable[FileVersion]) -> None:
    """These versions reached the hub (called in the transaction that marks them sent)."""
    HeldStore(index.db).sent(versions)


def hold_back(ctx: SyncContext, pending: list[FileRow], contents: dict[str, bytes]) -> list[FileRow]:
    """The pending rows to send now; every other one stays pending. Records which files are held and why."""
    store = HeldStore(ctx.index.db)
    allowed = store.allowed()
    sending: list[FileRow] = []
    held: list[Held] = []
    for batch in _batches(ctx, pending, allowed, contents):
        suspects = iter(could_hold_a_key([data for _, checked, data in batch if checked and data is not None]))
        for row, checked, data in batch:
            if not checked:
                sending.append(row)
                continue
            if data is None:
                continue
            version = row.version
            finding = _new_secret(ctx, store, version, data, contents) if next(suspects) else None
            if finding is None:
                sending.append(row)
            else:
                held.append(Held(version.folder, version.path, version.sha, finding))
    with ctx.index.transaction():
        store.replace(held, {row.version.key: row.version.sha for row in sending})
    return sending


def _batches(
    ctx: SyncContext, pending: list[FileRow], allowed: dict[tuple[str, str], str], contents: dict[str, bytes]
) -> Iterator[list[tuple[FileRow, bool, bytes | None]]]:
    """The pending rows that may be sent, about ``GROUP_BYTES`` of content at a time: each with whether it is
    checked, and the content to check (None: not to be had right now)."""
    batch: list[tuple[FileRow, bool, bytes | None]] = []
    size = 0
    for row, at_hand in with_bytes_at_hand(ctx.index, pending, contents):
        version = row.version
        if is_credentials_file(version.path):
            continue
        if allowed.get(version.key) == version.sha or not _checked(ctx, version):
            batch.append((row, False, None))
            continue
        data = _content(ctx, version, at_hand)
        batch.append((row, True, data))
        size += len(data or b"")
        if size >= GROUP_BYTES:
            yield batch
            batch, size = [], 0
    yield batch


def sendable(ctx: SyncContext, versions: list[FileVersion], contents: Mapping[str, bytes]) -> list[FileVersion]:
    """Of older texts that this laptop sends along (texts a conflict set aside here), those without a new secret;
    the others are not sent: they stay on this laptop, in its conflict copy."""
    store = HeldStore(ctx.index.db)
    return [version for version in versions if _may_go(ctx, store, version, contents)]


def _may_go(ctx: SyncContext, store: HeldStore, version: FileVersion, contents: Mapping[str, bytes]) -> bool:
    if is_credentials_file(version.path):
        return False
    if not _checked(ctx, version):
        return True
    data = _content(ctx, version, contents)
    return data is not None and _new_secret(ctx, store, version, data, contents) is None


def _checked(ctx: SyncContext, version: FileVersion) -> bool:
    """Deletions, versions already on the hub as a blob and folders whose guard is off go unchecked."""
    return not (version.deleted or version.blob is not None or version.folder in ctx.unguarded)


def _new_secret(
    ctx: SyncContext, store: HeldStore, version: FileVersion, data: bytes, contents: Mapping[str, bytes]
) -> Finding | None:
    """The first secret in what ``version`` would newly bring to the hub."""
    finding = first_finding(data)
    return finding and first_finding(data, _on_hub_lines(ctx, store, version, contents))


def _content(ctx: SyncContext, version: FileVersion, contents: Mapping[str, bytes]) -> bytes | None:
    """The bytes of ``version`` from this cycle, the index or its file; None if they cannot be had right now."""
    data = contents.get(version.sha)
    if data is None:
        data = ctx.index.content(version.sha)
    if data is not None:
        return data
    root, disk_path = ctx.folder_roots.get(version.folder), ctx.disk_path(version.folder, version.path)
    if root is None or disk_path is None:
        return None
    try:
        data = read_file(root, disk_path)
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == version.sha else None


def _on_hub_lines(
    ctx: SyncContext, store: HeldStore, version: FileVersion, contents: Mapping[str, bytes]
) -> frozenset[bytes]:
    """The lines of the texts of this file that the hub already has (see the module's docstring)."""
    history = ctx.index.versions(version.folder, version.path)[:ON_HUB_VERSIONS]
    shas = {stored.version.sha for stored in history if stored.version.origin != ctx.me and not stored.version.deleted}
    shas |= store.sent_texts(version.folder, version.path)
    shas.discard(version.sha)
    lines: set[bytes] = set()
    for sha in shas:
        data = contents.get(sha)
        if data is None:
            data = ctx.index.content(sha)
        if data is not None:
            lines.update(line.rstrip(b"\r") for line in data.split(b"\n"))
    lines.discard(b"")
    return frozenset(lines)
