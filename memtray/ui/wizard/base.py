"""What the wizard's pages share: the client to the service, and pages that work in the background."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QWidget, QWizard, QWizardPage

from memtray.errors import MemtrayError
from memtray.model import FolderInfo, InitResult, SyncProgress, SyncResult
from memtray.presets import Preset
from memtray.ui.client import ServiceClient
from memtray.ui.widgets import StatusLine

if TYPE_CHECKING:
    from memtray.service import Service

PAGE_START, PAGE_HUB, PAGE_PRESETS, PAGE_PASSPHRASE, PAGE_RECOVERY = range(5)
PAGE_JOIN, PAGE_PLACES, PAGE_FIRST_SYNC = range(5, 8)


@dataclass
class WizardState:
    """Choices and results carried from page to page."""

    client: ServiceClient
    user_home: Path | None
    joining: bool = False
    laptop_name: str = ""
    start_at_login: bool = True
    hub_url: str = ""
    invite: str | None = None
    hub_secret: str | None = None
    allow_insecure_http: bool = False
    presets: list[Preset] = field(default_factory=list)
    init_result: InitResult | None = None
    joined_folders: tuple[FolderInfo, ...] = ()
    sync_result: SyncResult | None = None
    sync_error: MemtrayError | None = None
    vault_ready: bool = False


class ProgressRelay(QObject):
    """Carries sync progress from the worker thread to the page, as a queued signal."""

    progressed = Signal(str, int, int)

    def report(self, progress: SyncProgress) -> None:
        self.progressed.emit(progress.phase, progress.done, progress.total)


class WorkingPage(QWizardPage):
    """A page whose Next runs a background job first and moves on only when it succeeds."""

    worked = Signal()

    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.status = StatusLine()
        self.busy = False
        self.finished_work = False
        self.advance_when_done = True

    def isComplete(self) -> bool:
        return not self.busy and self.ready()

    def ready(self) -> bool:
        return True

    def validatePage(self) -> bool:
        if self.finished_work:
            return True
        if not self.busy:
            self.start_work()
        return False

    def start_work(self) -> None:
        raise NotImplementedError

    def run(self, text: str, work: Callable[[Service], Any], on_done: Callable[[Any], None]) -> None:
        """Run ``work`` with the service on the client's worker; the client's snapshot is renewed after it."""
        self._set_cancel_enabled(False)
        self.busy = True
        self.status.busy(text)
        self._set_inputs_enabled(False)
        self.completeChanged.emit()
        self.state.client.call(work, lambda result: self._succeeded(result, on_done), self._failed, refresh=True)

    def _set_cancel_enabled(self, enabled: bool) -> None:
        wizard = self.wizard()
        if wizard is not None:
            wizard.button(QWizard.WizardButton.CancelButton).setEnabled(enabled)

    def _succeeded(self, result: Any, on_done: Callable[[Any], None]) -> None:
        self._set_cancel_enabled(True)
        self.busy = False
        self.finished_work = True
        self.status.clear()
        self._set_inputs_enabled(True)
        self.completeChanged.emit()
        on_done(result)
        self.worked.emit()
        wizard = self.wizard()
        if self.advance_when_done and wizard is not None and wizard.currentPage() is self:
            wizard.next()

    def _failed(self, error: MemtrayError) -> None:
        self._set_cancel_enabled(True)
        self.busy = False
        self._set_inputs_enabled(True)
        self.status.error(error)
        self.completeChanged.emit()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child is not self.status:
                child.setEnabled(enabled)

    @Slot(str, int, int)
    def show_progress(self, phase: str, done: int, total: int) -> None:
        words = {
            "checking": self.tr("Checking your storage"),
            "scanning": self.tr("Looking for changed files"),
            "downloading": self.tr("Receiving files"),
            "writing": self.tr("Saving files on this laptop"),
            "uploading": self.tr("Sending files"),
        }
        text = words.get(phase, self.tr("Syncing"))
        if total:
            text = self.tr("{step}: {done} of {total}").format(step=text, done=done, total=total)
        self.status.busy(text + "…", done, total)
