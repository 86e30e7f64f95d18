"""The folder hub, checked local writes and the keychain, each against the real thing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import keyring.backends.fail
import pytest

from memtray.errors import HubUnreachableError, KeychainMissingError, ObjectExistsError, ObjectMissingError, UsageError
from memtray.hubs.folder import FolderHub
from memtray.keychain import Keychain
from memtray.sync import localfs
from memtray.sync.records import DiskStamp


def test_folder_hub_is_create_only_and_lists_in_order(tmp_path: Path):
    hub = FolderHub(tmp_path.as_uri())
    hub.put_new("log/dev/0000000000000002", b"two")
    hub.put_new("log/dev/0000000000000001", b"one")
    with pytest.raises(ObjectExistsError):
        hub.put_new("log/dev/0000000000000001", b"replacement")
    assert hub.get("log/dev/0000000000000001") == b"one"
    (tmp_path / "log" / "dev" / ".tmp-leftover").write_bytes(b"partial")
    (tmp_path / "log" / "dev" / "0000000000000003 (conflicted copy)").write_bytes(b"cloud drive copy")
    assert hub.list("log/") == ["log/dev/0000000000000001", "log/dev/0000000000000002"]
    assert hub.list("log/dev/", after="log/dev/0000000000000001") == ["log/dev/0000000000000002"]
    hub.delete("log/dev/0000000000000001")
    with pytest.raises(ObjectMissingError):
        hub.get("log/dev/0000000000000001")
    with pytest.raises(UsageError):
        hub.put_new("../outside", b"x")


def test_folder_hub_says_when_its_drive_is_gone(tmp_path: Path):
    hub = FolderHub((tmp_path / "unplugged").as_uri())
    with pytest.raises(HubUnreachableError, match="connect it"):
        hub.list("log/")


def test_write_checked_never_clobbers_a_concurrent_edit(tmp_path: Path):
    target = tmp_path / "note.md"
    target.write_text("scanned\n")
    stat = os.stat(target)
    seen = DiskStamp("sha", stat.st_size, stat.st_mtime_ns, stat.st_ino, {"a": 1})
    target.write_text("edited after the scan, longer\n")
    outcome = localfs.write_checked(tmp_path, "note.md", b"remote\n", "sha2", {"a": 2}, seen, durable=True)
    assert outcome == localfs.CHANGED_MEANWHILE
    assert target.read_text() == "edited after the scan, longer\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".memtray-tmp-")]
    assert localfs.delete_checked(tmp_path, "note.md", seen) == localfs.CHANGED_MEANWHILE
    assert target.exists()


def test_write_checked_creates_and_replaces(tmp_path: Path):
    created = localfs.write_checked(tmp_path, "a/b/new.md", b"hi\n", "sha", {"a": 1}, None, durable=False)
    assert isinstance(created, DiskStamp) and (tmp_path / "a/b/new.md").read_bytes() == b"hi\n"
    replaced = localfs.write_checked(tmp_path, "a/b/new.md", b"bye\n", "sha2", {"a": 2}, created, durable=True)
    assert isinstance(replaced, DiskStamp) and (tmp_path / "a/b/new.md").read_bytes() == b"bye\n"
    assert localfs.delete_checked(tmp_path, "a/b/new.md", replaced) is None
    assert not (tmp_path / "a").exists()


def test_conflict_copy_names(tmp_path: Path):
    copy = localfs.save_conflict_copy(tmp_path, "deep/MEMORY.md", b"mine\n", "Work Laptop!", 0.0)
    assert copy.startswith(".memtray-conflicts/deep/MEMORY.sync-conflict-")
    assert copy.endswith("-Work-Laptop.md")
    second = localfs.save_conflict_copy(tmp_path, "deep/MEMORY.md", b"again\n", "Work Laptop!", 0.0)
    assert second != copy and (tmp_path / second).read_bytes() == b"again\n"


def test_real_secret_service_round_trip_and_long_secrets():
    chain = Keychain("test-scope")
    assert chain.backend_name().startswith("keyring.backends.SecretService")
    chain.set("passphrase", "s3cret")
    assert chain.get("passphrase") == "s3cret"
    long_value = "x" * 2500 + "end"
    chain.set("hub-secret", long_value)
    assert chain.get("hub-secret") == long_value
    chain.delete("hub-secret")
    assert chain.get("hub-secret") is None
    assert Keychain("other-scope").get("passphrase") is None


def test_missing_keychain_is_said_plainly():
    chain = Keychain("x", backend=keyring.backends.fail.Keyring())
    assert not chain.available()
    with pytest.raises(KeychainMissingError, match="ask for the passphrase each time"):
        chain.get("passphrase")


def test_old_versions_are_pruned_after_the_retention_window(tmp_path: Path):
    from memtray.sync.index import Index
    from memtray.sync.records import FileRow, FileVersion

    index = Index(tmp_path / "index.sqlite3")
    old = FileVersion("f", "a.md", {"x": 1}, False, "old-sha", 3, 1.0, "x")
    current = FileVersion("f", "a.md", {"x": 2}, False, "new-sha", 3, 2.0, "x")
    with index.transaction():
        index.add_versions([old, current])
        index.put_content([("old-sha", b"old"), ("new-sha", b"new")])
        index.put_files([FileRow(current, None)])
    index.prune_versions(older_than=time.time() + 1)
    assert [stored.version.sha for stored in index.versions("f", "a.md")] == ["new-sha"]
    assert index.content("old-sha") is None and index.content("new-sha") == b"new"


def test_the_index_says_which_contents_it_holds_past_one_statements_worth(tmp_path: Path):
    from memtray.sync.index import SQL_VARIABLES, Index

    index = Index(tmp_path / "index.sqlite3")
    held = [f"held-{number}" for number in range(SQL_VARIABLES + 3)]
    with index.transaction():
        index.put_content([(sha, sha.encode()) for sha in held])
    asked = [*held[::-1], "missing-1", held[0], "missing-2"]
    assert index.content_held(asked) == set(held)
    assert index.content_held([]) == set()
    assert index.contents(asked) == {sha: sha.encode() for sha in held}
    assert index.contents([]) == {}


def test_rows_come_with_their_bytes_read_ahead_in_few_queries(tmp_path: Path):
    from memtray.sync.contents import READ_AHEAD_BYTES, with_bytes_at_hand
    from memtray.sync.index import SQL_VARIABLES, Index
    from memtray.sync.records import FileRow, FileVersion

    index = Index(tmp_path / "index.sqlite3")
    size = 4096
    texts = {f"sha-{number}": b"%05d" % number * (size // 5) for number in range(1200)}
    in_this_cycle = {sha: data for number, (sha, data) in enumerate(texts.items()) if number % 7 == 0}
    with index.transaction():
        index.put_content((sha, data) for sha, data in texts.items() if sha not in in_this_cycle)
    rows = [FileRow(FileVersion("f", f"{sha}.md", {"a": 1}, False, sha, size, 0.0, "a"), None) for sha in texts]
    rows.append(FileRow(FileVersion("f", "nowhere.md", {"a": 1}, False, "sha-nowhere", 1, 0.0, "a"), None))
    selects: list[str] = []
    index.db.set_trace_callback(lambda statement: selects.append(statement) if "FROM content" in statement else None)
    seen = [(row, at_hand.get(row.version.sha)) for row, at_hand in with_bytes_at_hand(index, rows, in_this_cycle)]
    index.db.set_trace_callback(None)
    assert [row for row, _ in seen] == rows
    assert [data for _, data in seen] == [*texts.values(), None]
    per_query = min(SQL_VARIABLES, READ_AHEAD_BYTES // size)
    assert len(selects) == -(-len(rows) // per_query)
    index.close()


def test_many_writes_mixing_new_and_replaced_files_keep_every_edit_made_meanwhile(tmp_path: Path):
    replacing = localfs.WRITER_RUN * 3
    stamps = localfs.write_many(tmp_path, [(f"old/{n}.md", b"old", "sha", {}, None) for n in range(replacing)])
    assert all(isinstance(stamp, DiskStamp) for stamp in stamps)
    (tmp_path / "old" / "5.md").write_bytes(b"edited meanwhile, longer")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "7.md").write_bytes(b"made meanwhile")
    planned: list[localfs.PlannedWrite] = []
    for n in range(replacing):
        planned.append((f"new/{n}.md", f"new {n}".encode(), "sha", {}, None))
        planned.append((f"old/{n}.md", f"replaced {n}".encode(), "sha", {}, stamps[n]))
    outcomes = localfs.write_many(tmp_path, planned)
    for (relative, data, *_), outcome in zip(planned, outcomes, strict=True):
        if relative in ("old/5.md", "new/7.md"):
            assert outcome == localfs.CHANGED_MEANWHILE, relative
        else:
            assert isinstance(outcome, DiskStamp) and (tmp_path / relative).read_bytes() == data, relative
            assert outcome.size == len(data) and outcome.inode == os.stat(tmp_path / relative).st_ino
    assert (tmp_path / "old" / "5.md").read_bytes() == b"edited meanwhile, longer"
    assert (tmp_path / "new" / "7.md").read_bytes() == b"made meanwhile"
    assert not [path for path in tmp_path.rglob("*") if path.name.startswith(".memtray-tmp-")]


def test_new_files_are_written_by_the_calling_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def no_writer_threads(*args: object, **kwargs: object) -> None:
        raise AssertionError("new files started writer threads")

    monkeypatch.setattr(localfs, "ThreadPoolExecutor", no_writer_threads)
    planned = [(f"p{n % 10}/{n}.md", b"%d" % n, "sha", {}, None) for n in range(localfs.WRITER_RUN * 4)]
    outcomes = localfs.write_many(tmp_path, planned)
    assert all(isinstance(outcome, DiskStamp) for outcome in outcomes)
    assert [(tmp_path / relative).read_bytes() for relative, *_ in planned] == [data for _, data, *_ in planned]


def test_index_rows_come_back_as_records_with_every_field_in_place(tmp_path: Path):
    from memtray.sync.index import Index
    from memtray.sync.records import (
        ActivityRecord,
        ConflictRecord,
        DeviceRecord,
        FileVersion,
        ProblemRecord,
        StoredVersion,
    )

    index = Index(tmp_path / "index.sqlite3")
    index.put_device("b" * 32, "Work laptop", "linux", 7, 123.5, {"a" * 32: 3})
    index.put_device("c" * 32, "Home laptop", "darwin", 2, None, {})
    assert index.devices() == [
        DeviceRecord("c" * 32, "Home laptop", "darwin", 2, None, {}),
        DeviceRecord("b" * 32, "Work laptop", "linux", 7, 123.5, {"a" * 32: 3}),
    ]
    assert index.device_names() == {"b" * 32: "Work laptop", "c" * 32: "Home laptop"}

    from memtray.sync.conflict_store import News

    first = index.conflicts.add("f", "a.md", None, ("ours", "b" * 32), ("theirs", "c" * 32), "Work laptop", News.NONE)
    second = index.conflicts.add(
        "f", "b.md", ".memtray-conflicts/b.copy.md", ("mine", "a" * 32), ("other", "c" * 32), "Home laptop", News.NONE
    )
    index.conflicts.resolve(first, tell_others=False)
    conflicts = index.conflicts.all()
    assert [(c.conflict_id, c.resolved) for c in conflicts] == [(second, False), (first, True)]
    newest = conflicts[0]
    assert newest == ConflictRecord(
        second,
        newest.time,
        "f",
        "b.md",
        ".memtray-conflicts/b.copy.md",
        "mine",
        "other",
        "Home laptop",
        False,
        "a" * 32,
        "c" * 32,
    )

    index.add_activity("sent", "f", "a.md", "first")
    index.add_activity("received", "g", "b.md")
    activity = index.activity(10)
    assert activity == [
        ActivityRecord(activity[0].time, "received", "g", "b.md", ""),
        ActivityRecord(activity[1].time, "sent", "f", "a.md", "first"),
    ]

    index.set_problems("f", {"z.md": "too long", "c.md": "locked"})
    assert index.problems() == [ProblemRecord("f", "c.md", "locked"), ProblemRecord("f", "z.md", "too long")]

    version = FileVersion("f", "a.md", {"x": 1}, False, "sha-1", 3, 1.0, "x", False, "blob-1")
    before = time.time()
    index.add_versions([version])
    (stored,) = index.versions("f", "a.md")
    assert stored == StoredVersion(stored.version_id, version, stored.recorded)
    assert before <= stored.recorded <= time.time()
    assert index.version(stored.version_id) == version
    index.close()
