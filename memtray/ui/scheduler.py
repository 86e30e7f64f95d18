"""The tray's clock for the watch policy: when ``SyncController`` syncs.

The rules (debounce, interval, wake, backoff, waiting for the person, which file events count) are
those of ``memtray/sync/watch_policy.py`` and ``memtray/sync/watch.py``, shared with
``memtray sync --watch``. This module only gives the policy its events on the UI thread and its
timers:
- the heartbeat, once a minute (a very coarse timer): the interval, waking from sleep, and the
  tray's "Synced 2 min ago" refresh. It is the only timer running while the app is idle;
- one single-shot timer at the policy's next deadline (the end of a burst of file events, or the
  retry after a failure), running only while there is one, and moved only when that deadline moves.
File events and hub changes arrive on watchdog's and the change feed's threads and are queued to
the UI thread.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from memtray.errors import MemtrayError
from memtray.hubs.base import ChangeFeed
from memtray.model import FolderInfo, SyncResult
from memtray.sync.watch import ChangeFeedFollower, FolderObserver, worth_a_sync
from memtray.sync.watch_changes import HubChanges, ReportedChanges
from memtray.sync.watch_policy import (
    BACKOFF_CAP_SECONDS,
    DEBOUNCE_CAP_SECONDS,
    HEARTBEAT_SECONDS,
    Trigger,
    WatchPolicy,
    backoff_seconds,
)
from memtray.ui.network import NetworkStatus
from memtray.ui.sync_controller import SyncController

HEARTBEAT_MSECS = int(HEARTBEAT_SECONDS * 1000)
MAX_DELAY_MSECS = int(DEBOUNCE_CAP_SECONDS * 1000)

__all__ = ["BACKOFF_CAP_SECONDS", "HEARTBEAT_MSECS", "MAX_DELAY_MSECS", "Scheduler", "Trigger", "backoff_seconds"]


class Scheduler(QObject):
    """Asks ``SyncController`` for a sync whenever the watch policy names a trigger."""

    triggered = Signal(Trigger)
    heartbeat = Signal()
    _file_event_seen = Signal()
    _hub_change_seen = Signal()

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
        self._monotonic = monotonic
        self.policy = WatchPolicy(monotonic=monotonic, wall_clock=wall_clock, is_online=network.is_online)
        self.changes = ReportedChanges(monotonic=monotonic)
        self.watcher = FolderObserver(self._file_event_seen.emit, self.changes)
        controller.changes = self.changes
        self._feed: ChangeFeedFollower | None = None
        self._hub_changes = HubChanges(None)
        self._file_event_seen.connect(self._on_file_event, Qt.ConnectionType.QueuedConnection)
        self._hub_change_seen.connect(self._on_hub_change, Qt.ConnectionType.QueuedConnection)
        self._heartbeat = QTimer(self)
        self._heartbeat.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self._heartbeat.setInterval(HEARTBEAT_MSECS)
        self._heartbeat.timeout.connect(self.tick)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._on_deadline)
        self._armed_for: float | None = None
        controller.finished.connect(self._on_success)
        controller.failed.connect(self._on_failure)
        network.online_changed.connect(lambda online: self._follow(self.policy.network_changed(online)))

    @property
    def paused(self) -> bool:
        return self.policy.paused

    @property
    def failures(self) -> int:
        return self.policy.failures

    @property
    def waiting_for_person(self) -> bool:
        return self.policy.waiting_for_person

    def retry_delay(self) -> float | None:
        """The wait, in seconds, of the retry scheduled after a failure; None when none is scheduled."""
        return self.policy.retry_delay

    def start(self) -> None:
        self._heartbeat.start()
        self._follow(self.policy.start())

    def stop(self) -> None:
        self._heartbeat.stop()
        self._deadline.stop()
        self._armed_for = None
        self.watcher.stop()
        self.set_change_feed(None)

    def set_paused(self, paused: bool) -> None:
        self._follow(self.policy.set_paused(paused))

    def set_interval_minutes(self, minutes: int) -> None:
        self.policy.set_interval_minutes(minutes)

    def set_folders(self, folders: Sequence[FolderInfo]) -> None:
        self.watcher.watch(folders)

    def has_change_feed(self) -> bool:
        return self._feed is not None

    def set_change_feed(self, feed: ChangeFeed | None) -> None:
        if self._feed is not None:
            self._feed.stop()
            self._feed = None
        if feed is not None:
            self._hub_changes = HubChanges(feed)
            self._feed = ChangeFeedFollower(feed, self._hub_change_seen.emit, self._hub_changes)
            self._feed.start()

    def sync_now(self) -> None:
        """The person asked: sync even when paused or waiting to retry."""
        self._follow(self.policy.manual())

    def tick(self) -> None:
        """The heartbeat: notice sleep, honour the interval, refresh relative times."""
        self._follow(self.policy.heartbeat())
        self.heartbeat.emit()

    def _on_deadline(self) -> None:
        self._armed_for = None
        self._follow(self.policy.due())

    def _on_file_event(self) -> None:
        self.policy.file_event(single=self.changes.pending() <= 1)
        self._follow(None)

    def _on_hub_change(self) -> None:
        if self._feed is not None:
            self._follow(self.policy.hub_changed())

    def _on_success(self, result: SyncResult) -> None:
        self.policy.synced(result)
        self._follow(None)

    def _on_failure(self, error: MemtrayError) -> None:
        self.policy.failed(error)
        self._follow(None)

    def _follow(self, trigger: Trigger | None) -> None:
        """Sync for ``trigger`` if there is one; move the timer when the policy's next deadline moved."""
        if trigger is not None and worth_a_sync(trigger, self.changes, self._hub_changes, self.watcher):
            self.triggered.emit(trigger)
            self._controller.request()
        deadline = self.policy.next_deadline()
        if deadline == self._armed_for:
            return
        self._armed_for = deadline
        if deadline is None:
            self._deadline.stop()
        else:
            self._deadline.start(max(0, math.ceil((deadline - self._monotonic()) * 1000)))
