"""Nothing memtray writes, reads or deletes in a synced folder leaves it, and a link derives no deletion.

Real folders, real links, real laptops (CLI processes) on a folder hub. The unit-level tests run
once with the openat-style operations (Linux, macOS) and once with the lstat-checked paths Windows
uses, on the same real files.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from memtray.hubs.keys import log_key
from memtray.paths import resolve_home
from memtray.projects.pathmap import IdentityMap
from memtray.service import Service
from memtray.sync import containment, localfs
from memtray.sync.containment import LINK_PROBLEM, LinkInTheWay, is_link, link_by_attributes
from memtray.sync.entry import FileChange, LogEntry, entry_hash, open_entry, seal_entry
from memtray.sync.globs import CONFLICTS_DIR, GlobFilter
from memtray.sync.index import Index
from memtray.sync.records import DiskStamp, FileRow, FileVersion
from memtray.sync.scan import read_file, scan_folder
from memtray.sync.vectors import bumped
from tests.servers import HubEndpoint
from tests.support.laptops import Laptop, paired, tree

MakeLaptop = Callable[[str, HubEndpoint], Laptop]
INSIDE_LINK = "is inside '{}', which " + LINK_PROBLEM


def snapshot(top: Path) -> dict[str, object]:
    """Every entry below ``top``, links not followed: file bytes, link targets, folders."""
    found: dict[str, object] = {}
    for directory, folders, files in os.walk(top):
        for name in folders + files:
            path = Path(directory) / name
            relative = path.relative_to(top).as_posix()
            if path.is_symlink():
                found[relative] = ("link", os.readlink(path))
            elif path.is_dir():
                found[relative] = "folder"
            else:
                found[relative] = path.read_bytes()
    return found


def stamp(path: Path) -> DiskStamp:
    status = os.lstat(path)
    return DiskStamp("", status.st_size, status.st_mtime_ns, status.st_ino, {})


def move_out_and_link(folder: Path, name: str, outside: Path) -> None:
    """The person moves a synced sub-folder elsewhere and leaves a link to it (same files, same inodes)."""
    os.rename(folder / name, outside / name)
    os.symlink(outside / name, folder / name)


@pytest.fixture(params=[True, False], ids=["dir-fd", "lstat-checked"])
def operations(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[bool]:
    if request.param and not containment.USE_DIR_FD:
        pytest.skip("this OS has no dir_fd operations")
    monkeypatch.setattr(containment, "USE_DIR_FD", request.param)
    yield request.param


def test_a_linked_subfolder_is_skipped_both_ways_and_nothing_outside_changes(
    make_laptop: MakeLaptop, folder_hub: HubEndpoint, tmp_path: Path
):
    a, b = paired(make_laptop, folder_hub, {"top.md": "top\n", "real/y.md": "y from A\n"})
    outside = tmp_path / "outside"
    (outside / "elsewhere").mkdir(parents=True)
    (outside / "elsewhere" / "x.md").write_text("B's own file, not synced\n")
    os.symlink(outside / "elsewhere", b.folder() / "link")
    move_out_and_link(b.folder(), "real", outside)
    before = snapshot(outside)

    (a.folder() / "link").mkdir()
    (a.folder() / "link" / "x.md").write_text("x from A\n")
    a.sync()
    for _ in range(2):
        skipped = b.run("sync").stderr
        assert f"skipped: link: {LINK_PROBLEM}" in skipped
        assert f"skipped: real: {LINK_PROBLEM}" in skipped
        assert f"skipped: link/x.md: {INSIDE_LINK.format('link')}" in skipped
        assert snapshot(outside) == before
    a.sync()
    assert tree(a.folder()) == {"top.md": b"top\n", "real/y.md": b"y from A\n", "link/x.md": b"x from A\n"}

    (a.folder() / "real" / "y.md").write_text("y edited on A\n")
    a.sync()
    assert f"skipped: real/y.md: {INSIDE_LINK.format('real')}" in b.run("sync").stderr
    assert snapshot(outside) == before

    (a.folder() / "real" / "y.md").unlink()
    (a.folder() / "link" / "x.md").unlink()
    a.sync()
    b.sync()
    a.sync()
    assert snapshot(outside) == before
    assert tree(a.folder()) == {"top.md": b"top\n"}
    assert (b.folder() / "top.md").read_text() == "top\n"


def test_paths_through_links_or_up_out_of_the_folder_are_refused(tmp_path: Path, operations: bool):
    root, outside = tmp_path / "folder", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "victim.md").write_text("outside\n")
    os.symlink("..", root / "up")
    os.symlink(outside, root / "link")
    os.symlink(outside / "victim.md", root / "file.md")
    os.symlink(outside, root / CONFLICTS_DIR)
    before = snapshot(tmp_path)
    victim = stamp(outside / "victim.md")
    data = b"pwned\n"
    sha = hashlib.sha256(data).hexdigest()

    assert localfs.write_checked(root, "link/pwned.md", data, sha, {}, None, True) == INSIDE_LINK.format("link")
    assert localfs.write_checked(root, "file.md", data, sha, {}, None, True) == LINK_PROBLEM
    assert localfs.write_checked(root, "file.md", data, sha, {}, victim, True) == LINK_PROBLEM
    for path in ("up/pwned.md", "up/outside/victim.md", "link/victim.md", "link/new/deeper.md"):
        for expected in (None, victim):
            assert isinstance(localfs.write_checked(root, path, data, sha, {}, expected, True), str), path
    for path in ("../pwned.md", "link/../pwned.md", "sub/../../pwned.md", "./pwned.md", "sub//pwned.md"):
        outcome = localfs.write_checked(root, path, data, sha, {}, None, True)
        assert outcome == "could not be written (the path leaves its folder)", path

    assert localfs.delete_checked(root, "link/victim.md", victim) == INSIDE_LINK.format("link")
    assert localfs.delete_checked(root, "up/outside/victim.md", victim) == INSIDE_LINK.format("up")
    assert localfs.delete_checked(root, "file.md", victim) == LINK_PROBLEM
    for path in ("link/victim.md", "file.md", "up/outside/victim.md"):
        with pytest.raises(LinkInTheWay):
            read_file(root, path)
    with pytest.raises(LinkInTheWay):
        localfs.save_conflict_copy(root, "notes.md", data, "Laptop B", time.time())
    assert snapshot(tmp_path) == before


def test_a_folder_swapped_for_a_link_after_the_scan_is_never_written_through(tmp_path: Path, operations: bool):
    root, outside = tmp_path / "folder", tmp_path / "outside"
    (root / "notes").mkdir(parents=True)
    outside.mkdir()
    for name in ("a.md", "b.md"):
        (root / "notes" / name).write_text(f"{name} as scanned\n")
    (root / "kept.md").write_text("kept\n")
    rules = GlobFilter([], [])
    first = scan_folder(root, "folder", rules, {}, "me", lambda path, sha: None, hash_after_ns=0, paths=IdentityMap())
    rows = {edit.version.path: FileRow(edit.version, edit.stamp) for edit in first.edits}
    assert set(rows) == {"notes/a.md", "notes/b.md", "kept.md"}

    move_out_and_link(root, "notes", outside)
    os.rename(root / "kept.md", outside / "kept.md")
    os.symlink(outside / "kept.md", root / "kept.md")
    before = snapshot(outside)
    disk = {path: row.disk for path, row in rows.items()}
    data = b"written by sync\n"
    sha = hashlib.sha256(data).hexdigest()
    assert localfs.write_checked(root, "notes/a.md", data, sha, {}, disk["notes/a.md"], True) == INSIDE_LINK.format(
        "notes"
    )
    assert localfs.delete_checked(root, "notes/b.md", disk["notes/b.md"]) == INSIDE_LINK.format("notes")
    assert localfs.write_checked(root, "kept.md", data, sha, {}, disk["kept.md"], True) == LINK_PROBLEM
    assert localfs.delete_checked(root, "kept.md", disk["kept.md"]) == LINK_PROBLEM
    copy = localfs.save_conflict_copy(root, "notes/a.md", data, "Laptop B", time.time())
    assert not is_link(os.lstat(root / CONFLICTS_DIR / "notes"))
    assert (root / copy).read_bytes() == data
    assert snapshot(outside) == before

    again = scan_folder(root, "folder", rules, rows, "me", lambda path, sha: None, hash_after_ns=0, paths=IdentityMap())
    assert again.edits == []
    assert again.problems == {"notes": LINK_PROBLEM, "kept.md": LINK_PROBLEM}


def test_many_writes_in_a_row_never_pass_a_link_and_leave_no_temp_files(tmp_path: Path, operations: bool):
    root, outside = tmp_path / "folder", tmp_path / "outside"
    (root / "linked").mkdir(parents=True)
    outside.mkdir()
    move_out_and_link(root, "linked", outside)
    before = snapshot(outside)
    names = [f"{folder}/{number:03d}.md" for folder, first in (("a", 0), ("linked", 0), ("b/deep", 0), ("a", 100))
             for number in range(first, first + 100)]  # fmt: skip
    outcomes = localfs.write_many(root, [(name, name.encode(), "sha", {}, None) for name in names])
    for name, outcome in zip(names, outcomes, strict=True):
        if name.startswith("linked/"):
            assert outcome == INSIDE_LINK.format("linked"), name
        else:
            assert isinstance(outcome, DiskStamp) and (root / name).read_bytes() == name.encode(), name
    assert snapshot(outside) == before
    assert not list(root.rglob(".memtray-tmp-*"))


def test_a_folder_swapped_for_a_link_while_the_scan_reads_leaks_nothing_from_outside(tmp_path: Path, operations: bool):
    root, decoy = tmp_path / "folder", tmp_path / "outside" / "decoy"
    (root / "notes").mkdir(parents=True)
    decoy.mkdir(parents=True)
    for name in ("a.md", "b.md", "c.md"):
        (root / "notes" / name).write_text(f"{name} in the folder\n")
        (decoy / name).write_text("SECRET from outside\n")
    unsynced = FileVersion("folder", "", {"other": 1}, False, "0" * 64, 1, 0.0, "other")
    paths = ("notes/a.md", "notes/b.md", "notes/c.md")
    rows = {path: FileRow(replace(unsynced, path=path), None) for path in paths}
    swapped: list[str] = []

    def swap_after_the_first_read(path: str, sha: str) -> None:
        if not swapped:
            os.rename(root / "notes", tmp_path / "outside" / "notes")
            os.symlink(decoy, root / "notes")
            swapped.append(path)

    scan = scan_folder(
        root, "folder", GlobFilter([], []), rows, "me", swap_after_the_first_read, hash_after_ns=0, paths=IdentityMap()
    )
    assert swapped
    assert all(b"SECRET" not in (edit.data or b"") for edit in scan.edits)
    assert all(b"in the folder" in (edit.data or b"") for edit in scan.edits)
    assert all(problem == INSIDE_LINK.format("notes") for problem in scan.problems.values())
    assert len(scan.edits) + len(scan.problems) == 3


def test_a_root_that_is_itself_a_link_is_followed_and_emptied_folders_are_pruned_up_to_it(
    tmp_path: Path, operations: bool
):
    real = tmp_path / "real-claude"
    real.mkdir()
    (tmp_path / "other").mkdir()
    os.symlink(real, tmp_path / ".claude")
    root = tmp_path / ".claude"
    data = b"memory\n"
    sha = hashlib.sha256(data).hexdigest()
    written = localfs.write_checked(root, "projects/p/memory/m.md", data, sha, {}, None, True)
    assert isinstance(written, DiskStamp)
    assert (real / "projects" / "p" / "memory" / "m.md").read_bytes() == data
    scan = scan_folder(
        root, "folder", GlobFilter([], []), {}, "me", lambda path, sha: None, hash_after_ns=0, paths=IdentityMap()
    )
    assert [edit.version.path for edit in scan.edits] == ["projects/p/memory/m.md"]
    assert read_file(root, "projects/p/memory/m.md") == data

    os.symlink(tmp_path / "other", real / "projects" / "p" / "link")
    assert localfs.delete_checked(root, "projects/p/memory/m.md", written) is None
    assert sorted(os.listdir(real)) == ["projects"]
    assert sorted(os.listdir(real / "projects" / "p")) == ["link"]
    os.unlink(real / "projects" / "p" / "link")
    (real / "projects" / "p" / "n.md").write_bytes(data)
    assert localfs.delete_checked(root, "projects/p/n.md", stamp(real / "projects" / "p" / "n.md")) is None
    assert os.listdir(real) == []
    assert os.path.islink(root) and sorted(os.listdir(tmp_path)) == [".claude", "other", "real-claude"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_is_not_read_and_does_not_hang(tmp_path: Path, operations: bool):
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "folder" / "pipe.md")
    outcome: list[BaseException | bytes] = []

    def read() -> None:
        try:
            outcome.append(read_file(tmp_path / "folder", "pipe.md"))
        except OSError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert outcome and isinstance(outcome[0], OSError), "reading a named pipe hung or returned data"


def test_links_and_windows_junctions_are_recognised():
    reparse = stat.FILE_ATTRIBUTE_REPARSE_POINT
    directory = stat.S_IFDIR | 0o755
    assert link_by_attributes(stat.S_IFLNK | 0o777, 0, 0)
    assert link_by_attributes(directory, reparse | stat.FILE_ATTRIBUTE_DIRECTORY, 0xA0000003)  # a junction
    assert link_by_attributes(stat.S_IFREG | 0o644, reparse, 0xA000000C)  # a Windows symbolic link
    assert not link_by_attributes(stat.S_IFREG | 0o644, reparse, 0x9000601A)  # a OneDrive placeholder
    assert not link_by_attributes(directory, stat.FILE_ATTRIBUTE_DIRECTORY, 0xA0000003)
    assert not link_by_attributes(directory, 0, 0)


def _append_hostile_entry(
    laptop: Laptop, hub: HubEndpoint, make_changes: Callable[[str, str, Index], list[FileChange]]
) -> None:
    """Seal the next log entry of ``laptop``'s device with the real vault key and sign it with the laptop's own
    key, as the laptop gone hostile could."""
    service = Service(resolve_home(laptop.home))
    try:
        keys = service.vault_keys()
        me = service.config.device_id
        head = max(int(key.rsplit("/", 1)[1], 16) for key in hub.raw.keys(f"log/{me}/"))
        last_sealed = hub.raw.read(log_key(me, head))
        last = open_entry(keys, last_sealed, me, head)
        folder_id = next(iter(service.index.folder_defs()))
        changes = make_changes(folder_id, me, service.index)
        entry = LogEntry(
            me, head + 1, entry_hash(last_sealed), last.device_name, last.platform, time.time(), last.acks, [], changes
        )
        hub.raw.write(log_key(me, head + 1), seal_entry(keys, entry, signer=service.members.signer()))
    finally:
        service.close()


def _new_file(folder_id: str, me: str, path: str, data: bytes) -> FileChange:
    version = FileVersion(folder_id, path, {me: 1000}, False, hashlib.sha256(data).hexdigest(), len(data), 1.0, me)
    return FileChange(version, data)


def test_a_hostile_entry_cannot_write_or_delete_through_a_link(
    make_laptop: MakeLaptop, folder_hub: HubEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    a, b = paired(make_laptop, folder_hub, {"top.md": "top\n", "moved/y.md": "y\n"})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "authorized_keys").write_text("B's real key\n")
    os.symlink(outside, b.folder() / "link")
    move_out_and_link(b.folder(), "moved", outside)
    before_outside, before_b = snapshot(outside), tree(b.folder())
    monkeypatch.setenv("MEMTRAY_PASSPHRASE", a.passphrase)

    def through_links(folder_id: str, me: str, index: Index) -> list[FileChange]:
        row = index.file(folder_id, "moved/y.md")
        assert row is not None
        tombstone = FileVersion(folder_id, "moved/y.md", bumped(row.version.vv, me), True, "", 0, 2.0, me)
        return [
            _new_file(folder_id, me, "link/pwned.txt", b"pwned\n"),
            _new_file(folder_id, me, "link/authorized_keys", b"attacker key\n"),
            FileChange(tombstone),
        ]

    _append_hostile_entry(a, folder_hub, through_links)
    done = b.run("sync")
    assert f"skipped: link/pwned.txt: {INSIDE_LINK.format('link')}" in done.stderr
    assert f"skipped: moved/y.md: {INSIDE_LINK.format('moved')}" in done.stderr
    assert snapshot(outside) == before_outside
    assert tree(b.folder()) == before_b

    def upwards(folder_id: str, me: str, index: Index) -> list[FileChange]:
        paths = ("../pwned.txt", "link/../../pwned.txt", "top.md/../../pwned.txt")
        return [_new_file(folder_id, me, path, b"pwned\n") for path in paths]

    _append_hostile_entry(a, folder_hub, upwards)
    done = b.run("sync", check=False)
    assert done.returncode in (0, 5), done.stderr
    assert "Traceback" not in done.stderr
    assert done.returncode == 5 or "leaves its folder" in done.stderr
    for place in (b.root, tmp_path, outside, b.folder()):
        assert not (place / "pwned.txt").exists()
    assert snapshot(outside) == before_outside
    assert tree(b.folder()) == before_b


def test_conflict_copies_are_never_saved_or_removed_through_a_linked_conflicts_folder(
    make_laptop: MakeLaptop, folder_hub: HubEndpoint, tmp_path: Path
):
    a, b = paired(make_laptop, folder_hub, {"notes.md": "one\n"})
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, b.folder() / CONFLICTS_DIR)

    def edit_on_both(text: str) -> None:
        (a.folder() / "notes.md").write_text(f"{text} on A\n")
        a.sync()
        (b.folder() / "notes.md").write_text(f"{text} on B\n")

    edit_on_both("first")
    skipped = b.run("sync").stderr
    assert f"skipped: notes.md: its conflict copy could not be saved ('{CONFLICTS_DIR}' {LINK_PROBLEM})" in skipped
    assert os.listdir(outside) == []

    os.unlink(b.folder() / CONFLICTS_DIR)
    edit_on_both("second")
    b.sync()
    move_out_and_link(b.folder(), CONFLICTS_DIR, outside)
    copies = before = snapshot(outside)
    assert any(name.startswith(f"{CONFLICTS_DIR}/notes.sync-conflict-") for name in copies)
    service = Service(resolve_home(b.home))
    try:
        for conflict in service.conflicts():
            if not conflict.resolved and conflict.copy_path:
                service.resolve_conflict(conflict.conflict_id, "kept")
    finally:
        service.close()
    assert snapshot(outside) == before
