"""A sync reads only the index rows it needs (``FolderRows`` in memtray/sync/cycle.py): a watch-triggered sync of
a large folder does not read every row, yet it still finishes a write that did not happen and counts a folder's
files as a whole before it deletes many of them. Real laptops in-process on a real folder hub; the rows read are
counted around the index's own row reader."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from memtray.model import DeletedBy, MassDeleteQuestion, SyncResult
from memtray.sync import index
from memtray.sync.records import FileRow
from memtray.sync.watch_changes import ReportedChanges
from tests.core.checkpoint_fleet import new_laptop
from tests.prove.fleet import FOLDER, InProcessLaptop, close_fleet
from tests.servers import folder_endpoint

FILES = 300


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[InProcessLaptop, InProcessLaptop]]:
    """Laptop A with a folder, laptop B joined and synced (nothing in the folder yet)."""
    hub = folder_endpoint(tmp_path / "hub")
    members = [new_laptop(tmp_path, hub, "Laptop-A", founder=True), new_laptop(tmp_path, hub, "Laptop-B")]
    try:
        yield members[0], members[1]
    finally:
        close_fleet(members)


class RowsRead:
    """Counts the file rows the index builds from what it reads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = index.row_to_file

        def counted(*args: Any) -> FileRow:
            self.count += 1
            return real(*args)

        monkeypatch.setattr(index, "row_to_file", counted)

    def by(self, sync: Callable[[], SyncResult]) -> int:
        before = self.count
        sync()
        return self.count - before


def write(member: InProcessLaptop, files: dict[str, str]) -> None:
    for name, text in files.items():
        (member.folder / name).parent.mkdir(parents=True, exist_ok=True)
        (member.folder / name).write_text(text)


def synced(a: InProcessLaptop, b: InProcessLaptop, files: dict[str, str]) -> None:
    """``files`` written on A, and on B's disk after a full sync of each."""
    write(a, files)
    a.service.sync()
    b.service.sync()
    assert {name: (b.folder / name).read_text() for name in files} == files


def watch_sync(
    member: InProcessLaptop, *reported: str, deleted: bool = False, allowed_delete: MassDeleteQuestion | None = None
) -> SyncResult:
    """A sync as the watcher starts it after its first walk: it looks only at the ``reported`` paths (with their
    folder if ``deleted``, as the watcher reports a delete) and takes every other file as the index has it."""
    ((folder_id, root),) = member.service.config.folder_paths.items()
    changes = ReportedChanges()
    changes.watching({folder_id: root})
    assert changes.take() is None, "the watcher's first sync walks everything"
    for path in reported:
        changes.note(folder_id, path, with_folder=deleted)
    return member.service.sync(changes=changes, allowed_delete=allowed_delete)


def folder_id(member: InProcessLaptop) -> str:
    return next(iter(member.service.config.folder_paths))


def test_a_watch_triggered_sync_reads_only_the_rows_it_needs(pair, monkeypatch: pytest.MonkeyPatch):
    a, b = pair
    notes = {f"project-{n % 10}/note-{n}.md": f"note {n}\n" for n in range(FILES)}
    synced(a, b, {**notes, "MEMORY.md": "first\n"})
    rows = RowsRead(monkeypatch)

    (a.folder / "MEMORY.md").write_text("edited on A\n")
    sent = rows.by(lambda: watch_sync(a, "MEMORY.md"))
    received = rows.by(lambda: watch_sync(b))

    assert (b.folder / "MEMORY.md").read_text() == "edited on A\n"
    assert sent < 10 and received < 10, f"A read {sent} rows, B {received}, of {FILES + 1}"
    (b.folder / "project-1" / "note-1.md").write_text("edited on B\n")
    assert rows.by(b.service.sync) > FILES, "a walk of everything that finds an edit reads every row"


def aged(member: InProcessLaptop) -> None:
    """Every file dated a minute ago, then synced: its stamp is then trusted without reading the file."""
    a_minute_ago = time.time() - 60
    for path in member.folder.rglob("*"):
        if path.is_file():
            os.utime(path, (a_minute_ago, a_minute_ago))
    member.service.sync()


def test_a_whole_walk_that_finds_every_file_as_stamped_reads_no_row(pair, monkeypatch: pytest.MonkeyPatch):
    a, b = pair
    synced(a, b, {f"project-{n % 10}/note-{n}.md": f"note {n}\n" for n in range(FILES)})
    aged(b)
    rows = RowsRead(monkeypatch)
    assert rows.by(b.service.sync) < 10, "nothing changed: the walk matched the stamps"

    (b.folder / "project-3" / "note-3.md").unlink()
    gone = b.service.sync()
    assert gone.uploaded == 1 and rows.by(b.service.sync) < 10
    a.service.sync()
    assert not (a.folder / "project-3" / "note-3.md").exists(), "one file fewer is a deletion"

    aged(b)
    (b.folder / "project-4" / "note-4.md").rename(b.folder / "project-4" / "renamed.md")
    moved = b.service.sync()
    assert moved.uploaded == 2, "as many files as before, one of them under a new name: a deletion and a new file"
    a.service.sync()
    assert (a.folder / "project-4" / "renamed.md").read_text() == "note 4\n"
    assert not (a.folder / "project-4" / "note-4.md").exists()


def test_a_write_that_did_not_happen_is_finished_by_a_later_watch_triggered_sync(pair):
    a, b = pair
    synced(a, b, {"MEMORY.md": "first\n"})
    (b.folder / "notes").write_text("a file where A's folder goes; no watcher reports it\n")
    write(a, {"notes/new.md": "new on A\n"})
    a.service.sync()

    failed = watch_sync(b)
    assert [(p.path, p.message) for p in failed.problems] == [
        ("notes/new.md", "a file stands where its folder should be")
    ]
    (b.folder / "notes").unlink()
    finished = watch_sync(b)

    assert (b.folder / "notes" / "new.md").read_text() == "new on A\n"
    assert finished.downloaded == 1 and finished.problems == []


def test_a_stamp_left_behind_its_version_is_brought_up_to_date_by_a_later_watch_triggered_sync(pair):
    a, b = pair
    synced(a, b, {"MEMORY.md": "first\n"})
    stamps = "SELECT vv, disk_vv FROM files WHERE path = 'MEMORY.md'"
    with sqlite3.connect(b.laptop.home / "data" / "index.sqlite3") as db:  # as a sync stopped before step 6 leaves it
        (version_vv, _) = db.execute(stamps).fetchone()
        db.execute("UPDATE files SET disk_vv = '{}' WHERE path = 'MEMORY.md'")

    watch_sync(b)

    with sqlite3.connect(b.laptop.home / "data" / "index.sqlite3") as db:
        assert db.execute(stamps).fetchone() == (version_vv, version_vv)


def test_a_watch_triggered_sync_counts_the_whole_folder_before_deleting_many_files_here(pair):
    a, b = pair
    synced(a, b, {f"d{n}/note.md": f"note {n}\n" for n in range(10)})
    for n in range(3):
        (b.folder / f"d{n}/note.md").unlink()
    assert watch_sync(b, *(f"d{n}/note.md" for n in range(3)), deleted=True).uploaded == 3, "3 of 10: no question"

    for n in range(3, 7):
        (b.folder / f"d{n}/note.md").unlink()
    held = watch_sync(b, *(f"d{n}/note.md" for n in range(3, 7)), deleted=True).mass_delete
    assert held == MassDeleteQuestion(folder_id(b), FOLDER, 4, 7, DeletedBy.THIS_LAPTOP)


def test_a_watch_triggered_sync_counts_the_whole_folder_before_another_laptops_deletions(pair):
    a, b = pair
    synced(a, b, {f"d{n}/note.md": f"note {n}\n" for n in range(10)})
    for n in range(4):
        (a.folder / f"d{n}/note.md").unlink()
    a.service.sync()
    done = watch_sync(b)
    assert done.mass_delete is None and done.deleted_here == 4, "4 of 10: no question"

    for n in range(4, 8):
        (a.folder / f"d{n}/note.md").unlink()
    a.service.sync(allow_mass_delete=True)
    held = watch_sync(b)

    assert held.mass_delete == MassDeleteQuestion(folder_id(b), FOLDER, 4, 6, DeletedBy.ANOTHER_LAPTOP)
    assert all((b.folder / f"d{n}/note.md").exists() for n in range(4, 8)), "nothing was deleted"
    assert watch_sync(b, allowed_delete=held.mass_delete).deleted_here == 4


def test_the_files_deleted_here_in_the_same_sync_count_as_gone_before_another_laptops_deletions(pair):
    a, b = pair
    synced(a, b, {f"d{n}/note.md": f"note {n}\n" for n in range(10)})
    for n in range(5):
        (a.folder / f"d{n}/note.md").unlink()
    a.service.sync()
    for n in range(8, 10):
        (b.folder / f"d{n}/note.md").unlink()

    held = watch_sync(b, "d8/note.md", "d9/note.md", deleted=True).mass_delete

    assert held == MassDeleteQuestion(folder_id(b), FOLDER, 5, 8, DeletedBy.ANOTHER_LAPTOP), "5 of the 8 left"


def test_a_watch_triggered_sync_on_a_case_insensitive_disk_sees_every_file_a_new_one_would_meet(
    pair, monkeypatch: pytest.MonkeyPatch
):
    a, b = pair
    monkeypatch.setenv("MEMTRAY_OS_RULES", "macos")
    synced(a, b, {"notes.md": "lower\n", "other.md": "other\n"})
    write(a, {"Notes.md": "upper\n"})
    a.service.sync()

    done = watch_sync(b)

    assert [problem.path for problem in done.problems] == ["Notes.md"]
    assert "upper/lower case" in done.problems[0].message
    assert sorted(path.name for path in b.folder.iterdir()) == ["notes.md", "other.md"]
