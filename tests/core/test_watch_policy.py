"""The one watch policy (memtray/sync/watch_policy.py, memtray/sync/watch.py) and `memtray sync --watch` on it.

The policy's rules run on an injected clock; the event filter sees real watchdog events from a real
folder; `memtray sync --watch` runs as a real process against a real memtray hub and a folder hub.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
    FileSystemEvent,
)

from memtray.errors import HubRateLimitedError, HubUnreachableError, MassDeleteError, PassphraseError
from memtray.model import DeletedBy, FolderInfo, MassDeleteQuestion, SyncResult
from memtray.sync.watch import FileEventFilter, FolderObserver
from memtray.sync.watch_policy import (
    BACKOFF_CAP_SECONDS,
    DEBOUNCE_CAP_SECONDS,
    QUIET_SECONDS,
    SINGLE_PATH_QUIET_SECONDS,
    Trigger,
    WatchPolicy,
    walks_everything,
)
from tests.servers import HubEndpoint
from tests.servers.http_hub import http_hub_endpoint
from tests.support.laptops import REPO, Laptop, paired

UNREACHABLE = HubUnreachableError("The hub did not answer.")


class Clocks:
    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = 1_700_000_000.0
        self.online = True

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += seconds


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def policy(clocks: Clocks) -> WatchPolicy:
    return WatchPolicy(monotonic=lambda: clocks.mono, wall_clock=lambda: clocks.wall, is_online=lambda: clocks.online)


def first_due(policy: WatchPolicy, clocks: Clocks, until: float, step: float = 0.01) -> tuple[float, Trigger] | None:
    """Steps the clock until ``due()`` names a trigger; returns when (seconds from now) and which."""
    start = clocks.mono
    while clocks.mono - start <= until:
        trigger = policy.due()
        if trigger is not None:
            return clocks.mono - start, trigger
        clocks.advance(step)
    return None


def test_a_burst_of_file_events_syncs_once_after_300_ms_of_quiet(policy: WatchPolicy, clocks: Clocks):
    for _ in range(3):
        policy.file_event()
        clocks.advance(0.1)
    assert policy.due() is None
    clocks.advance(QUIET_SECONDS - 0.1 - 0.01)
    assert policy.due() is None, "not quiet for 300 ms yet"
    clocks.advance(0.02)
    assert policy.due() is Trigger.FILES
    assert policy.due() is None and policy.next_deadline() is None, "one sync per burst"


def test_a_save_of_one_file_syncs_after_50_ms_and_a_second_path_brings_back_the_300_ms(
    policy: WatchPolicy, clocks: Clocks
):
    policy.file_event(single=True)
    assert first_due(policy, clocks, until=1.0, step=0.005) == (
        pytest.approx(SINGLE_PATH_QUIET_SECONDS, abs=0.006),
        Trigger.FILES,
    )

    policy.file_event(single=True)
    clocks.advance(0.02)
    policy.file_event(single=False)
    assert first_due(policy, clocks, until=1.0, step=0.005) == (pytest.approx(QUIET_SECONDS, abs=0.006), Trigger.FILES)


def test_only_file_events_a_hub_change_and_the_interval_look_at_reported_paths_alone():
    assert {trigger for trigger in Trigger if not walks_everything(trigger)} == {
        Trigger.FILES,
        Trigger.HUB,
        Trigger.INTERVAL,
    }


def test_events_that_never_pause_still_sync_2_seconds_after_the_first(policy: WatchPolicy, clocks: Clocks):
    every = 0.125
    syncs: list[float] = []
    for step in range(48):
        policy.file_event()
        if policy.due() is Trigger.FILES:
            syncs.append(step * every)
        clocks.advance(every)
    assert syncs, "a stream of events every 125 ms for 6 s never synced"
    assert syncs[0] == DEBOUNCE_CAP_SECONDS
    assert syncs == [2.0, 4.125], "each new burst is capped again"


def test_failures_back_off_from_30_seconds_to_15_minutes_and_success_resets(policy: WatchPolicy, clocks: Clocks):
    delays = []
    for _ in range(7):
        assert policy.manual() is Trigger.MANUAL
        delays.append(policy.failed(UNREACHABLE))
    assert delays == [30, 60, 120, 240, 480, 900, BACKOFF_CAP_SECONDS]

    clocks.advance(890)
    policy.file_event()
    assert policy.hub_changed() is None, "automatic triggers wait for the retry"
    assert first_due(policy, clocks, until=5) is None, "the burst ended inside the backoff: no sync for it"
    found = first_due(policy, clocks, until=20, step=0.5)
    assert found is not None and found[1] is Trigger.RETRY
    assert clocks.mono == pytest.approx(1000 + 900, abs=0.5), "the retry comes 15 minutes after the failure"

    policy.succeeded()
    assert policy.failures == 0 and policy.retry_delay is None
    assert policy.failed(UNREACHABLE) == 30


def test_a_backoff_longer_than_the_interval_holds_the_interval_sync(policy: WatchPolicy, clocks: Clocks):
    policy.set_interval_minutes(1)
    for _ in range(3):
        policy.manual()
        policy.failed(UNREACHABLE)
    assert policy.retry_delay == 120
    clocks.advance(61)
    assert policy.heartbeat() is None
    clocks.advance(59)
    assert policy.due() is Trigger.RETRY
    policy.succeeded()
    clocks.advance(60)
    assert policy.heartbeat() is Trigger.INTERVAL


def test_the_hubs_retry_after_wins_when_it_is_longer(policy: WatchPolicy):
    assert policy.failed(HubRateLimitedError("Slow down.", retry_after=300)) == 300
    assert policy.failed(HubRateLimitedError("Slow down.", retry_after=5)) == 60
    assert policy.failed(HubRateLimitedError("Slow down.")) == 120


HELD = SyncResult(mass_delete=MassDeleteQuestion("folder-1", "memory", 3, 4, DeletedBy.THIS_LAPTOP))


@pytest.mark.parametrize(
    "stop",
    [lambda policy: policy.failed(PassphraseError("Wrong passphrase.")), lambda policy: policy.synced(HELD)],
    ids=["wrong-passphrase", "mass-delete-question"],
)
def test_what_only_the_person_can_answer_stops_automatic_syncs_until_a_sync_succeeds(
    policy: WatchPolicy, clocks: Clocks, stop
):
    policy.set_interval_minutes(1)
    assert stop(policy) is None
    assert policy.waiting_for_person and policy.retry_delay is None and policy.next_deadline() is None
    policy.file_event()
    clocks.advance(600)
    assert policy.due() is None
    assert policy.hub_changed() is None
    assert policy.heartbeat() is None
    assert policy.network_changed(True) is None

    assert policy.manual() is Trigger.MANUAL, "the person can always sync"
    assert policy.failed(UNREACHABLE) == 30, "their sync failed for another reason: that is retried"
    clocks.advance(30)
    assert policy.due() is Trigger.RETRY
    policy.synced(SyncResult())
    assert not policy.waiting_for_person
    assert policy.hub_changed() is Trigger.HUB


def test_interval_wake_network_and_pause(policy: WatchPolicy, clocks: Clocks):
    policy.set_interval_minutes(5)
    clocks.advance(240)
    assert policy.heartbeat() is None
    clocks.advance(60)
    assert policy.heartbeat() is Trigger.INTERVAL

    policy.failed(UNREACHABLE)
    clocks.wall += 3600
    assert policy.heartbeat() is Trigger.WAKE, "the wall clock ran an hour ahead of the monotonic one: slept"
    assert policy.failures == 0 and policy.retry_delay is None

    clocks.online = False
    assert policy.hub_changed() is None
    assert policy.start() is Trigger.START, "starting syncs even offline: the hub's answer says more"
    policy.failed(UNREACHABLE)
    clocks.online = True
    assert policy.network_changed(True) is Trigger.NETWORK, "the network came back: retry at once"

    assert policy.set_paused(True) is None
    clocks.advance(3600)
    assert policy.heartbeat() is None and policy.hub_changed() is None
    assert policy.manual() is Trigger.MANUAL
    assert policy.set_paused(False) is Trigger.RESUME


def folder_info(path: Path, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> FolderInfo:
    return FolderInfo("f1", "memory", str(path), include, exclude, 0)


def test_the_event_filter_passes_only_changes_a_sync_could_send(tmp_path: Path):
    root = tmp_path / "memory"
    notes = FileEventFilter([folder_info(root, exclude=("*.log",))], lambda: None)
    project = FileEventFilter([folder_info(tmp_path / "project", include=("CLAUDE.md",))], lambda: None)

    def matters(event: FileSystemEvent, event_filter: FileEventFilter = notes) -> bool:
        return event_filter.matters(event)

    assert matters(FileModifiedEvent(str(root / "CLAUDE.md")))
    assert matters(FileCreatedEvent(str(root / "deep" / "note.md")))
    assert matters(FileDeletedEvent(str(root / "note.md")))
    assert matters(DirDeletedEvent(str(root / "deep")))
    assert matters(DirDeletedEvent(str(root))), "the folder itself went away"
    assert matters(FileMovedEvent(str(tmp_path / "elsewhere.md"), str(root / "moved-in.md")))
    assert matters(FileMovedEvent(str(root / "draft.md"), str(root / "final.md")))

    assert not matters(FileCreatedEvent(str(root / ".memtray-tmp-1234")))
    assert not matters(FileModifiedEvent(str(root / "deep" / ".memtray-tmp-1234")))
    assert not matters(FileMovedEvent(str(root / ".memtray-tmp-1234"), str(root / "CLAUDE.md"))), "a download"
    assert not matters(DirCreatedEvent(str(root / ".memtray-conflicts")))
    assert not matters(FileCreatedEvent(str(root / ".memtray-conflicts" / "CLAUDE.sync-conflict.md")))
    assert not matters(FileModifiedEvent(str(root / ".git" / "index")))
    assert not matters(FileModifiedEvent(str(root / "debug.log"))), "the folder's own exclude rule"
    assert not matters(FileModifiedEvent(str(tmp_path / "memory-notes" / "CLAUDE.md"))), "outside the folder"
    assert not matters(DirModifiedEvent(str(root / "deep")))
    assert not matters(FileOpenedEvent(str(root / "CLAUDE.md")))
    assert not matters(FileClosedNoWriteEvent(str(root / "CLAUDE.md")))

    assert matters(FileModifiedEvent(str(tmp_path / "project" / "CLAUDE.md")), project)
    assert not matters(FileModifiedEvent(str(tmp_path / "project" / "src" / "main.py")), project)


def test_the_observer_reports_a_persons_edit_and_not_memtrays_own_writes(tmp_path: Path):
    root = tmp_path / "memory"
    root.mkdir()
    seen = threading.Event()
    observer = FolderObserver(seen.set)
    observer.watch([folder_info(root)])
    try:
        assert observer.watched() == (str(root),)
        (root / ".memtray-tmp-1").write_text("download", encoding="utf-8")
        (root / ".memtray-tmp-1").replace(root / "CLAUDE.md")
        (root / ".memtray-conflicts").mkdir()
        (root / ".memtray-conflicts" / "CLAUDE.sync-conflict.md").write_text("theirs", encoding="utf-8")
        (root / "CLAUDE.md").read_text(encoding="utf-8")
        assert not seen.wait(1.5), "memtray's own writes and reads are not edits"
        (root / "CLAUDE.md").write_text("edited by a person", encoding="utf-8")
        assert seen.wait(20)
    finally:
        observer.stop()


class Watcher:
    """`memtray sync --watch` for ``laptop`` in a real process; its output lines with the time they showed up."""

    def __init__(self, laptop: Laptop) -> None:
        # The process writes through a file description of its own: had it shared the reader's, each
        # seek(0) below would move where its next line lands, over the lines already printed.
        output = laptop.root / "watch.out"
        with output.open("w", encoding="utf-8") as written_by_the_process:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "memtray", "--home", str(laptop.home), "sync", "--watch"],
                env={**os.environ, "PYTHONPATH": str(REPO), "MEMTRAY_PASSPHRASE": laptop.passphrase},
                stdout=written_by_the_process,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
            )
        self.out = output.open(encoding="utf-8")
        self.lines: list[tuple[float, str]] = []

    def read(self) -> list[str]:
        """The lines printed so far; a line still being written is left for the next read, so it is never
        taken in two halves."""
        self.out.seek(0)
        text = self.out.read()
        complete = text[: text.rfind("\n") + 1].splitlines()
        self.lines += [(time.monotonic(), line) for line in complete[len(self.lines) :]]
        return complete

    def wait_for(self, fragment: str, after: int = 0, timeout: float = 60.0) -> tuple[float, str]:
        """The first line from number ``after`` on that contains ``fragment``, and when it showed up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read()
            for when, line in self.lines[after:]:
                if fragment in line:
                    return when, line
            if self.process.poll() is not None and len(self.read()) == len(self.lines):
                break
            time.sleep(0.05)
        self.out.seek(0)
        raise AssertionError(f"no line with {fragment!r} within {timeout:.0f} s:\n" + self.out.read())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)
        self.out.close()


@contextmanager
def watching(laptop: Laptop) -> Iterator[Watcher]:
    watcher = Watcher(laptop)
    try:
        yield watcher
    finally:
        watcher.stop()


def wait_until(check, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_watch_sends_a_file_change_and_takes_a_hub_change(make_laptop, tmp_path: Path):
    with http_hub_endpoint(tmp_path / "server") as memtray_hub:
        a, b = paired(make_laptop, memtray_hub, {"CLAUDE.md": "shared\n"})
        with watching(b) as watcher:
            watcher.wait_for("Synced:")
            started = len(watcher.lines)
            (b.folder() / "from-b.md").write_text("B's watcher sends this\n")
            watcher.wait_for("1 sent", after=started)
            a.sync()
            assert (a.folder() / "from-b.md").read_text() == "B's watcher sends this\n"

            (a.folder() / "CLAUDE.md").write_text("edited on A while B watches\n")
            a.sync()
            target = b.folder() / "CLAUDE.md"
            wait_until(lambda: target.read_text() == "edited on A while B watches\n")


def test_watch_backs_off_after_a_failure_and_retries(make_laptop, folder_hub: HubEndpoint):
    laptop = make_laptop("Laptop-A", folder_hub)
    laptop.init()
    laptop.folder().mkdir()
    laptop.run("folder", "add", "memory", str(laptop.folder()))
    hub = Path(folder_hub.raw.root)  # type: ignore[attr-defined]
    unplugged = hub.with_name("hub-unplugged")
    with watching(laptop) as watcher:
        watcher.wait_for("Synced:")
        hub.rename(unplugged)
        (laptop.folder() / "first.md").write_text("written while the hub is away\n")
        failed_at, line = watcher.wait_for("Trying again in 30 s.")
        assert "storage folder" in line
        printed = len(watcher.read())

        (laptop.folder() / "second.md").write_text("also written while the hub is away\n")
        time.sleep(DEBOUNCE_CAP_SECONDS + 2)
        assert len(watcher.read()) == printed, "an edit during the backoff waits for the retry"

        unplugged.rename(hub)
        retried_at, _ = watcher.wait_for("2 sent", timeout=90)
        assert retried_at - failed_at >= 25, "the retry came before the 30 s backoff was over"
    assert sorted(path.name for path in laptop.folder().iterdir()) == ["first.md", "second.md"]


def test_watch_stops_and_says_why_when_only_the_person_can_go_on(make_laptop, folder_hub: HubEndpoint):
    laptop = make_laptop("Laptop-A", folder_hub)
    laptop.init()
    laptop.folder().mkdir()
    for number in range(4):
        (laptop.folder() / f"note-{number}.md").write_text(f"note {number}\n")
    laptop.run("folder", "add", "memory", str(laptop.folder()))
    with watching(laptop) as watcher:
        watcher.wait_for("4 sent")
        entries = folder_hub.raw.keys("log/")
        for number in range(3):
            (laptop.folder() / f"note-{number}.md").unlink()
        watcher.process.wait(timeout=60)
        assert watcher.process.returncode == MassDeleteError.exit_code
        _, line = watcher.wait_for("--allow-mass-delete")
        assert line.startswith("memtray: 3 of 4 files")
        assert line.endswith("Nothing was sent.") and "Sync anyway" not in line
    assert folder_hub.raw.keys("log/") == entries, "the deletions waited for a yes"
