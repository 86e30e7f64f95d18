"""When to sync while memtray keeps running: one policy for the tray app and for ``memtray sync --watch``.

Rules:
- Triggers: file events, a change on the hub (its change feed), the interval, waking from sleep,
  the network coming back, the person asking ("Sync now"), starting, resuming after a pause, and
  the retry after a failure.
- A burst of file events becomes one sync: it starts after 300 ms without events, or 2 s after
  the first event at the latest. A burst that so far names a single path (a save) waits only
  50 ms of quiet. Which events count is decided in ``memtray/sync/watch.py``.
- A sync for file events or a hub change looks only at the paths the watcher reported; the other
  triggers walk every folder (``walks_everything``; see ``memtray/sync/watch_changes.py``).
- One heartbeat a minute does the rest: a sync when ``interval_minutes`` passed since the last
  one, and a sync after sleep (the wall clock ran more than 90 s ahead of the monotonic clock,
  which stands still while the laptop sleeps).
- Paused: no automatic syncs. A sync the person asks for still runs.
- A failed sync is retried after 30 s, then 1, 2, 4, 8 and at most 15 minutes, or later when
  the hub said when to come back (Retry-After); automatic triggers wait for that retry. Success
  resets it; waking up and the network coming back retry at once.
- A failure only the person can fix (wrong or missing passphrase, a refused laptop, memtray not
  set up), and a sync that stopped before a mass delete to wait for a yes, stop automatic syncs
  and retries until a sync succeeds. Only the person starts that sync, unless theirs failed for
  another reason: then it is retried as any failure is.
- The hub's change feed is long-polled for at most 55 s at a time; a failed poll waits as a
  failed sync would.

The policy is plain state with injected clocks and no threads or timers of its own. Every event
method answers the trigger to sync for now, or None. The caller serialises access (the tray on
its UI thread, the CLI under one lock) and wakes itself at ``next_deadline()`` and once a
``HEARTBEAT_SECONDS``.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable

from memtray.errors import HubAuthError, HubRateLimitedError, MemtrayError, NotSetUpError, PassphraseError
from memtray.model import SyncResult

QUIET_SECONDS = 0.3
SINGLE_PATH_QUIET_SECONDS = 0.05
DEBOUNCE_CAP_SECONDS = 2.0
HEARTBEAT_SECONDS = 60.0
WAKE_GAP_SECONDS = 90.0
BACKOFF_FIRST_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 15 * 60.0
FEED_TIMEOUT_SECONDS = 55.0
DEFAULT_INTERVAL_MINUTES = 5
NEEDS_PERSON = (PassphraseError, HubAuthError, NotSetUpError)

Clock = Callable[[], float]


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
    """The wait after ``failures`` failures in a row; the hub's Retry-After wins when it is longer."""
    delay = min(BACKOFF_FIRST_SECONDS * 2 ** max(failures - 1, 0), BACKOFF_CAP_SECONDS)
    return max(delay, retry_after or 0.0)


def walks_everything(trigger: Trigger) -> bool:
    """Whether a sync for ``trigger`` walks every folder instead of looking only at what the watcher reported."""
    return trigger not in (Trigger.FILES, Trigger.HUB, Trigger.INTERVAL)


def needs_person(error: MemtrayError) -> bool:
    return isinstance(error, NEEDS_PERSON)


def retry_after(error: BaseException) -> float | None:
    return error.retry_after if isinstance(error, HubRateLimitedError) else None


class Debounce:
    """Turns a burst of events into one moment: 300 ms after the last event (50 ms while every event of the burst
    named one single path), 2 s after the first at most."""

    def __init__(self) -> None:
        self._first: float | None = None
        self._last = 0.0
        self._single = True

    def note(self, now: float, single: bool = False) -> None:
        if self._first is None:
            self._first = now
            self._single = True
        self._single = self._single and single
        self._last = now

    def due_at(self) -> float | None:
        if self._first is None:
            return None
        quiet = SINGLE_PATH_QUIET_SECONDS if self._single else QUIET_SECONDS
        return min(self._last + quiet, self._first + DEBOUNCE_CAP_SECONDS)

    def settle(self, now: float) -> bool:
        """True once, when the burst is over at ``now``; the next event starts a new burst."""
        due = self.due_at()
        if due is None or now < due:
            return False
        self._first = None
        return True


class WatchPolicy:
    """Decides when to sync (see the module rules)."""

    def __init__(
        self,
        *,
        monotonic: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        is_online: Callable[[], bool] = lambda: True,
    ) -> None:
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._is_online = is_online
        self._debounce = Debounce()
        self.paused = False
        self.interval_seconds = DEFAULT_INTERVAL_MINUTES * 60.0
        self.failures = 0
        self.waiting_for_person = False
        self.retry_delay: float | None = None
        self._retry_at: float | None = None
        self._last_attempt = monotonic()
        self._last_beat = (wall_clock(), monotonic())

    def set_interval_minutes(self, minutes: int) -> None:
        self.interval_seconds = max(minutes, 1) * 60.0

    def set_paused(self, paused: bool) -> Trigger | None:
        was_paused, self.paused = self.paused, paused
        return self._automatic(Trigger.RESUME) if was_paused and not paused else None

    def start(self) -> Trigger | None:
        return self._automatic(Trigger.START)

    def manual(self) -> Trigger:
        """The person asked: sync even when paused, waiting to retry or waiting for them."""
        return self._begin(Trigger.MANUAL)

    def file_event(self, single: bool = False) -> None:
        """A file event; ``single`` when every event since the last sync named the same one path."""
        self._debounce.note(self._monotonic(), single)

    def hub_changed(self) -> Trigger | None:
        return self._automatic(Trigger.HUB)

    def network_changed(self, online: bool) -> Trigger | None:
        if not online:
            return None
        self._forget_failures()
        return self._automatic(Trigger.NETWORK)

    def heartbeat(self) -> Trigger | None:
        """Call once a ``HEARTBEAT_SECONDS``: notices sleep and honours the interval."""
        wall, mono = self._wall_clock(), self._monotonic()
        slept = (wall - self._last_beat[0]) - (mono - self._last_beat[1])
        self._last_beat = (wall, mono)
        if slept > WAKE_GAP_SECONDS:
            self._forget_failures()
            return self._automatic(Trigger.WAKE)
        if mono - self._last_attempt >= self.interval_seconds:
            return self._automatic(Trigger.INTERVAL)
        return None

    def next_deadline(self) -> float | None:
        """The monotonic time ``due()`` has something to say at, if any (the retry, or the end of a burst)."""
        deadlines = [at for at in (self._retry_at, self._debounce.due_at()) if at is not None]
        return min(deadlines, default=None)

    def due(self) -> Trigger | None:
        """What the deadline that passed asks for: the retry, or the sync after a burst of file events."""
        now = self._monotonic()
        if self._retry_at is not None and now >= self._retry_at:
            self._retry_at = self.retry_delay = None
            if not self.paused:
                self._debounce.settle(now)
                return self._begin(Trigger.RETRY)
        if self._debounce.settle(now):
            return self._automatic(Trigger.FILES)
        return None

    def synced(self, result: SyncResult) -> None:
        """Note a sync that ran: it succeeded, or it stopped before a mass delete and waits for the person."""
        if result.mass_delete is not None:
            self.wait_for_person()
        else:
            self.succeeded()

    def succeeded(self) -> None:
        self.failures = 0
        self.waiting_for_person = False
        self._retry_at = self.retry_delay = None

    def failed(self, error: MemtrayError) -> float | None:
        """Note a failed sync; returns the wait before the retry, or None when only the person can help."""
        if needs_person(error):
            self.wait_for_person()
            return None
        self.failures += 1
        self.retry_delay = backoff_seconds(self.failures, retry_after(error))
        self._retry_at = self._monotonic() + self.retry_delay
        return self.retry_delay

    def wait_for_person(self) -> None:
        """Stop automatic syncs and retries until a sync the person asked for succeeds."""
        self.waiting_for_person = True
        self._retry_at = self.retry_delay = None

    def _forget_failures(self) -> None:
        self.failures = 0
        self._retry_at = self.retry_delay = None

    def _automatic(self, trigger: Trigger) -> Trigger | None:
        if self.paused or self.waiting_for_person or self._retry_at is not None:
            return None
        if trigger is not Trigger.START and not self._is_online():
            return None
        return self._begin(trigger)

    def _begin(self, trigger: Trigger) -> Trigger:
        self._last_attempt = self._monotonic()
        return trigger
