"""The window's one way to the engine: ``ServiceClient`` runs every service call on the worker.

Rules:
- Only the client holds the ``Service``. The tabs, the wizard pages, the tray and the app ask it
  with ``call(work, on_done, on_error)``: ``work`` is handed the service and runs on the worker
  thread, one call at a time in the order asked (syncs included); the callbacks run on the UI
  thread. Nothing on the UI thread ever waits on the hub, the keychain or the index.
- What the window shows without asking (status, folders, setting values, each folder's secret guard) is a
  ``Snapshot``: a frozen copy read on the worker. ``refresh()`` reads a new one; a call made with
  ``refresh=True`` reads one right after its work, whether the work succeeded or not, so its
  callback already sees the new snapshot. Every new snapshot is announced with ``snapshot_changed``.
- A snapshot that cannot be read leaves the previous one in place; the next sync reports the cause.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

from memtray.errors import MemtrayError
from memtray.model import FolderInfo, Status
from memtray.service.settings import SETTINGS
from memtray.ui.tasks import TaskRunner
from memtray.ui.thread_guard import guarded

if TYPE_CHECKING:
    from memtray.service import Service

Result = TypeVar("Result")


@dataclass(frozen=True)
class Snapshot:
    """What the service said at one moment; the window reads it freely, it never changes."""

    status: Status
    settings: Mapping[str, Any]
    secret_guard: Mapping[str, bool]
    """Per folder name: whether this laptop checks its files for secrets before sending them."""

    @property
    def set_up(self) -> bool:
        return self.status.set_up

    @property
    def folders(self) -> tuple[FolderInfo, ...]:
        return self.status.folders

    def setting(self, key: str) -> Any:
        return self.settings[key]


NOT_SET_UP = Snapshot(
    Status(set_up=False),
    MappingProxyType({setting.key: setting.default for setting in SETTINGS}),
    MappingProxyType({}),
)


def read_snapshot(service: Service) -> Snapshot:
    if not service.is_set_up():
        return NOT_SET_UP
    values = {setting.key: service.get_setting(setting.key) for setting in SETTINGS}
    status = service.status()
    guard = {folder.name: service.secret_guard_on(folder.name) for folder in status.folders}
    return Snapshot(status, MappingProxyType(values), MappingProxyType(guard))


def _ignore(_error: MemtrayError) -> None:
    """A snapshot that cannot be read changes nothing the person can act on (see the module rules)."""


class ServiceClient(QObject):
    snapshot_changed = Signal(object)
    _snapshot_read = Signal(object)

    def __init__(self, service: Service, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.home = service.home
        self._service = guarded(service)
        self._runner = TaskRunner(self)
        self._snapshot = NOT_SET_UP
        self._snapshot_read.connect(self._adopt, Qt.ConnectionType.QueuedConnection)

    @property
    def snapshot(self) -> Snapshot:
        """The latest snapshot; before the first read, that of a laptop not set up."""
        return self._snapshot

    def call(
        self,
        work: Callable[[Service], Result],
        on_done: Callable[[Result], None],
        on_error: Callable[[MemtrayError], None],
        *,
        refresh: bool = False,
    ) -> None:
        service = self._service

        def job() -> Result:
            try:
                return work(service)
            finally:
                if refresh:
                    self._read_on_worker(service)

        self._runner.run(job, on_done, on_error)

    def refresh(
        self, then: Callable[[Snapshot], None] | None = None, on_error: Callable[[MemtrayError], None] = _ignore
    ) -> None:
        """Read a new snapshot; ``then`` gets it once it is the client's snapshot."""

        def adopted(snapshot: Snapshot) -> None:
            self._adopt(snapshot)
            if then is not None:
                then(snapshot)

        self.call(read_snapshot, adopted, on_error)

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for every call asked so far; False if they are not done within ``msecs``."""
        return self._runner.wait(msecs)

    def shutdown(self, msecs: int) -> bool:
        """Close the service after the calls asked so far; False when one is stuck (a hung hub)."""
        service = self._service
        self._runner.run(service.close, lambda _result: None, _ignore)
        return self._runner.wait(msecs)

    def _read_on_worker(self, service: Service) -> None:
        try:
            snapshot = read_snapshot(service)
        except MemtrayError:
            return
        self._snapshot_read.emit(snapshot)

    def _adopt(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self.snapshot_changed.emit(snapshot)
