"""What wakes memtray while it keeps running, without polling; and ``memtray sync --watch`` itself.

- ``FolderObserver`` watches the placed folders with watchdog (inotify, FSEvents,
  ReadDirectoryChangesW) and calls back for every event that may change what a sync sends. Left
  out: opening and reading files, attribute changes, a folder's own "modified" events; memtray's
  own writes (its temp files, a temp file renamed into place, ``.memtray-conflicts``); and paths
  outside the placed folders or that a folder's include and exclude rules leave out (``.git``,
  editor swap files). The observer thread blocks on the kernel and on its queue: it does not
  wake up while nothing happens. Each event's paths go to ``ReportedChanges`` (see
  watch_changes.py: what the next sync looks at); a warning from watchdog (its queue overflowed,
  a folder could not be watched again) or an observer that stopped means events were lost, and
  the next sync walks every folder.
- ``ChangeFeedFollower`` long-polls the hub's change feed on its own thread and calls back when
  the hub changed; the changes it saw are kept, so that a wake-up for this laptop's own push is
  told apart (``HubChanges``). A failed poll waits as a failed sync would.
- ``WatchLoop`` is ``memtray sync --watch``: the rules of ``memtray/sync/watch_policy.py`` on
  threads. Its thread sleeps on one condition until the next deadline (the end of a burst of
  file events, a retry, the next heartbeat), so an idle watcher wakes about once a minute. A sync
  for file events that were all memtray's own writes, or for a hub change that was all this
  laptop's own push, does not run.

The tray app (``memtray/ui/scheduler.py``) uses the same observer, feed follower and policy, with
Qt timers in place of the loop.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import PurePath

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from memtray.errors import MemtrayError
from memtray.hubs.base import ChangeFeed
from memtray.model import FolderInfo, MassDeleteQuestion, SyncResult
from memtray.sync.globs import TEMP_PREFIX, GlobFilter
from memtray.sync.watch_changes import HubChanges, ReportedChanges
from memtray.sync.watch_policy import (
    FEED_TIMEOUT_SECONDS,
    HEARTBEAT_SECONDS,
    Trigger,
    WatchPolicy,
    backoff_seconds,
    retry_after,
    walks_everything,
)

log = logging.getLogger(__name__)

# Asked of the OS where it can filter (inotify): opening, reading and attribute changes never reach memtray.
EVENT_KINDS = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
# How long watchdog's dispatcher blocks on its queue between checks for a stop (older watchdog releases
# wake up this often even when nothing happens; a stop is signalled through the queue anyway).
OBSERVER_TIMEOUT_SECONDS = 3600.0
WATCHDOG_LOGGER = "watchdog.observers"


class _WatchedFolder:
    def __init__(self, folder: FolderInfo) -> None:
        root = str(folder.path)
        self.folder_id = folder.folder_id
        self.bases = tuple({os.path.normcase(os.path.normpath(base)) for base in (root, os.path.realpath(root))})
        self.rules = GlobFilter(folder.include, folder.exclude)

    def relative(self, path: str) -> str | None:
        """``path`` relative to this folder ("" for the folder itself, "/"-separated, its names as the event spelled
        them), or None when outside."""
        compared = os.path.normcase(path)
        for base in self.bases:
            if compared == base:
                return ""
            if compared.startswith(base.rstrip(os.sep) + os.sep):
                return path[len(base.rstrip(os.sep)) + 1 :].replace(os.sep, "/")
        return None

    def tracked(self, relative: str, is_directory: bool) -> bool:
        rules = self.rules
        return relative == "" or (rules.may_contain(relative) if is_directory else rules.tracks(relative))


class FileEventFilter(FileSystemEventHandler):
    """Runs on the observer thread; for the events that may change what a sync sends, tells ``changes`` their
    paths and calls ``notify``."""

    def __init__(
        self, folders: Sequence[FolderInfo], notify: Callable[[], None], changes: ReportedChanges | None = None
    ) -> None:
        super().__init__()
        self._folders = [_WatchedFolder(folder) for folder in folders if folder.path]
        self._notify = notify
        self._changes = changes

    def on_any_event(self, event: FileSystemEvent) -> None:
        if self.matters(event):
            self._notify()

    def matters(self, event: FileSystemEvent) -> bool:
        if not isinstance(event, tuple(EVENT_KINDS)):
            return False
        source = os.fsdecode(event.src_path)
        if isinstance(event, FileMovedEvent) and PurePath(source).name.startswith(TEMP_PREFIX):
            return False
        gone = isinstance(event, FileDeletedEvent | DirDeletedEvent | FileMovedEvent | DirMovedEvent)
        paths = [(source, gone), *([(os.fsdecode(event.dest_path), False)] if event.dest_path else [])]
        matters = False
        for path, with_folder in paths:
            for folder in self._folders:
                relative = folder.relative(path)
                if relative is not None and folder.tracked(relative, event.is_directory):
                    matters = True
                    if self._changes is not None:
                        self._changes.note(folder.folder_id, relative, with_folder=with_folder)
        return matters


class _LostEvents(logging.Handler):
    """watchdog warns when it lost events (its queue overflowed, a folder could not be watched again)."""

    def __init__(self, lost: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self._lost = lost

    def emit(self, record: logging.LogRecord) -> None:
        self._lost()


class FolderObserver:
    """Watches the placed folders; ``notify`` is called on the observer thread (see the module rules)."""

    def __init__(self, notify: Callable[[], None], changes: ReportedChanges | None = None) -> None:
        self._notify = notify
        self._changes = changes
        self._observer: BaseObserver | None = None
        self._folders: tuple[FolderInfo, ...] = ()
        self._lost = _LostEvents(changes.walk_everything if changes is not None else lambda: None)

    def watched(self) -> tuple[str, ...]:
        return tuple(str(folder.path) for folder in self._folders)

    def watch(self, folders: Sequence[FolderInfo]) -> None:
        """Watch exactly the placed folders among ``folders`` (a folder that does not exist yet is skipped)."""
        wanted = tuple(sorted((f for f in folders if f.path and PurePath(f.path).is_absolute()), key=_watch_key))
        if [_watch_key(f) for f in wanted] == [_watch_key(f) for f in self._folders] and self.alive():
            return
        self.stop()
        self._folders = wanted
        if not wanted:
            return
        handler = FileEventFilter(wanted, self._notify, self._changes)
        observer = Observer(timeout=OBSERVER_TIMEOUT_SECONDS)
        roots = {}
        for folder in wanted:
            try:
                observer.schedule(handler, str(folder.path), recursive=True, event_filter=EVENT_KINDS)
            except OSError:
                continue
            roots[folder.folder_id] = str(folder.path)
        logging.getLogger(WATCHDOG_LOGGER).addHandler(self._lost)
        observer.daemon = True
        observer.start()
        self._observer = observer
        if self._changes is not None:
            self._changes.watching(roots)

    def alive(self) -> bool:
        """Whether the observer and each folder's watch still run (one that stopped has lost events)."""
        observer = self._observer
        return observer is not None and observer.is_alive() and all(e.is_alive() for e in observer.emitters)

    def stop(self) -> None:
        logging.getLogger(WATCHDOG_LOGGER).removeHandler(self._lost)
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
        if self._changes is not None:
            self._changes.watching({})


def _watch_key(folder: FolderInfo) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return (str(folder.path), tuple(folder.include), tuple(folder.exclude))


class ChangeFeedFollower:
    """Long-polls ``feed`` on a thread of its own; ``notify`` (on that thread) when the hub changed, after telling
    ``changes`` which changes it saw."""

    def __init__(self, feed: ChangeFeed, notify: Callable[[], None], changes: HubChanges | None = None) -> None:
        self._feed = feed
        self._notify = notify
        self._changes = changes
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="memtray-change-feed", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Returns at once; a poll under way ends within its time-out and is then ignored."""
        self._stop.set()

    def _follow(self) -> None:
        cursor: str | None = None
        failures = 0
        while not self._stop.is_set():
            try:
                new_cursor = self._feed.wait_for_change(cursor, FEED_TIMEOUT_SECONDS)
            except Exception as error:  # the hub being away is told by the syncs; the feed waits and tries again
                failures += 1
                wait = backoff_seconds(failures, retry_after(error))
                log.info("change feed: %s, next poll in %.0f s", type(error).__name__, wait)
                self._stop.wait(wait)
                continue
            failures = 0
            if cursor is not None and new_cursor is not None and new_cursor != cursor and not self._stop.is_set():
                if self._changes is not None:
                    self._changes.saw(cursor, new_cursor)
                self._notify()
            cursor = new_cursor


def worth_a_sync(trigger: Trigger, changes: ReportedChanges, hub: HubChanges, observer: FolderObserver) -> bool:
    """Whether ``trigger`` calls for a sync (file events that were all memtray's own writes, or a hub change that
    was all this laptop's own push, do not); notes on ``changes`` when the sync must walk every folder."""
    if walks_everything(trigger) or (observer.watched() and not observer.alive()):
        changes.walk_everything()
    news = hub.news()
    if trigger in (Trigger.FILES, Trigger.HUB):
        return news or changes.has_news()
    return True


class WatchLoop:
    """``memtray sync --watch``: syncs when the policy says so, until stopped or the person is needed. ``sync`` is
    given what the watcher reported (see watch_changes.py)."""

    def __init__(
        self,
        sync: Callable[[ReportedChanges], SyncResult],
        folders: Callable[[], Sequence[FolderInfo]],
        feed: ChangeFeed | None,
        policy: WatchPolicy,
        *,
        on_synced: Callable[[SyncResult], None],
        on_failed: Callable[[MemtrayError, float | None], None],
    ) -> None:
        self._sync = sync
        self._folders = folders
        self._policy = policy
        self._on_synced = on_synced
        self._on_failed = on_failed
        self._wake = threading.Condition()
        self._pending: Trigger | None = None
        self._stopped = False
        self._next_beat = time.monotonic() + HEARTBEAT_SECONDS
        self.changes = ReportedChanges()
        self.hub_changes = HubChanges(feed)
        self._observer = FolderObserver(self._file_event, self.changes)
        self._feed = ChangeFeedFollower(feed, self._hub_changed, self.hub_changes) if feed is not None else None

    def run(self) -> MemtrayError | MassDeleteQuestion | None:
        """Sync until ``stop()``; returns what needs the person when one ends the loop: a failure, or the
        question of a sync that stopped before a mass delete."""
        self._observer.watch(self._folders())
        if self._feed is not None:
            self._feed.start()
        with self._wake:
            self._pending = self._policy.start()
        try:
            while (trigger := self._next_trigger()) is not None:
                if not self._worth_a_sync(trigger):
                    log.info("sync --watch: %s, nothing new", trigger.value)
                    continue
                log.info("sync --watch: %s at %.3f", trigger.value, time.time())
                needs_the_person = self._sync_once()
                log.info("sync --watch: done at %.3f", time.time())
                if needs_the_person is not None:
                    return needs_the_person
            return None
        finally:
            self._observer.stop()
            if self._feed is not None:
                self._feed.stop()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()

    def _worth_a_sync(self, trigger: Trigger) -> bool:
        return worth_a_sync(trigger, self.changes, self.hub_changes, self._observer)

    def _next_trigger(self) -> Trigger | None:
        """Blocks until the policy names a trigger (None once stopped); wakes only at real deadlines."""
        with self._wake:
            while not self._stopped:
                trigger, self._pending = self._pending or self._policy.due(), None
                if trigger is None and time.monotonic() >= self._next_beat:
                    self._next_beat = time.monotonic() + HEARTBEAT_SECONDS
                    trigger = self._policy.heartbeat()
                if trigger is not None:
                    return trigger
                deadline = min(self._next_beat, self._policy.next_deadline() or self._next_beat)
                self._wake.wait(max(deadline - time.monotonic(), 0.0))
        return None

    def _sync_once(self) -> MemtrayError | MassDeleteQuestion | None:
        """One sync; returns its failure, or its question, only when automatic syncs must wait for the person."""
        try:
            result = self._sync(self.changes)
            self._observer.watch(self._folders())
        except MemtrayError as error:
            with self._wake:
                retry_in = self._policy.failed(error)
            self._on_failed(error, retry_in)
            return error if retry_in is None else None
        with self._wake:
            self._policy.synced(result)
        if result.mass_delete is not None:
            return result.mass_delete
        self._on_synced(result)
        return None

    def _file_event(self) -> None:
        with self._wake:
            before = self._policy.next_deadline()
            self._policy.file_event(single=self.changes.pending() <= 1)
            after = self._policy.next_deadline()
            if before is None or (after is not None and after < before):
                self._wake.notify_all()

    def _hub_changed(self) -> None:
        log.info("change feed: the hub changed at %.3f", time.time())
        with self._wake:
            self._pending = self._pending or self._policy.hub_changed()
            self._wake.notify_all()
