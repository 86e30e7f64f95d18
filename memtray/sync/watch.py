"""Keep syncing while running: on file changes (debounced), on hub changes, and on an interval.

Used by ``memtray sync --watch``; the tray app has its own Qt scheduler with the same triggers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from memtray.hubs.base import ChangeFeed
from memtray.sync.globs import CONFLICTS_DIR, TEMP_PREFIX

QUIET_SECONDS = 0.3
LONGEST_WAIT_SECONDS = 2.0


class Trigger:
    """A wake-up flag several threads can set; ``wait`` debounces bursts of file events."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._last = 0.0
        self._first = 0.0

    def fire(self, debounce: bool = False) -> None:
        now = time.monotonic()
        if not self._event.is_set():
            self._first = now
        self._last = now if debounce else 0.0
        self._event.set()

    def wait(self, timeout: float) -> bool:
        if not self._event.wait(timeout):
            return False
        while self._last:
            now = time.monotonic()
            quiet_left = self._last + QUIET_SECONDS - now
            if quiet_left <= 0 or now - self._first >= LONGEST_WAIT_SECONDS:
                break
            time.sleep(min(quiet_left, 0.05))
        self._event.clear()
        self._last = 0.0
        return True


def is_own_file(path: str) -> bool:
    parts = Path(path).parts
    return CONFLICTS_DIR in parts or Path(path).name.startswith(TEMP_PREFIX)


class _Handler(FileSystemEventHandler):
    def __init__(self, trigger: Trigger) -> None:
        self.trigger = trigger

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if is_own_file(str(event.src_path)) and is_own_file(str(getattr(event, "dest_path", "") or event.src_path)):
            return
        self.trigger.fire(debounce=True)


def watch_folders(folders: Iterable[Path], trigger: Trigger) -> BaseObserver:
    observer = Observer()
    handler = _Handler(trigger)
    for folder in folders:
        if folder.is_dir():
            observer.schedule(handler, str(folder), recursive=True)
    observer.daemon = True
    observer.start()
    return observer


def follow_hub(
    feed: ChangeFeed, trigger: Trigger, stop: threading.Event, on_error: Callable[[Exception], None]
) -> threading.Thread:
    def loop() -> None:
        cursor: str | None = None
        failures = 0
        while not stop.is_set():
            try:
                latest = feed.wait_for_change(cursor, 25.0)
                failures = 0
            except Exception as exc:  # keep following; report, then back off
                failures += 1
                on_error(exc)
                stop.wait(min(60.0, 2.0**failures))
                continue
            if cursor is not None and latest != cursor:
                trigger.fire()
            cursor = latest

    thread = threading.Thread(target=loop, name="memtray-hub-feed", daemon=True)
    thread.start()
    return thread
