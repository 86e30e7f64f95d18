"""A watch-triggered sync looks only at what the watcher reported (memtray/sync/watch_changes.py, scan.py), and
is not woken by memtray's own writes or its own pushes. Real folders, a real watchdog observer, real syncs
through the service, and a real memtray hub for the change feed; speed itself is measured in
benchmarks/hub_propagation.py.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from memtray.hubs.http import HttpHub
from memtray.model import FolderInfo, SyncProgress
from memtray.projects.pathmap import IdentityMap
from memtray.sync import localfs
from memtray.sync.globs import GlobFilter
from memtray.sync.records import DiskStamp, FileRow
from memtray.sync.scan import ScanResult, scan_folder
from memtray.sync.watch import WATCHDOG_LOGGER, ChangeFeedFollower, FolderObserver
from memtray.sync.watch_changes import FULL_WALK_SECONDS, HubChanges, ReportedChanges
from tests.core.test_watch_policy import Watcher, wait_until, watching
from tests.hubserver.conftest import Vault, make_vault, seq_key
from tests.servers import HubEndpoint
from tests.servers.http_hub import RunningHub, http_hub_endpoint, run_hub_server
from tests.support.laptops import Laptop, opened, paired

EVENT_WAIT = 10.0


def scan(root: Path, rows: dict[str, FileRow], reported: frozenset[str] | None) -> ScanResult:
    return scan_folder(
        root, "folder", GlobFilter([], []), rows, "me", lambda *_: None, hash_after_ns=0, paths=IdentityMap(),
        reported=reported,
    )  # fmt: skip


def indexed(root: Path) -> dict[str, FileRow]:
    """The index rows a first full scan of ``root`` leaves."""
    return {edit.version.path: FileRow(edit.version, edit.stamp) for edit in scan(root, {}, None).edits}


def edited(result: ScanResult) -> dict[str, str]:
    return {edit.version.path: "deleted" if edit.version.deleted else "changed" for edit in result.edits}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_scan_of_reported_paths_takes_every_other_file_as_the_index_has_it(tmp_path: Path):
    root = tmp_path / "memory"
    for name in ("a.md", "elsewhere/b.md", "deep/c.md", "deep/d.md", "gone/e.md", "gone/f.md", "old/g.md"):
        write(root / name, f"{name}\n")
    rows = indexed(root)
    assert len(rows) == 7

    write(root / "a.md", "a, edited where the watcher saw it\n")
    write(root / "elsewhere" / "b.md", "b, edited where no watcher was looking\n")
    (root / "deep" / "d.md").unlink()
    for name in ("e.md", "f.md"):
        (root / "gone" / name).unlink()
    (root / "gone").rmdir()
    (root / "old").rename(root / "new")
    write(root / "fresh" / "h.md", "a new folder with a file\n")
    reported = frozenset({"a.md", "deep/d.md/", "gone/", "old/", "new", "fresh"})

    assert edited(scan(root, rows, reported)) == {
        "a.md": "changed",
        "deep/d.md": "deleted",
        "gone/e.md": "deleted",
        "gone/f.md": "deleted",
        "old/g.md": "deleted",
        "new/g.md": "changed",
        "fresh/h.md": "changed",
    }
    assert edited(scan(root, rows, frozenset())) == {}, "nothing reported: nothing looked at"
    assert "elsewhere/b.md" in edited(scan(root, rows, None)), "a walk of everything still finds the unreported edit"


def test_a_reported_path_behind_a_link_is_a_problem_and_no_deletion(tmp_path: Path):
    root, outside = tmp_path / "memory", tmp_path / "outside"
    write(root / "notes" / "a.md", "a\n")
    rows = indexed(root)
    (root / "notes").rename(outside)
    os.symlink(outside, root / "notes")
    result = scan(root, rows, frozenset({"notes/a.md"}))
    assert edited(result) == {}
    assert "notes" in result.problems


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[Path, ReportedChanges, threading.Event]]:
    """A real observer on a real folder, reporting into ``ReportedChanges``."""
    root = tmp_path / "memory"
    root.mkdir()
    changes, seen = ReportedChanges(), threading.Event()
    observer = FolderObserver(seen.set, changes)
    observer.watch([FolderInfo("folder", "memory", str(root), (), ("*.log",), 0)])
    assert changes.take() is None, "the first sync walks everything"
    try:
        yield root, changes, seen
    finally:
        observer.stop()


def settled(changes: ReportedChanges, seen: threading.Event, until: Callable[[], bool]) -> None:
    assert seen.wait(EVENT_WAIT), "the watcher reported nothing"
    deadline = time.monotonic() + EVENT_WAIT
    while not until() and time.monotonic() < deadline:
        time.sleep(0.02)


def collected(changes: ReportedChanges, wanted: set[str]) -> set[str]:
    """Every path reported until all of ``wanted`` were (late events of an earlier step included)."""
    paths: set[str] = set()
    deadline = time.monotonic() + EVENT_WAIT
    while not wanted <= paths and time.monotonic() < deadline:
        paths |= reported_paths(changes)
        time.sleep(0.02)
    return paths


def reported_paths(changes: ReportedChanges) -> set[str]:
    taken = changes.take()
    assert taken is not None, "a watch-triggered sync must not walk everything"
    return set(taken["folder"])


def test_the_watcher_reports_saves_renames_deletes_and_new_folders(
    watched: tuple[Path, ReportedChanges, threading.Event],
):
    root, changes, _ = watched
    write(root / "keep.md", "one\n")
    write(root / "old.md", "two\n")
    write(root / "bye.md", "three\n")
    write(root / "first-step-done.md", "")
    assert "first-step-done.md" in collected(changes, {"first-step-done.md"})

    write(root / "keep.md.tmp-editor", "saved by an editor\n")
    (root / "keep.md.tmp-editor").replace(root / "keep.md")
    (root / "old.md").rename(root / "renamed.md")
    (root / "bye.md").unlink()
    write(root / "notes" / "deep" / "new.md", "in a new folder\n")
    write(root / "debug.log", "excluded by the folder's rules\n")
    write(root / "last.md", "the folder's events arrive in order: debug.log's came before this one's\n")
    expected = {"keep.md", "renamed.md", "old.md/", "bye.md/", "notes", "last.md"}
    paths = collected(changes, expected)
    assert expected <= paths
    assert "debug.log" not in paths
    assert not any(path.startswith(".memtray") for path in paths)


def test_memtrays_own_writes_are_no_news_and_a_persons_edit_beside_them_is(
    watched: tuple[Path, ReportedChanges, threading.Event],
):
    root, changes, seen = watched
    write(root / "theirs.md", "old text\n")
    write(root / "doomed.md", "to be deleted by a sync\n")
    settled(changes, seen, lambda: changes.pending() >= 2)
    stamps = {name: (root / name).stat() for name in ("theirs.md", "doomed.md")}
    changes.take()
    seen.clear()

    def stamp(name: str) -> DiskStamp:
        status = (root / name).stat()
        return DiskStamp("sha", status.st_size, status.st_mtime_ns, status.st_ino, {})

    before = {name: DiskStamp("", s.st_size, s.st_mtime_ns, s.st_ino, {}) for name, s in stamps.items()}
    written = localfs.write_checked(root, "theirs.md", b"new text\n", "sha", {}, before["theirs.md"], True)
    assert not isinstance(written, str)
    assert localfs.delete_checked(root, "doomed.md", before["doomed.md"]) is None
    assert localfs.write_checked(root, "sub/arrived.md", b"new file\n", "sha", {}, None, True) is not None
    changes.wrote("folder", "theirs.md", written)
    changes.wrote("folder", "doomed.md", None)
    changes.wrote("folder", "sub/arrived.md", stamp("sub/arrived.md"))
    settled(changes, seen, lambda: changes.pending() >= 3)
    assert changes.pending() >= 1, "memtray's writes were seen by the watcher"
    assert not changes.has_news(), "memtray's own writes alone do not call for a sync"

    seen.clear()
    write(root / "theirs.md", "the person edits right after the sync\n")
    settled(changes, seen, lambda: changes.pending() >= 1)
    assert changes.has_news()
    assert "theirs.md" in reported_paths(changes)


def test_full_walks_on_start_after_lost_events_a_new_folder_a_failure_and_every_ten_minutes(tmp_path: Path):
    clock = [1000.0]
    changes = ReportedChanges(monotonic=lambda: clock[0])
    changes.watching({"folder": str(tmp_path)})
    assert changes.take() is None, "start"
    assert changes.take() == {"folder": frozenset()}
    changes.note("folder", "a.md")
    changes.sync_failed()
    assert changes.take() is None, "after a sync that failed with paths it had taken"
    changes.watching({"folder": str(tmp_path), "other": str(tmp_path / "other")})
    assert changes.take() is None, "a folder newly watched may have changed before its watch began"
    clock[0] += FULL_WALK_SECONDS - 1
    assert changes.take() == {"folder": frozenset(), "other": frozenset()}
    clock[0] += 1
    assert changes.take() is None, "the slow interval"


def test_a_warning_from_watchdog_means_events_were_lost_and_the_next_sync_walks_everything(
    watched: tuple[Path, ReportedChanges, threading.Event],
):
    _, changes, _ = watched
    assert changes.take() == {"folder": frozenset()}
    logging.getLogger(WATCHDOG_LOGGER + ".inotify_c").warning("Inotify queue overflowed; filesystem events were lost")
    assert changes.take() is None


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    with run_hub_server(tmp_path_factory.mktemp("hub")) as running:
        yield running


def feed_of(laptop: HttpHub) -> HttpHub:
    """The laptop's own second connection, as its watcher's change feed has."""
    return HttpHub(laptop.url, vault_id=laptop.vault_id, device_id=laptop.device_id, token=laptop.token)


@pytest.fixture
def feeds(hub: RunningHub) -> Iterator[tuple[Vault, HubChanges, HubChanges, threading.Semaphore]]:
    vault = make_vault(hub)
    woken = threading.Semaphore(0)
    followers, hub_changes = [], []
    for laptop in (vault.a, vault.b):
        feed = feed_of(laptop)
        changes = HubChanges(feed)
        follower = ChangeFeedFollower(feed, woken.release, changes)
        follower.start()
        followers.append(follower)
        hub_changes.append(changes)
    time.sleep(0.5)  # both feeds hold their first cursor
    try:
        yield vault, hub_changes[0], hub_changes[1], woken
    finally:
        for follower in followers:
            follower.stop()


def test_a_laptops_own_push_is_no_news_to_it_and_news_to_the_other(
    feeds: tuple[Vault, HubChanges, HubChanges, threading.Semaphore],
):
    vault, on_a, on_b, woken = feeds
    vault.a.put_new(seq_key(vault.a.device_id or "", 1), b"entry")
    vault.a.put_new(seq_key(vault.a.device_id or "", 2), b"entry")
    assert woken.acquire(timeout=EVENT_WAIT) and woken.acquire(timeout=EVENT_WAIT)
    time.sleep(0.3)
    assert not on_a.news(), "laptop A's feed woke for its own push"
    assert on_b.news()

    vault.a.put_new(seq_key(vault.a.device_id or "", 3), b"entry")
    vault.b.put_new(seq_key(vault.b.device_id or "", 1), b"entry")
    assert woken.acquire(timeout=EVENT_WAIT)
    time.sleep(0.5)
    assert on_a.news(), "B's push in the same stretch is news to A"


def test_a_delete_on_the_hub_is_news_even_from_this_laptop(
    feeds: tuple[Vault, HubChanges, HubChanges, threading.Semaphore],
):
    vault, on_a, _, woken = feeds
    key = seq_key(vault.a.device_id or "", 1)
    vault.a.put_new(key, b"entry")
    assert woken.acquire(timeout=EVENT_WAIT)
    time.sleep(0.3)
    on_a.news()
    vault.a.delete(key)
    assert woken.acquire(timeout=EVENT_WAIT)
    time.sleep(0.3)
    assert on_a.news(), "a delete carries no count back, so it is never taken for this laptop's own"


def test_a_sync_for_reported_paths_sends_only_those_and_a_full_walk_sends_the_rest(
    make_laptop: Callable[[str, HubEndpoint], Laptop], folder_hub: HubEndpoint
):
    a, b = paired(make_laptop, folder_hub, {"seen.md": "one\n", "unseen.md": "two\n"})
    with opened(a) as service:
        changes = ReportedChanges()
        observer = FolderObserver(lambda: None, changes)
        observer.watch(service.folders())
        try:
            assert service.sync(changes=changes).uploaded == 0, "the start: a walk of everything"
            observer.stop()
            write(a.folder() / "unseen.md", "edited while no watcher was looking\n")
            observer.watch(service.folders())
            changes.take()
            write(a.folder() / "seen.md", "edited under the watcher\n")
            deadline = time.monotonic() + EVENT_WAIT
            while not changes.pending() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert service.sync(changes=changes).uploaded == 1
            b.sync()
            assert (b.folder() / "seen.md").read_text() == "edited under the watcher\n"
            assert (b.folder() / "unseen.md").read_text() == "two\n"

            changes.walk_everything()
            assert service.sync(changes=changes).uploaded == 1
            b.sync()
            assert (b.folder() / "unseen.md").read_text() == "edited while no watcher was looking\n"
        finally:
            observer.stop()


def test_an_edit_made_during_a_sync_is_seen_by_the_next_and_a_pulled_file_is_no_news(
    make_laptop: Callable[[str, HubEndpoint], Laptop], folder_hub: HubEndpoint
):
    a, b = paired(make_laptop, folder_hub, {"notes.md": "one\n", "other.md": "two\n"})
    write(b.folder() / "other.md", "from B\n")
    b.sync()
    with opened(a) as service:
        changes = ReportedChanges()
        observer = FolderObserver(lambda: None, changes)
        observer.watch(service.folders())

        def edit_mid_sync(progress: SyncProgress) -> None:
            if progress.phase == "downloading" and not (a.folder() / "late.md").exists():
                write(a.folder() / "late.md", "written while the sync ran\n")

        try:
            service.sync(changes=changes)
            changes.take()
            assert service.sync(progress=edit_mid_sync, changes=changes).uploaded == 0
            deadline = time.monotonic() + EVENT_WAIT
            while not changes.pending() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert changes.has_news()
            assert service.sync(changes=changes).uploaded == 1
            b.sync()
            assert (b.folder() / "late.md").read_text() == "written while the sync ran\n"

            write(b.folder() / "notes.md", "B edits, A pulls\n")
            (b.folder() / "other.md").unlink()
            b.sync()
            assert service.sync(changes=changes).downloaded == 1
            assert not (a.folder() / "other.md").exists()
            time.sleep(1.0)  # the watcher's events for the pulled file and the delete have arrived
            assert not changes.has_news(), "the files memtray itself wrote are not edits"
        finally:
            observer.stop()


def synced_lines(watcher: Watcher, after: int) -> list[str]:
    return [line for line in watcher.read()[after:] if line.startswith("Synced")]


def test_two_watching_laptops_sync_once_per_change_and_never_for_their_own_push_or_write(
    make_laptop: Callable[[str, HubEndpoint], Laptop], tmp_path: Path
):
    with http_hub_endpoint(tmp_path / "server") as memtray_hub:
        a, b = paired(make_laptop, memtray_hub, {"CLAUDE.md": "shared\n", "gone.md": "to be deleted on A\n"})
        with watching(a) as on_a, watching(b) as on_b:
            on_a.wait_for("Synced")
            on_b.wait_for("Synced")
            time.sleep(2.0)
            a_from, b_from = len(on_a.read()), len(on_b.read())

            (a.folder() / "CLAUDE.md").write_text("edited on A\n")
            wait_until(lambda: (b.folder() / "CLAUDE.md").read_text() == "edited on A\n")
            (a.folder() / "gone.md").unlink()
            wait_until(lambda: not (b.folder() / "gone.md").exists())
            time.sleep(3.0)  # long enough for a sync the feed or the watcher would wrongly start
            assert synced_lines(on_a, a_from) == ["Synced: 1 sent.", "Synced: 1 sent."]
            assert synced_lines(on_b, b_from) == ["Synced: 1 received.", "Synced: 1 deleted here."]
