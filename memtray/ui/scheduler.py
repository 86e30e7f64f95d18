"""When to sync: file changes, hub changes, an interval, waking from sleep, the network coming back.

Rules:
- A burst of file events becomes one sync: it starts after 300 ms without events, or 2 s after
  the first event at the latest. memtray's own temp files (``.memtray-tmp-*``) and the
  ``.memtray-conflicts`` folder are ignored, so writing a download does not trigger another sync.
- The hub's change feed (when the hub has one) is long-polled on its own thread.
- One coarse heartbeat a minute does the rest: a sync when ``interval_minutes`` passed since the
  last one, a sync after sleep (the wall clock jumped much further than a minute), and the tray's
  "Synced 2 min ago" refresh. Nothing else wakes the idle app.
- Paused: no automatic syncs. "Sync now" still syncs once; the menu says "Pause automatic sync".
- A failed sync is retried after 30 s, then 1, 2, 4, 8 and at most 15 minutes; automatic triggers
  wait for that retry. Success resets it. "Sync now", waking up and the network coming back
  retry at once.
- A failure only the person can fix (wrong or missing passphrase, a refused laptop, a mass delete
  waiting for a yes) stops automatic syncs until a manual "Sync now" succeeds.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import PurePath

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from memtray.errors import (
    HubAuthError,
    HubRateLimitedError,
    MassDeleteError,
    MemtrayError,
    NotSetUpError,
    PassphraseError,
)
from memtray.hubs.base import ChangeFeed
from memtray.model import FolderInfo, SyncResult
from memtray.sync.watch import is_own_file
from memtray.ui.network import NetworkStatus
from memtray.ui.sync_controller import SyncController

QUIET_MSECS = 300
MAX_DELAY_MSECS = 2000
HEARTBEAT_MSECS = 60_000
WAKE_GAP_SECONDS = 90.0
BACKOFF_FIRST_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 15 * 60.0
FEED_TIMEOUT_SECONDS = 55.0
FEED_RETRY_SECONDS = 60.0
NEEDS_PERSON = (PassphraseError, HubAuthError, MassDeleteError, NotSetUpError)


class Trigger(enum.Enum):
    MANUAL = "manual"
    FILES = "files"
    HUB = "hub"
    INTERVAL = "interval"
    WAKE = "wake"
    NETWORK = "network"
    START = "start"
    RESUME = "resume"
    RETRY = "retry"


def backoff_seconds(failures: int, retry_after: float | None = None) -> float:
    delay = min(BACKOFF_FIRST_SECONDS * 2 ** max(failures - 1, 0), BACKOFF_CAP_SECONDS)
    return max(delay, retry_after or 0.0)


class _EventFilter(FileSystemEventHandler):
    """Runs on the observer thread; passes on events that are not memtray's own writes."""

    def __init__(self, notify: Callable[[], None]) -> None:
        super().__init__()
        self._notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write", "attrib"):
            return
        if event.is_directory and event.event_type == "modified":
            return
        paths = [str(event.src_path)] + ([str(event.dest_path)] if event.dest_path else [])
        if event.event_type == "moved" and is_own_file(paths[0]):
            return
        if all(is_own_file(path) for path in paths):
            return
        self._notify()


class FolderWatcher(QObject):
    """Watches the mapped folders and emits ``changed`` once per burst of edits (see module rules)."""

    changed = Signal()
    _event_seen = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._filter = _EventFilter(self._event_seen.emit)
        self._event_seen.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        self._quiet = self._single_shot(QUIET_MSECS)
        self._deadline = self._single_shot(MAX_DELAY_MSECS)
        self._observer: BaseObserver | None = None
        self._paths: tuple[str, ...] = ()

    def _single_shot(self, msecs: int) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(msecs)
        timer.timeout.connect(self._fire)
        return timer

    def watched(self) -> tuple[str, ...]:
        return self._paths

    def watch(self, paths: Sequence[str]) -> None:
        """Watch exactly ``paths`` (folders that do not exist yet are skipped)."""
        wanted = tuple(sorted({path for path in paths if PurePath(path).is_absolute()}))
        if wanted == self._paths and self._observer is not None:
            return
        self.stop()
        self._paths = wanted
        if not wanted:
            return
        # A long observer timeout: the observer thread blocks on its queue instead of waking every second.
        observer = Observer(timeout=3600)
        for path in wanted:
            try:
                observer.schedule(self._filter, path, recursive=True)
            except OSError:
                continue
        observer.daemon = True
        observer.start()
        self._observer = observer

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
        self._quiet.stop()
        self._deadline.stop()

    def _on_event(self) -> None:
        self._quiet.start()
        if not self._deadline.isActive():
            self._deadline.start()

    def _fire(self) -> None:
        self._quiet.stop()
        self._deadline.stop()
        self.changed.emit()


class ChangeFeedListener(QObject):
    """Long-polls the hub's change feed on its own thread; ``changed`` when another laptop wrote."""

    changed = Signal()

    def __init__(self, feed: ChangeFeed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._feed = feed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="memtray-change-feed", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        cursor: str | None = None
        while not self._stop.is_set():
            try:
                new_cursor = self._feed.wait_for_change(cursor, FEED_TIMEOUT_SECONDS)
            except Exception:  # the hub being away is reported by syncs; the feed just waits and retries
                self._stop.wait(FEED_RETRY_SECONDS)
                continue
            if cursor is not None and new_cursor is not None and new_cursor != cursor and not self._stop.is_set():
                self.changed.emit()
            cursor = new_cursor


class Scheduler(QObject):
    """Decides when ``SyncController`` syncs (see the module rules)."""

    triggered = Signal(Trigger)
    heartbeat = Signal()

    def __init__(
        self,
        controller: SyncController,
        network: NetworkStatus,
        parent: QObject | None = None,
        *,
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._network = network
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self._paused = False
        self._interval_seconds = 5 * 60.0
        self._failures = 0
        self._waiting_for_person = False
        self._last_attempt = monotonic()
        self._last_tick_wall = wall_clock()
        self.watcher = FolderWatcher(self)
        self.watcher.changed.connect(lambda: self._automatic(Trigger.FILES))
        self._feed: ChangeFeedListener | None = None
        self._heartbeat = QTimer(self)
        self._heartbeat.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self._heartbeat.setInterval(HEARTBEAT_MSECS)
        self._heartbeat.timeout.connect(self.tick)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self._retry.timeout.connect(self._on_retry)
        controller.finished.connect(self._on_success)
        controller.failed.connect(self._on_failure)
        network.online_changed.connect(self._on_online_changed)

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def failures(self) -> int:
        return self._failures

    @property
    def waiting_for_person(self) -> bool:
        return self._waiting_for_person

    def retry_delay(self) -> float | None:
        """The wait, in seconds, of the retry scheduled after a failure; None when none is scheduled."""
        return self._retry.interval() / 1000 if self._retry.isActive() else None

    def start(self) -> None:
        self._heartbeat.start()
        self._automatic(Trigger.START)

    def stop(self) -> None:
        self._heartbeat.stop()
        self._retry.stop()
        self.watcher.stop()
        self.set_change_feed(None)

    def set_paused(self, paused: bool) -> None:
        was_paused, self._paused = self._paused, paused
        if was_paused and not paused:
            self._automatic(Trigger.RESUME)

    def set_interval_minutes(self, minutes: int) -> None:
        self._interval_seconds = max(minutes, 1) * 60.0

    def set_folders(self, folders: Sequence[FolderInfo]) -> None:
        self.watcher.watch([folder.path for folder in folders if folder.path])

    def has_change_feed(self) -> bool:
        return self._feed is not None

    def set_change_feed(self, feed: ChangeFeed | None) -> None:
        if self._feed is not None:
            self._feed.stop()
            self._feed = None
        if feed is not None:
            self._feed = ChangeFeedListener(feed, self)
            self._feed.changed.connect(lambda: self._automatic(Trigger.HUB), Qt.ConnectionType.QueuedConnection)
            self._feed.start()

    def sync_now(self) -> None:
        """The person asked: sync even when paused or waiting to retry."""
        self._run(Trigger.MANUAL)

    def tick(self) -> None:
        """The heartbeat: notice sleep, honour the interval, refresh relative times."""
        now = self._wall_clock()
        gap = now - self._last_tick_wall - HEARTBEAT_MSECS / 1000
        self._last_tick_wall = now
        if gap > WAKE_GAP_SECONDS:
            self._failures = 0
            self._retry.stop()
            self._automatic(Trigger.WAKE)
        elif self._monotonic() - self._last_attempt >= self._interval_seconds:
            self._automatic(Trigger.INTERVAL)
        self.heartbeat.emit()

    def _on_online_changed(self, online: bool) -> None:
        if online:
            self._failures = 0
            self._retry.stop()
            self._automatic(Trigger.NETWORK)

    def _on_retry(self) -> None:
        if not self._paused:
            self._run(Trigger.RETRY)

    def _automatic(self, trigger: Trigger) -> None:
        if self._paused or self._waiting_for_person or self._retry.isActive():
            return
        if trigger is not Trigger.START and not self._network.is_online():
            return
        self._run(trigger)

    def _run(self, trigger: Trigger) -> None:
        self._last_attempt = self._monotonic()
        self.triggered.emit(trigger)
        self._controller.request()

    def _on_success(self, _result: SyncResult) -> None:
        self._failures = 0
        self._waiting_for_person = False
        self._retry.stop()

    def _on_failure(self, error: MemtrayError) -> None:
        if isinstance(error, NEEDS_PERSON):
            self._waiting_for_person = True
            self._retry.stop()
            return
        self._failures += 1
        retry_after = error.retry_after if isinstance(error, HubRateLimitedError) else None
        self._retry.start(int(backoff_seconds(self._failures, retry_after) * 1000))
