"""Conflicts: what the Conflicts view shows and what its buttons do, each exactly the text shown.

``kept`` is the file's content now (the view shows what keeping it keeps, even if the file changed since the
conflict), ``other`` the text set aside, byte for byte, and ``proposal`` the two combined. Resolving writes
through the same checked writer as restoring a version (a file with unsent edits is never overwritten); the
write is then an ordinary local edit that the next sync sends, and the resolution itself travels in the next
log entry, so every laptop that has the conflict resolves it too (see memtray/sync/conflict_news.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from memtray.errors import UsageError
from memtray.model import ConflictInfo, ConflictTexts
from memtray.service.base import ServiceBase
from memtray.service.history import History
from memtray.service.lock import HomeLock
from memtray.sync import containment
from memtray.sync.conflict_news import remove_copy
from memtray.sync.merge import as_text, combine_texts
from memtray.sync.records import ConflictRecord

KEEP_CHOICES = ("kept", "other", "both", "edited")
THIS_LAPTOP = "this laptop"


class Conflicts:
    def __init__(self, service: ServiceBase, history: History) -> None:
        self._service = service
        self._history = history

    def _names(self) -> dict[str, str]:
        return {**self._service.index.device_names(), self._service.config.device_id: self._service.config.device_name}

    def _root(self, folder_id: str) -> Path:
        path = self._service.config.folder_paths.get(folder_id)
        if path is None:
            raise UsageError("That conflict's folder has no place on this laptop. Choose where it lives first.")
        return Path(path)

    def _authors(self, record: ConflictRecord) -> tuple[str, str]:
        """The ids of the laptops the kept and the other text came from (older records did not store them)."""
        first_author = self._service.index.conflicts.first_author
        kept = record.kept_from or first_author(record.folder, record.path, record.current_sha) or ""
        other = record.other_from or first_author(record.folder, record.path, record.other_sha) or ""
        return kept, other

    def conflicts(self) -> list[ConflictInfo]:
        """Every conflict on this laptop, newest first, resolved ones included."""
        index, me = self._service.index, self._service.config.device_id
        folders = {folder_id: folder.name for folder_id, folder in index.folder_defs().items()}
        names = self._names()
        found = []
        for record in index.conflicts.all():
            kept, other = self._authors(record)
            found.append(
                ConflictInfo(
                    record.conflict_id,
                    folders.get(record.folder, record.folder),
                    record.path,
                    record.copy_path,
                    record.time,
                    names.get(other, record.other_device),
                    record.resolved,
                    names.get(kept, "another laptop"),
                    kept_is_mine=kept == me,
                    other_is_mine=other == me,
                )
            )
        return found

    def _record(self, conflict_id: int) -> ConflictRecord:
        record = self._service.index.conflicts.get(conflict_id)
        if record is None:
            raise UsageError("That conflict is no longer listed.")
        return record

    def _file_now(self, record: ConflictRecord) -> bytes:
        try:
            disk_path = self._history.disk_path(record.folder, record.path)  # the vault path's place here
            return containment.read_bytes(self._root(record.folder), disk_path)
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise UsageError(f"{record.path} could not be read ({exc.strerror or type(exc).__name__}).") from exc

    def _other(self, record: ConflictRecord) -> bytes:
        data = self._service.index.content(record.other_sha)
        if data is None and record.copy_path:
            try:
                copy = containment.read_bytes(self._root(record.folder), record.copy_path)
            except OSError:
                copy = None
            data = copy if copy is not None and hashlib.sha256(copy).hexdigest() == record.other_sha else None
        if data is None:
            raise UsageError(f"The other text of {record.path} is no longer kept on this laptop.")
        return data

    def _kept_from(self, record: ConflictRecord, kept: bytes, kept_author: str) -> str:
        """Who wrote what the file holds now: the conflict's kept text, a version synced since, or an edit here."""
        index = self._service.index
        sha = hashlib.sha256(kept).hexdigest()
        if sha == record.current_sha:
            return kept_author
        if index.known_vv(record.folder, record.path, sha) is None:
            return self._service.config.device_id
        return index.conflicts.first_author(record.folder, record.path, sha) or ""

    def _label(self, device_id: str) -> str:
        if device_id == self._service.config.device_id:
            return THIS_LAPTOP
        return self._names().get(device_id, "another laptop")

    def conflict_texts(self, conflict_id: int) -> ConflictTexts:
        record = self._record(conflict_id)
        kept, other = self._file_now(record), self._other(record)
        kept_author, other_author = self._authors(record)
        return ConflictTexts(
            _shown(kept),
            _shown(other),
            self._label(self._kept_from(record, kept, kept_author)),
            self._label(other_author) if other_author else record.other_device,
            _proposal(kept, other) or "",
        )

    def resolve_conflict(self, conflict_id: int, keep: str, text: str | None = None) -> None:
        """Keep the text in the file (``kept``), the other one (``other``), both combined (``both``) or ``text``
        (``edited``). The copy goes, and the other laptops resolve the conflict after their next sync. Never
        while this laptop syncs: the sync sends the resolution, so it must not change under it."""
        if keep not in KEEP_CHOICES:
            raise UsageError("Choose what to keep: 'kept', 'other', 'both' or 'edited'.")
        if keep == "edited" and text is None:
            raise UsageError("Type the text to keep, then save it.")
        with HomeLock(self._service.home.lock_file):
            record = self._record(conflict_id)
            if record.resolved:
                raise UsageError(f"The conflict in {record.path} was already resolved, here or on another laptop.")
            root = self._root(record.folder)
            write = self._text_to_write(record, keep, text)
            if write is not None:
                self._history.write_live(root, record.folder, record.path, write)
            remove_copy(root, record)
            index = self._service.index
            index.conflicts.resolve(conflict_id, tell_others=True)
            self._service.changed_for_sync()
            index.add_activity("resolved", record.folder, record.path, self._what_was_kept(record, keep))

    def _text_to_write(self, record: ConflictRecord, keep: str, text: str | None) -> bytes | None:
        if keep == "kept":
            return None
        if keep == "other":
            return self._other(record)
        if keep == "edited":
            return str(text).encode("utf-8")
        both = _proposal(self._file_now(record), self._other(record))
        if both is None:
            raise UsageError(f"{record.path} is not text, so its two versions can't be combined. Keep one of them.")
        return both.encode("utf-8")

    def _what_was_kept(self, record: ConflictRecord, keep: str) -> str:
        if keep == "other":
            other = self._authors(record)[1]
            return "kept the text set aside" + ("" if not other else f" from {self._label(other)}")
        return {"kept": "kept the text in the file", "both": "kept both texts", "edited": "kept an edited text"}[keep]


def _shown(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _proposal(kept: bytes, other: bytes) -> str | None:
    """Both texts in one, the file's first; None when either is not text."""
    kept_text, other_text = as_text(kept), as_text(other)
    if kept_text is None or other_text is None:
        return None
    return combine_texts(kept_text, other_text)
