"""SetupWizard: the pages in order, and ``completed`` once this laptop has synced memory.

Cancel cancels, on every page: before the synced memory exists there is nothing to undo; on "Where should your
files go on this laptop?", after the join, the laptop leaves it again (``Service.cancel_join``), so there is no
config and nothing syncs. After "Start syncing" (and on the recovery-key page once the key is saved) closing the
wizard means Finish. At Finish, "Start memtray when I sign in" is applied through ``memtray.autostart`` and kept as
the ``start_at_login`` setting; only then is ``completed`` emitted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard

from memtray.autostart import Autostart, get_autostart
from memtray.errors import MemtrayError
from memtray.laptop_name import NameWords, default_laptop_name
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

START_AT_LOGIN = "start_at_login"
# Warnings shown at Finish, kept alive until the person closes them (the wizard itself is gone by then).
OPEN_WARNINGS: list[QMessageBox] = []


class SetupWizard(QWizard):
    """First run: "Start" (storage → folders → passphrase → recovery key) or "Join" (code → places → sync)."""

    completed = Signal()

    def __init__(
        self,
        client: ServiceClient,
        parent: QWidget | None = None,
        *,
        user_home: Path | None = None,
        autostart: Autostart | None = None,
        laptop_name: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = WizardState(client, user_home)
        self._autostart = autostart or get_autostart()
        self._announced = False
        self._finishing = False
        self.setWindowTitle(self.tr("Set up memtray"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setWindowIcon(app_icon())
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, app_icon().pixmap(48, 48))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Next >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< &Back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Finish"))
        if laptop_name is None:
            laptop_name = default_laptop_name(words=self.name_words())
        self.start_page = StartPage(self.state, laptop_name)
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
        self.resize(700, 560)

    def name_words(self) -> NameWords:
        """The words around the names in this laptop's default name, in the person's language."""
        return NameWords(
            owned=self.tr("{who}'s {thing}", "a laptop's default name: a first name, then a model or kind"),
            laptop=self.tr("laptop", "a kind of computer, in a laptop's default name"),
            pc=self.tr("PC", "a kind of computer, in a laptop's default name"),
        )

    def reject(self) -> None:
        """Cancel, Esc or closing the window (see the module's docstring).

        Ignored while a page is working (the synced memory may be half made) and on the recovery-key page
        until the person confirms they saved the key.
        """
        page = self.currentPage()
        if self._finishing or (isinstance(page, WorkingPage) and page.busy):
            return
        if page is self.places_page and self.state.vault_ready:
            self.places_page.leave(super().reject)
        elif not self.state.vault_ready:
            super().reject()
        elif page is not self.recovery_page or page.isComplete():
            self.accept()

    def done(self, result: int) -> None:
        super().done(result)
        if result == QWizard.DialogCode.Accepted and self.state.vault_ready:
            self._finish()

    def _work_finished(self) -> None:
        if not self.isVisible() and self.state.vault_ready:
            self._finish()

    def _finish(self) -> None:
        """Apply "Start memtray when I sign in", keep it as a setting, then announce ``completed`` once."""
        if self._finishing or self._announced:
            return
        self._finishing = True
        wanted = self.state.start_at_login
        try:
            self._autostart.set_enabled(wanted)
            started = wanted
        except MemtrayError as error:
            started = self._autostart.is_enabled()
            self._tell(error)
        self.state.client.call(
            lambda service: service.set_setting(START_AT_LOGIN, started),
            lambda _result: self._announce(),
            lambda error: self._announce(error),
            refresh=True,
        )

    def _tell(self, error: MemtrayError) -> None:
        """A warning of its own: it stays open after the wizard is gone."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("memtray will not start by itself"),
            self.tr("{reason} You can turn “Start memtray when I sign in” on later in Settings.").format(
                reason=error.message
            ),
        )
        box.setWindowIcon(app_icon())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        OPEN_WARNINGS.append(box)
        box.finished.connect(lambda _result: OPEN_WARNINGS.remove(box))
        box.open()

    def _announce(self, error: MemtrayError | None = None) -> None:
        self._finishing = False
        if error is not None:
            self._tell(error)
        if not self._announced:
            self._announced = True
            self.completed.emit()
