"""The passphrase dialog: "unlock your synced memory", and "Forgot it? Use your recovery key".

What the person sees depends on the keychain (``PassphrasePrompter`` in ``memtray.ui.passphrase_prompter``
decides when to ask):
- locked: "unlock it, or type your passphrase"; "Unlock keychain" reads the keychain again, which
  brings up the desktop's own unlock prompt;
- missing: said plainly; the service keeps the typed passphrase in memory for this run only;
- working but without the passphrase: just the passphrase field.

With ``can_recover``, "Forgot it? Use your recovery key" turns the dialog into a form for the recovery key
and a new passphrase (held to the same strength as a new one). OK on that form does not close the dialog:
it emits ``recovery_asked``, and the prompter answers with ``recovery_failed`` or ``done(RECOVERED)``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError
from memtray.keychain import KeychainState
from memtray.ui.icons import app_icon
from memtray.ui.password_field import NewPassphraseBox, PasswordField
from memtray.ui.widgets import StatusLine, explanation

UNLOCK = 2
RECOVERED = 4


class PassphraseDialog(QDialog):
    """Passphrase field plus a plain word about the keychain, and the recovery-key form behind "Forgot it?".

    ``result()`` is Accepted, Rejected, ``UNLOCK`` or ``RECOVERED``. On the recovery form, OK emits
    ``recovery_asked`` and waits for ``recovery_failed`` or ``done(RECOVERED)``; meanwhile it cannot be cancelled.
    """

    recovery_asked = Signal()

    def __init__(self, state: KeychainState, can_recover: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.busy = False
        self.setWindowTitle(self.tr("memtray needs your passphrase"))
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(520)
        columns = QHBoxLayout(self)
        columns.setContentsMargins(20, 20, 20, 16)
        columns.setSpacing(16)
        picture = QLabel()
        picture.setPixmap(app_icon().pixmap(48, 48))
        columns.addWidget(picture, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout()
        layout.setSpacing(8)
        columns.addLayout(layout, 1)
        self.heading = QLabel(self.heading_text())
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.message = QLabel(self.message_text())
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addSpacing(4)
        self.pages = QStackedWidget()
        self.unlock_page, self.recovery_page = self._unlock_page(can_recover), self._recovery_page()
        self.pages.addWidget(self.unlock_page)
        self.pages.addWidget(self.recovery_page)
        self.pages.currentChanged.connect(self._fit_page)
        layout.addWidget(self.pages)
        self.status = StatusLine()
        layout.addWidget(self.status)
        layout.addSpacing(8)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("&Use passphrase"))
        self.ok_button.setEnabled(False)
        self.unlock_button: QPushButton | None = None
        if state is KeychainState.LOCKED:
            role = QDialogButtonBox.ButtonRole.ActionRole
            self.unlock_button = self.buttons.addButton(self.tr("Un&lock keychain"), role)
            self.unlock_button.clicked.connect(lambda: self.done(UNLOCK))
        self.back_button = self.buttons.addButton(self.tr("&Back"), QDialogButtonBox.ButtonRole.ResetRole)
        self.back_button.clicked.connect(self.show_unlock)
        self.back_button.hide()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.ok_button.setDefault(True)  # set once in the dialog, so Return keeps meaning OK whatever had focus
        self.field.textChanged.connect(self._update_ok)
        self.recovery_field.textChanged.connect(self._update_ok)
        self.new_passphrase.validity_changed.connect(self._update_ok)
        self._fit_page()
        self.field.setFocus()

    def _unlock_page(self, can_recover: bool) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        label = QLabel(self.tr("&Passphrase:"))
        self.field = PasswordField()
        self.field.setAccessibleName(self.tr("Passphrase"))
        label.setBuddy(self.field)
        column.addWidget(label)
        column.addWidget(self.field)
        self.forgot_button = QPushButton(self.tr("&Forgot it? Use your recovery key"))
        self.forgot_button.setFlat(True)
        self.forgot_button.setAutoDefault(False)
        self.forgot_button.setStyleSheet("QPushButton { color: palette(link); text-decoration: underline; }")
        self.forgot_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.forgot_button.clicked.connect(self.show_recovery)
        self.forgot_button.setVisible(can_recover)
        column.addWidget(self.forgot_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)
        return page

    def _recovery_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        label = QLabel(self.tr("&Recovery key:"))
        self.recovery_field = PasswordField(self.tr("The key you saved or printed when you set up memtray"))
        self.recovery_field.setAccessibleName(self.tr("Recovery key"))
        label.setBuddy(self.recovery_field)
        self.new_passphrase = NewPassphraseBox(self.tr("&New passphrase:"))
        column.addWidget(label)
        column.addWidget(self.recovery_field)
        column.addSpacing(8)
        column.addWidget(self.new_passphrase)
        column.addWidget(explanation(self.tr("Your other laptops will ask for the new passphrase once.")))
        column.addStretch(1)
        return page

    def heading_text(self) -> str:
        if self.state is KeychainState.LOCKED:
            return self.tr("Your keychain is locked")
        if self.state is KeychainState.MISSING:
            return self.tr("No keychain on this computer")
        return self.tr("Unlock your synced memory")

    def message_text(self) -> str:
        if self.state is KeychainState.LOCKED:
            return self.tr("Unlock your keychain so memtray can read your passphrase, or type the passphrase below.")
        if self.state is KeychainState.MISSING:
            return self.tr(
                "memtray could not find a keychain on this computer, so it cannot remember your passphrase. "
                "Type it once each time memtray starts; memtray keeps it in memory only, never on disk."
            )
        return self.tr("Type your passphrase so memtray can sync.")

    def passphrase(self) -> str:
        """What the dialog answers with: the typed passphrase, or the new one on the recovery form."""
        return self.new_passphrase.passphrase() if self.on_recovery_form() else self.field.text()

    def recovery_key(self) -> str:
        return self.recovery_field.text()

    def on_recovery_form(self) -> bool:
        return self.pages.currentWidget() is self.recovery_page

    def show_recovery(self) -> None:
        self.pages.setCurrentWidget(self.recovery_page)
        self.heading.setText(self.tr("Use your recovery key"))
        self.message.setText(
            self.tr("Type the recovery key you saved when you set up memtray, then choose a new passphrase.")
        )
        self.ok_button.setText(self.tr("&Use recovery key"))
        self.back_button.show()
        if self.unlock_button is not None:
            self.unlock_button.hide()
        self._update_ok()
        self.recovery_field.setFocus()

    def show_unlock(self) -> None:
        self.pages.setCurrentWidget(self.unlock_page)
        self.heading.setText(self.heading_text())
        self.message.setText(self.message_text())
        self.ok_button.setText(self.tr("&Use passphrase"))
        self.back_button.hide()
        if self.unlock_button is not None:
            self.unlock_button.show()
        self.status.clear()
        self._update_ok()
        self.field.setFocus()

    def accept(self) -> None:
        if not self.on_recovery_form():
            super().accept()
            return
        if self.busy or not self.ok_button.isEnabled():
            return
        self._set_busy(True)
        self.status.busy(self.tr("Checking the recovery key…"))
        self.recovery_asked.emit()

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def recovery_failed(self, error: MemtrayError) -> None:
        self._set_busy(False)
        self.status.error(error)
        self.adjustSize()
        self.recovery_field.setFocus()
        self.recovery_field.selectAll()

    def _fit_page(self, *_: object) -> None:
        """The dialog takes the size of the page shown, not of the largest one."""
        for page in (self.unlock_page, self.recovery_page):
            policy = QSizePolicy.Policy.Preferred if page is self.pages.currentWidget() else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.adjustSize()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.pages.setEnabled(not busy)
        self.buttons.setEnabled(not busy)

    def _update_ok(self, *_: object) -> None:
        if self.on_recovery_form():
            ready = bool(self.recovery_field.text()) and self.new_passphrase.is_valid()
        else:
            ready = bool(self.field.text())
        self.ok_button.setEnabled(ready)
