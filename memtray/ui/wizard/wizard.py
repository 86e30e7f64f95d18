"""SetupWizard: the pages in order, and ``completed`` once this laptop has a vault."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget, QWizard

from memtray.ui.client import ServiceClient
from memtray.ui.icons import app_icon
from memtray.ui.wizard.base import (
    PAGE_FIRST_SYNC,
    PAGE_HUB,
    PAGE_JOIN,
    PAGE_PASSPHRASE,
    PAGE_PLACES,
    PAGE_PRESETS,
    PAGE_RECOVERY,
    PAGE_START,
    WizardState,
    WorkingPage,
)
from memtray.ui.wizard.hub import HubPage
from memtray.ui.wizard.join import FirstSyncPage, JoinPage, PlacesPage
from memtray.ui.wizard.newvault import PassphrasePage, RecoveryPage
from memtray.ui.wizard.presets_page import PresetsPage
from memtray.ui.wizard.start import StartPage


class SetupWizard(QWizard):
    """First run: "Start a new vault" (hub → folders → passphrase → recovery key) or "Join" (code → places → sync)."""

    completed = Signal()

    def __init__(self, client: ServiceClient, parent: QWidget | None = None, *, user_home: Path | None = None) -> None:
        super().__init__(parent)
        self.state = WizardState(client, user_home)
        self._announced = False
        self.setWindowTitle(self.tr("Set up memtray"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setWindowIcon(app_icon())
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, app_icon().pixmap(48, 48))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Next >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< &Back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Finish"))
        self.start_page = StartPage(self.state)
        self.hub_page = HubPage(self.state)
        self.presets_page = PresetsPage(self.state)
        self.passphrase_page = PassphrasePage(self.state)
        self.recovery_page = RecoveryPage(self.state)
        self.join_page = JoinPage(self.state)
        self.places_page = PlacesPage(self.state)
        self.first_sync_page = FirstSyncPage(self.state)
        pages = {
            PAGE_START: self.start_page,
            PAGE_HUB: self.hub_page,
            PAGE_PRESETS: self.presets_page,
            PAGE_PASSPHRASE: self.passphrase_page,
            PAGE_RECOVERY: self.recovery_page,
            PAGE_JOIN: self.join_page,
            PAGE_PLACES: self.places_page,
            PAGE_FIRST_SYNC: self.first_sync_page,
        }
        for page_id, page in pages.items():
            self.setPage(page_id, page)
            if isinstance(page, WorkingPage):
                page.worked.connect(self._work_finished)
        self.setStartId(PAGE_START)
        self.resize(680, 500)

    def reject(self) -> None:
        """Cancel, Esc or closing the window: nothing to undo before the vault exists; after, it means Finish.

        Ignored while a page is working (the vault may be half made) and on the recovery-key page
        until the person confirms they saved the key.
        """
        page = self.currentPage()
        if isinstance(page, WorkingPage) and page.busy:
            return
        if not self.state.vault_ready:
            super().reject()
        elif page is not self.recovery_page or page.isComplete():
            self.accept()

    def done(self, result: int) -> None:
        super().done(result)
        self._announce()

    def _work_finished(self) -> None:
        if not self.isVisible():
            self._announce()

    def _announce(self) -> None:
        """Emit ``completed`` once, even when the person closed the wizard while the vault was being made."""
        if self.state.vault_ready and not self._announced:
            self._announced = True
            self.completed.emit()
