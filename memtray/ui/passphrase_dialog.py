"""Asking for the vault passphrase when the keychain cannot give it.

The service calls ``PassphrasePrompter.ask`` from its worker thread. The prompter looks at the
keychain there (it may block on D-Bus), then shows the dialog on the UI thread and waits for
the answer. What the person sees depends on the keychain:
- locked: "unlock it, or type your passphrase"; "Unlock keychain" reads the keychain again, which
  brings up the desktop's own unlock prompt;
- missing: said plainly; the service keeps the typed passphrase in memory for this run only;
- working but without the passphrase: just the passphrase field.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError
from memtray.keychain import Keychain, KeychainState
from memtray.ui.icons import app_icon

UNLOCK = 2


class PassphraseDialog(QDialog):
    """Passphrase field plus a plain word about the keychain. ``result()`` is Accepted, Rejected or ``UNLOCK``."""

    def __init__(self, state: KeychainState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle(self.tr("memtray needs your passphrase"))
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(500)
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
        label = QLabel(self.tr("&Vault passphrase:"))
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName(self.tr("Vault passphrase"))
        label.setBuddy(self.field)
        layout.addWidget(label)
        layout.addWidget(self.field)
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
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.field.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text)))
        self.field.setFocus()

    def heading_text(self) -> str:
        if self.state is KeychainState.LOCKED:
            return self.tr("Your keychain is locked")
        if self.state is KeychainState.MISSING:
            return self.tr("No keychain on this computer")
        return self.tr("Unlock your vault")

    def message_text(self) -> str:
        if self.state is KeychainState.LOCKED:
            return self.tr("Unlock your keychain so memtray can read your passphrase, or type the passphrase below.")
        if self.state is KeychainState.MISSING:
            return self.tr(
                "memtray could not find a keychain on this computer, so it cannot remember your passphrase. "
                "Type it once each time memtray starts; memtray keeps it in memory only, never on disk."
            )
        return self.tr("Type the passphrase of your vault so memtray can sync.")

    def passphrase(self) -> str:
        return self.field.text()


@dataclass
class _Request:
    state: KeychainState
    answered: threading.Event = field(default_factory=threading.Event)
    result: int = QDialog.DialogCode.Rejected
    passphrase: str | None = None


class PassphrasePrompter(QObject):
    """``ask(reason)`` is safe from any thread; pass it to ``Service(ask_passphrase=...)``.

    ``passphrase_item()`` names the keychain entry the service keeps the passphrase under; it is
    read again after the person unlocks the keychain.
    """

    dialog_shown = Signal(PassphraseDialog)
    _requested = Signal(object)

    def __init__(self, keychain: Keychain, passphrase_item: Callable[[], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keychain = keychain
        self._item = passphrase_item
        self._pending: dict[int, tuple[_Request, PassphraseDialog | None]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._requested.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def ask(self, reason: str) -> str | None:
        """The passphrase, or None if the person cancelled. ``reason`` is the service's one-word purpose;
        what the dialog says depends on the keychain's state instead."""
        while not self._closed:
            request = self._answer(self._keychain.state(self._item()))
            if request.result == UNLOCK:
                stored = self._read_stored()
                if stored:
                    return stored
                continue
            if request.result == QDialog.DialogCode.Accepted and request.passphrase:
                return request.passphrase
            return None
        return None

    def close(self) -> None:
        """Answer every open question with "cancel" (at quit), so no worker waits forever."""
        self._closed = True
        with self._lock:
            pending, self._pending = self._pending, {}
        for request, dialog in pending.values():
            if dialog is not None:
                dialog.reject()
            request.answered.set()

    def _read_stored(self) -> str | None:
        try:
            return self._keychain.get(self._item())
        except MemtrayError:
            return None

    def _answer(self, state: KeychainState) -> _Request:
        request = _Request(state)
        if QThread.currentThread() is self.thread():
            dialog = PassphraseDialog(state)
            self.dialog_shown.emit(dialog)
            request.result = dialog.exec()
            request.passphrase = dialog.passphrase()
            return request
        with self._lock:
            if self._closed:
                return request
            self._pending[id(request)] = (request, None)
        self._requested.emit(request)
        request.answered.wait()
        return request

    def _show(self, request: _Request) -> None:
        dialog = PassphraseDialog(request.state)
        with self._lock:
            if id(request) not in self._pending:
                return
            self._pending[id(request)] = (request, dialog)

        def finished(result: int) -> None:
            request.result = result
            request.passphrase = dialog.passphrase()
            with self._lock:
                self._pending.pop(id(request), None)
            request.answered.set()
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.dialog_shown.emit(dialog)
