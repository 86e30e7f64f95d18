"""What the next watch-triggered sync looks at: the paths the watcher reported, or everything.

Rules (shared by ``memtray sync --watch`` and the tray app):
- Each file event the watcher passes (see ``FileEventFilter`` in watch.py) names its path; a delete or a
  rename also names its folder, whose files are then looked at too (``scan._walk_reported``).
- A sync looks only at the reported paths of each watched folder and takes every other file as the index has
  it. It walks every folder in full instead on start, on waking, when the person asks, on a retry, after a
  failed or interrupted sync, when the watcher lost events (its queue overflowed, it stopped, or a folder
  began to be watched), and at least every ``FULL_WALK_SECONDS``. A folder that is not watched is always
  walked in full.
- memtray's own writes: each sync notes the files it wrote or deleted (path and stamp). A reported path that
  is still exactly as memtray left it (same size, time and inode, or still gone), or a folder memtray wrote
  in, is not news: when nothing else was reported, no sync runs for those events.
- memtray's own pushes: the change feed names the hub's change counter before and after each change it saw;
  when every change in between was an object this laptop stored (``OwnChanges``), it is not news either.

All methods are safe to call from any thread.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Mapping

from memtray.sync.records import DiskStamp

FULL_WALK_SECONDS = 600.0
Reported = Mapping[str, frozenset[str]]
"""Per folder id, the paths (relative to the folder, "/"-separated; a trailing "/" also asks for their folder's
files) a sync looks at; a folder not named is walked in full. None instead of a mapping walks everything."""


class ReportedChanges:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._paths: dict[str, set[str]] = {}
        self._roots: dict[str, str] = {}
        self._walk_all = True
        self._last_full_walk = -math.inf
        self._own: dict[tuple[str, str], tuple[int, int, int] | None] = {}
        self._own_folders: set[tuple[str, str]] = set()

    def watching(self, roots: Mapping[str, str]) -> None:
        """The watcher now watches these folders (id → path): a folder new to it is walked in full next time."""
        with self._lock:
            if any(self._roots.get(folder_id) != root for folder_id, root in roots.items()):
                self._walk_all = True
            self._roots = dict(roots)
            self._paths = {folder_id: paths for folder_id, paths in self._paths.items() if folder_id in roots}

    def note(self, folder_id: str, relative: str, *, with_folder: bool = False) -> None:
        """The watcher saw ``relative`` change in the folder ``folder_id`` (and its folder, if ``with_folder``)."""
        with self._lock:
            self._paths.setdefault(folder_id, set()).add(relative + "/" if with_folder and relative else relative)

    def pending(self) -> int:
        """How many paths were reported since the last sync took them."""
        with self._lock:
            return sum(len(paths) for paths in self._paths.values())

    def walk_everything(self) -> None:
        """The next sync walks every folder in full (start, wake, the person asked, events lost, a failure)."""
        with self._lock:
            self._walk_all = True

    def wrote(self, folder_id: str, relative: str, stamp: DiskStamp | None) -> None:
        """memtray itself wrote (``stamp``) or deleted (None) ``relative`` in the folder ``folder_id``."""
        with self._lock:
            self._own[(folder_id, relative)] = None if stamp is None else (stamp.size, stamp.mtime_ns, stamp.inode)
            folder = relative.rpartition("/")[0]
            while folder:
                self._own_folders.add((folder_id, folder))
                folder = folder.rpartition("/")[0]

    def has_news(self) -> bool:
        """Whether anything but memtray's own writes was reported since the last sync (or a full walk is due)."""
        with self._lock:
            self._drop_own_writes()
            return self._walk_all or any(self._paths.values())

    def take(self) -> Reported | None:
        """What the sync starting now looks at; the reported paths are handed over (see ``sync_failed``)."""
        with self._lock:
            self._drop_own_writes()
            now = self._monotonic()
            full = self._walk_all or now - self._last_full_walk >= FULL_WALK_SECONDS
            taken = {folder_id: frozenset(self._paths.get(folder_id, ())) for folder_id in self._roots}
            self._paths = {}
            self._own.clear()
            self._own_folders.clear()
            if full:
                self._walk_all = False
                self._last_full_walk = now
                return None
            return taken

    def sync_failed(self) -> None:
        """A sync stopped before it saw everything it took: the next one walks every folder."""
        self.walk_everything()

    def _drop_own_writes(self) -> None:
        for folder_id, paths in self._paths.items():
            root = self._roots.get(folder_id)
            if root is not None and (self._own or self._own_folders):
                paths.difference_update([path for path in paths if self._is_own(folder_id, root, path)])

    def _is_own(self, folder_id: str, root: str, path: str) -> bool:
        relative = path.rstrip("/")
        if (folder_id, relative) in self._own_folders:
            return True
        if (folder_id, relative) not in self._own:
            return False
        expected = self._own[(folder_id, relative)]
        try:
            status = os.lstat(os.path.join(root, relative))
        except FileNotFoundError:
            return expected is None
        except OSError:
            return False
        return expected == (status.st_size, status.st_mtime_ns, status.st_ino)


class HubChanges:
    """The changes the hub's change feed saw since the last sync took them, as (cursor before, cursor after);
    ``news()`` tells whether any of them was not this laptop's own push (see the module rules)."""

    def __init__(self, feed: object | None) -> None:
        only_own = getattr(feed, "only_own_changes", None)
        self._only_own: Callable[[str, str], bool] | None = only_own if callable(only_own) else None
        self._lock = threading.Lock()
        self._seen: list[tuple[str, str]] = []

    def saw(self, before: str, after: str) -> None:
        with self._lock:
            self._seen.append((before, after))

    def news(self) -> bool:
        """Whether another laptop (or anyone but this laptop's syncs) changed the hub; forgets what was seen."""
        with self._lock:
            seen, self._seen = self._seen, []
        only_own = self._only_own
        return any(only_own is None or not only_own(before, after) for before, after in seen)
