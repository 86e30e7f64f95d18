"""When the tray syncs: file edits, hub changes, interval, wake, network back; backoff and one notice per problem."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from PySide6.QtCore import QObject

from memtray.errors import HubUnreachableError
from memtray.service import PASSPHRASE, Service
from memtray.service.unlock_cache import UNLOCK_KEY
from memtray.ui.client import ServiceClient
from memtray.ui.network import NetworkStatus
from memtray.ui.notify import Announcer, Notice, NoticeKind, Notifier, NotifyPrefs
from memtray.ui.scheduler import BACKOFF_CAP_SECONDS, HEARTBEAT_MSECS, Scheduler, Trigger, backoff_seconds
from memtray.ui.sync_controller import SyncController

pytestmark = pytest.mark.usefixtures("qapp")


class SwitchableNetwork(NetworkStatus):
    """This machine's network cannot be unplugged by a test; this status flips on request instead."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.online = True

    def is_online(self) -> bool:
        return self.online

    def switch(self, online: bool) -> None:
        self.online = online
        self.online_changed.emit(online)


class RecordingNotifier(Notifier):
    """Collects what the tray would show, so a test can count notices."""

    def __init__(self) -> None:
        super().__init__()
        self.notices: list[Notice] = []

    def show_notice(self, notice: Notice) -> None:
        self.notices.append(notice)


class Clock:
    """A real clock the test can move ahead (timers keep running in real time)."""

    def __init__(self, source: Callable[[], float]) -> None:
        self._source = source
        self.skipped = 0.0

    def __call__(self) -> float:
        return self._source() + self.skipped


class Rig:
    def __init__(self, service: Service) -> None:
        self.client = ServiceClient(service)
        self.controller = SyncController(self.client)
        self.network = SwitchableNetwork()
        self.wall = Clock(time.time)
        self.mono = Clock(time.monotonic)
        self.scheduler = Scheduler(self.controller, self.network, wall_clock=self.wall, monotonic=self.mono)
        self.notifier = RecordingNotifier()
        self.announcer = Announcer(self.notifier, NotifyPrefs(success=False))
        self.controller.failed.connect(self.announcer.sync_failed)
        self.controller.finished.connect(self.announcer.sync_succeeded)
        self.triggers: list[Trigger] = []
        self.scheduler.triggered.connect(self.triggers.append)

    def heartbeat(self, minutes: int = 1) -> None:
        """``minutes`` heartbeat ticks, one a minute, with both clocks running normally."""
        for _minute in range(minutes):
            self.wall.skipped += 60
            self.mono.skipped += 60
            self.scheduler.tick()

    def sync_and_wait(self, qtbot, trigger=None) -> None:
        with qtbot.waitSignal(self.controller.running_changed, check_params_cb=lambda running: not running):
            (trigger or self.scheduler.sync_now)()

    def close(self) -> None:
        self.scheduler.stop()
        self.client.wait()


@pytest.fixture
def rig(vault_home):
    rig = Rig(vault_home.service)
    yield rig
    rig.close()


def test_backoff_doubles_from_30_seconds_and_stops_at_15_minutes():
    assert [backoff_seconds(n) for n in range(1, 8)] == [30, 60, 120, 240, 480, 900, 900]
    assert backoff_seconds(12) == BACKOFF_CAP_SECONDS
    assert backoff_seconds(1, retry_after=120) == 120


def test_a_failing_hub_backs_off_and_is_notified_once_until_it_recovers(qtbot, rig, vault_home):
    unplugged = vault_home.hub.with_name("hub-unplugged")
    vault_home.hub.rename(unplugged)

    rig.sync_and_wait(qtbot)
    assert rig.scheduler.failures == 1
    first_retry = rig.scheduler.retry_delay()
    assert first_retry == 30

    rig.triggers.clear()
    rig.heartbeat(minutes=10)
    assert rig.triggers == [], "automatic syncs wait for the backoff retry"

    rig.sync_and_wait(qtbot)
    assert rig.scheduler.failures == 2
    second_retry = rig.scheduler.retry_delay()
    assert second_retry == 60
    assert [notice.kind for notice in rig.notifier.notices] == [NoticeKind.ERROR]
    assert rig.notifier.notices[0].title == HubUnreachableError.title
    assert rig.notifier.notices[0].tab == "hub"

    unplugged.rename(vault_home.hub)
    rig.sync_and_wait(qtbot)
    assert rig.scheduler.failures == 0
    assert rig.scheduler.retry_delay() is None
    assert len(rig.notifier.notices) == 1, "a successful sync is quiet by default"

    vault_home.hub.rename(unplugged)
    rig.sync_and_wait(qtbot)
    assert len(rig.notifier.notices) == 2, "the same problem coming back after a success is told again"


def test_a_problem_only_the_person_can_fix_stops_automatic_syncs(qtbot, vault_home):
    # The laptop unlocks with the key it kept in the keychain (unlock_cache.py): only with both gone is the passphrase
    # needed, which only the person can give.
    vault_id = vault_home.service.config.vault_id
    for item in (PASSPHRASE, UNLOCK_KEY):
        vault_home.service.keychain.delete(f"{vault_id}:{item}")
    rig = Rig(Service(vault_home.home))
    try:
        rig.sync_and_wait(qtbot)
        assert rig.scheduler.waiting_for_person
        assert rig.scheduler.retry_delay() is None
        assert rig.notifier.notices[0].title == "Passphrase needed"
        assert rig.notifier.notices[0].tab == "security"

        rig.triggers.clear()
        rig.heartbeat(minutes=10)
        assert rig.triggers == []

        rig.sync_and_wait(qtbot)
        assert rig.triggers == [Trigger.MANUAL]
        assert len(rig.notifier.notices) == 1
    finally:
        rig.close()


def test_interval_wake_and_pause(qtbot, rig):
    rig.scheduler.set_interval_minutes(5)
    rig.heartbeat(minutes=1)
    assert rig.triggers == []

    rig.sync_and_wait(qtbot, lambda: rig.heartbeat(minutes=4))
    assert rig.triggers == [Trigger.INTERVAL]

    rig.wall.skipped += 3600
    rig.sync_and_wait(qtbot, lambda: rig.heartbeat(minutes=1))
    assert rig.triggers[-1] is Trigger.WAKE, "the wall clock ran an hour ahead of the timer: the laptop slept"

    rig.scheduler.set_paused(True)
    rig.triggers.clear()
    rig.heartbeat(minutes=10)
    rig.wall.skipped += 3600
    rig.heartbeat(minutes=1)
    assert rig.triggers == [], "paused: no automatic syncs"
    rig.sync_and_wait(qtbot)
    assert rig.triggers == [Trigger.MANUAL], "paused: Sync now still syncs once"
    rig.sync_and_wait(qtbot, lambda: rig.scheduler.set_paused(False))
    assert rig.triggers[-1] is Trigger.RESUME


def test_heartbeat_is_the_only_idle_timer_and_ticks_once_a_minute(rig):
    rig.scheduler.start()
    timers = [timer for timer in rig.scheduler.findChildren(type(rig.scheduler._heartbeat)) if timer.isActive()]
    assert [timer.interval() for timer in timers] == [HEARTBEAT_MSECS]


def test_network_back_syncs_at_once(qtbot, rig):
    rig.network.switch(False)
    rig.heartbeat(minutes=10)
    assert rig.triggers == []
    rig.sync_and_wait(qtbot, lambda: rig.network.switch(True))
    assert rig.triggers == [Trigger.NETWORK]


def test_an_edit_in_a_mapped_folder_triggers_one_sync(qtbot, rig, vault_home):
    rig.scheduler.set_folders(vault_home.service.folders())
    assert rig.scheduler.watcher.watched() == (str(vault_home.folder),)

    with qtbot.waitSignal(rig.controller.finished, timeout=20000) as done:
        for n in range(5):
            (vault_home.folder / f"note-{n}.md").write_text(f"note {n}\n", encoding="utf-8")
    assert rig.triggers == [Trigger.FILES]
    assert done.args[0].uploaded == 5


def test_memtrays_own_temp_files_and_conflict_copies_do_not_trigger(qtbot, rig, vault_home):
    rig.scheduler.set_folders(vault_home.service.folders())
    folder = vault_home.folder
    (folder / ".memtray-tmp-1234").write_text("partial download", encoding="utf-8")
    (folder / ".memtray-conflicts").mkdir()
    (folder / ".memtray-conflicts" / "CLAUDE.sync-conflict.md").write_text("theirs", encoding="utf-8")
    (folder / ".memtray-tmp-5678").write_text("downloaded", encoding="utf-8")
    (folder / ".memtray-tmp-5678").replace(folder / "CLAUDE.md")
    qtbot.wait(2500)
    assert rig.triggers == [], "writes memtray makes itself are not edits"

    with qtbot.waitSignal(rig.controller.finished, timeout=20000):
        (folder / "CLAUDE.md").write_text("edited by a person", encoding="utf-8")
    assert rig.triggers == [Trigger.FILES]


class OneShotFeed:
    """A hub change feed held in memory: ``publish()`` is another laptop writing."""

    def __init__(self) -> None:
        self._cursor = 0
        self._changed = threading.Condition()
        self.listening = threading.Event()

    def publish(self) -> None:
        with self._changed:
            self._cursor += 1
            self._changed.notify_all()

    def wait_for_change(self, cursor: str | None, timeout: float) -> str | None:
        with self._changed:
            if cursor is not None:
                self.listening.set()
                self._changed.wait_for(lambda: str(self._cursor) != cursor, timeout)
            return str(self._cursor)


def test_a_change_on_the_hub_triggers_a_sync(qtbot, rig):
    feed = OneShotFeed()
    rig.scheduler.set_change_feed(feed)
    assert rig.scheduler.has_change_feed()
    qtbot.waitUntil(feed.listening.is_set)
    rig.sync_and_wait(qtbot, feed.publish)
    assert rig.triggers == [Trigger.HUB]


def test_conflicts_and_new_laptops_are_told_as_the_settings_say(qtbot, rig, vault_home, join_laptop):
    laptop_b = join_laptop("laptop-b")
    laptop_b.service.sync()
    (vault_home.folder / "CLAUDE.md").write_text("# Memory\n\nPrefer tiny functions.\n", encoding="utf-8")
    (laptop_b.folder / "CLAUDE.md").write_text("# Memory\n\nPrefer long functions.\n", encoding="utf-8")
    laptop_b.service.sync()

    rig.sync_and_wait(qtbot)

    kinds = [notice.kind for notice in rig.notifier.notices]
    assert kinds == [NoticeKind.CONFLICT, NoticeKind.NEW_DEVICE]
    conflict, joined = rig.notifier.notices
    assert conflict.title == "Your text was set aside"
    assert conflict.message == (
        "Your text in CLAUDE.md was set aside: Laptop B changed the same lines. Open it to choose."
    )
    assert conflict.tab == "conflicts"
    assert joined.message == (
        "A new laptop joined: Laptop B. If you did not add it, remove it in Settings → Security → Your laptops."
    ), "the roster's announcement, once, instead of the older sentence"
    assert joined.tab == "security"

    rig.announcer.prefs = NotifyPrefs(conflicts=False, new_device=False, success=True)
    rig.notifier.notices.clear()
    rig.sync_and_wait(qtbot)
    assert [notice.kind for notice in rig.notifier.notices] == [NoticeKind.SUCCESS]
    assert rig.notifier.notices[0].message == "Everything is up to date."
