"""Full-text search over every memory file this laptop knows: SQLite FTS5, ranked by bm25.

The search index is its own SQLite file in the memtray home (``data/ask-search.sqlite3``, private like the
index), not a table in the index: it is only ever written by ``memtray mcp``, so the search never takes the
index's write lock a running sync holds, the index stays the one file sync owns (and moves), and the search
index can be deleted at any time and is rebuilt on the next search.

It follows the index by each file's SHA-256: before a search, when the index changed since the last look
(``PRAGMA data_version``), files whose SHA-256 differs from what was indexed are indexed again and files that are
gone are dropped. Texts are indexed with secrets already masked (memtray/ask/masking.py), so a secret can neither
be found by searching nor shown in a snippet.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from memtray.ask.masking import mask_secrets
from memtray.ask.vault_view import AskError, MemoryFile, VaultView
from memtray.sync.index import open_private_database

# Raise when what is indexed (or how it is masked) changes: the index is then built again from scratch.
FORMAT = "1"
MAX_TEXT = 2 * 1024 * 1024
SNIPPET = 240
OPTIMIZE_AFTER = 500
WORD = re.compile(r"\w+", re.UNICODE)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY, folder TEXT NOT NULL, path TEXT NOT NULL, sha TEXT NOT NULL, UNIQUE (folder, path)
);
CREATE VIRTUAL TABLE IF NOT EXISTS body USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
"""
LIVE = "(SELECT value FROM json_each(?))"
# Files of live folders whose SHA-256 is not the one indexed (or that are not indexed yet).
CHANGED = (
    "SELECT f.folder, f.path FROM idx.files AS f LEFT JOIN docs AS d ON d.folder = f.folder AND d.path = f.path"
    f" WHERE f.deleted = 0 AND f.folder IN {LIVE} AND (d.sha IS NULL OR d.sha != f.sha)"
)
# Indexed files that were deleted, or whose folder was removed.
GONE = (
    "SELECT d.id FROM docs AS d LEFT JOIN idx.files AS f ON f.folder = d.folder AND f.path = d.path"
    f" WHERE f.path IS NULL OR f.deleted = 1 OR d.folder NOT IN {LIVE}"
)


@dataclass(frozen=True)
class Hit:
    folder: str
    path: str
    line: int
    snippet: str
    score: float


def search_file(home_data: Path) -> Path:
    return home_data / "ask-search.sqlite3"


class SearchIndex:
    def __init__(self, path: Path, index_path: Path) -> None:
        self.db = open_private_database(path, SCHEMA)
        self.db.execute("ATTACH DATABASE ? AS idx", (str(index_path),))
        self._lock = threading.Lock()
        self._seen: int | None = None
        if self._meta("format") != FORMAT:
            self.db.execute("DELETE FROM docs")
            self.db.execute("DELETE FROM body")
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?)", (FORMAT,))

    def close(self) -> None:
        self.db.close()

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def refresh(self, view: VaultView) -> int:
        """Bring the search index up to the laptop's index; how many files were (re)indexed."""
        with self._lock:
            version = int(self.db.execute("PRAGMA idx.data_version").fetchone()[0])
            if version == self._seen:
                return 0
            changed = self._catch_up(view)
            self._seen = version
            return changed

    def _catch_up(self, view: VaultView) -> int:
        """Compare SHA-256s in SQL (the index is attached read-only in spirit: this connection never writes it)."""
        folders = view.folders()
        live = json.dumps(sorted(folders))
        fresh = [view.file(folder, path, folders) for folder, path in self.db.execute(CHANGED, (live,)).fetchall()]
        gone = [row[0] for row in self.db.execute(GONE, (live,)).fetchall()]
        if not gone and not fresh:
            return 0
        self.db.execute("BEGIN")  # deferred: only the search index is ever locked for writing, never the index
        try:
            for doc_id in gone:
                self.db.execute("DELETE FROM docs WHERE id = ?", (doc_id,))
                self.db.execute("DELETE FROM body WHERE rowid = ?", (doc_id,))
            for file in fresh:
                if file is not None:
                    self._index_file(view, file)
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        if len(fresh) + len(gone) >= OPTIMIZE_AFTER:
            self.db.execute("INSERT INTO body (body) VALUES ('optimize')")  # one b-tree: searches ~25% faster
        return len(fresh)

    def _index_file(self, view: VaultView, file: MemoryFile) -> None:
        row = self.db.execute(
            "SELECT id FROM docs WHERE folder = ? AND path = ?", (file.folder.folder_id, file.path)
        ).fetchone()
        doc_id: int | None = row[0] if row else None
        if doc_id is not None:
            self.db.execute("DELETE FROM body WHERE rowid = ?", (doc_id,))
            self.db.execute("UPDATE docs SET sha = ? WHERE id = ?", (file.sha, doc_id))
        else:
            doc_id = self.db.execute(
                "INSERT INTO docs (folder, path, sha) VALUES (?, ?, ?)", (file.folder.folder_id, file.path, file.sha)
            ).lastrowid
        text = _searchable_text(view, file)
        if text is not None:
            self.db.execute("INSERT INTO body (rowid, text) VALUES (?, ?)", (doc_id, text))

    def search(self, view: VaultView, query: str, limit: int = 10) -> list[Hit]:
        """The files that best match ``query`` (all its words, else any of them), best first."""
        words = [word.lower() for word in WORD.findall(query)]
        if not words:
            raise AskError("Give one or more words to search for.")
        self.refresh(view)
        rows = self._match(" AND ".join(_quoted(w) for w in words), limit)
        if not rows and len(words) > 1:
            rows = self._match(" OR ".join(_quoted(w) for w in words), limit)
        hits = []
        for folder, path, text, score in rows:
            line, snippet = best_line(text, set(words))
            hits.append(Hit(folder, path, line, snippet, float(score)))
        return hits

    def _match(self, expression: str, limit: int) -> list[tuple[str, str, str, float]]:
        with self._lock:
            return self.db.execute(
                "SELECT docs.folder, docs.path, hits.text, hits.rank FROM"
                " (SELECT rowid, text, rank FROM body WHERE body MATCH ? ORDER BY rank LIMIT ?) AS hits"
                " JOIN docs ON docs.id = hits.rowid ORDER BY hits.rank",
                (expression, limit),
            ).fetchall()


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _searchable_text(view: VaultView, file: MemoryFile) -> str | None:
    """The file's text with secrets masked; None for a file that is not text, too large, or not kept here."""
    if file.size > MAX_TEXT:
        return None
    try:
        data = view.read_indexed(file)
    except AskError:
        return None
    if b"\x00" in data[:8192]:
        return None
    return mask_secrets(data.decode("utf-8", errors="replace"))


def best_line(text: str, words: set[str]) -> tuple[int, str]:
    """The (1-based) line holding most of ``words``, and a snippet of it around the first one."""
    best, best_count = 0, 0
    lines = text.split("\n")
    for number, line in enumerate(lines):
        count = len(words & {word.lower() for word in WORD.findall(line)})
        if count > best_count:
            best, best_count = number, count
            if count == len(words):
                break
    line = lines[best].strip() if lines else ""
    if len(line) <= SNIPPET:
        return best + 1, line
    first = min((m.start() for m in WORD.finditer(line) if m.group().lower() in words), default=0)
    start = max(0, first - SNIPPET // 3)
    snippet = line[start : start + SNIPPET]
    return best + 1, ("…" if start else "") + snippet + ("…" if start + SNIPPET < len(line) else "")
