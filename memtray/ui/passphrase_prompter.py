"""Asking for the passphrase when the keychain cannot give it, from any thread.

The service calls ``PassphrasePrompter.ask`` from its worker thread. The prompter looks at the
keychain there (it may block on D-Bus), then shows ``PassphraseDialog`` on the UI thread and waits
for the answer.

Given a ``recover`` function (``Service.recover``), the dialog offers "Forgot it? Use your recovery key".
The recovery runs on the thread that asked, the service's worker (the one waiting for this answer, so a
``ServiceClient.call`` would queue behind it), while the dialog stays open: a wrong key is said in the
dialog and can be typed again, and on success the new passphrase is the answer, so the call that asked
(a sync) carries on with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QDialog

from memtray.errors import MemtrayError
from memtray.keychain import Keychain, KeychainState
from memtray.ui.passphrase_dialog import RECOVERED, UNLOCK, PassphraseDialog

RECOVER = 3
"""A request's state while the person's recovery key is tried (the dialog stays open meanwhile)."""

Recover = Callable[[str, str], None]
"""``recover(recovery_key, new_passphrase)``: ``Service.recover``; raises MemtrayError when the key is wrong."""


@dataclass
class _Request:
    state: KeychainState
    answered: threading.Event = field(default_factory=threading.Event)
    result: int = QDialog.DialogCode.Rejected
    passphrase: str | None = None
    recovery_key: str | None = None


class PassphrasePrompter(QObject):
    """``ask(reason)`` is safe from any thread; pass it to ``Service(ask_passphrase=...)``.

    ``passphrase_item()`` names the keychain entry the service keeps the passphrase under; it is
    read again after the person unlocks the keychain. ``recover`` (``Service.recover``) enables
    "Forgot it? Use your recovery key"; it runs on the thread that called ``ask``.
    """

    dialog_shown = Signal(PassphraseDialog)
    _requested = Signal(object)
    _recovery_tried = Signal(object, object)

    def __init__(
        self,
        keychain: Keychain,
        passphrase_item: Callable[[], str],
        parent: QObject | None = None,
        *,
        recover: Recover | None = None,
    ) -> None:
        super().__init__(parent)
        self._keychain = keychain
        self._item = passphrase_item
        self._recover = recover
        self._pending: dict[int, tuple[_Request, PassphraseDialog | None]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._requested.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._recovery_tried.connect(self._tell_dialog, Qt.ConnectionType.QueuedConnection)

    def ask(self, reason: str) -> str | None:
        """The passphrase (a new one after a recovery), or None if the person cancelled. ``reason`` is the
        service's one-word purpose; what the dialog says depends on the keychain's state instead."""
        request: _Request | None = None
        while not self._closed:
            if request is None:
                request = self._answer(self._keychain.state(self._item()))
            if request.result == UNLOCK:
                stored = self._read_stored()
                if stored:
                    return stored
                request = None
                continue
            if request.result == RECOVER:
                if self._recover_and_tell(request):
                    return request.passphrase
                continue
            if request.result in (QDialog.DialogCode.Accepted, RECOVERED) and request.passphrase:
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
                dialog.done(QDialog.DialogCode.Rejected)
            request.result = QDialog.DialogCode.Rejected
            request.answered.set()

    def _read_stored(self) -> str | None:
        try:
            return self._keychain.get(self._item())
        except MemtrayError:
            return None

    def _try_recover(self, recovery_key: str, new_passphrase: str) -> MemtrayError | None:
        assert self._recover is not None, "the recovery form is offered only with a recover function"
        try:
            self._recover(recovery_key, new_passphrase)
        except MemtrayError as error:
            return error
        return None

    def _recover_and_tell(self, request: _Request) -> bool:
        """On the asking thread: try the typed recovery key; the open dialog closes, or says why and waits again."""
        error = self._try_recover(request.recovery_key or "", request.passphrase or "")
        with self._lock:
            if self._closed:
                return error is None
            if error is not None:
                request.answered.clear()
        self._recovery_tried.emit(request, error)
        if error is None:
            return True
        request.answered.wait()
        return False

    def _answer(self, state: KeychainState) -> _Request:
        request = _Request(state)
        if QThread.currentThread() is self.thread():
            dialog = PassphraseDialog(state, self._recover is not None)
            dialog.recovery_asked.connect(lambda: self._recover_here(dialog))
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

    def _recover_here(self, dialog: PassphraseDialog) -> None:
        """The recovery when ``ask`` was called on the UI thread itself (the dialog then runs modally)."""
        error = self._try_recover(dialog.recovery_key(), dialog.passphrase())
        if error is None:
            dialog.done(RECOVERED)
        else:
            dialog.recovery_failed(error)

    def _show(self, request: _Request) -> None:
        dialog = PassphraseDialog(request.state, self._recover is not None)
        with self._lock:
            if id(request) not in self._pending:
                return
            self._pending[id(request)] = (request, dialog)

        def recovery_asked() -> None:
            request.result = RECOVER
            request.recovery_key = dialog.recovery_key()
            request.passphrase = dialog.passphrase()
            request.answered.set()

        def finished(result: int) -> None:
            dialog.deleteLater()
            with self._lock:
                if self._pending.pop(id(request), None) is None:
                    return
            request.result = result
            request.passphrase = dialog.passphrase()
            request.answered.set()

        dialog.recovery_asked.connect(recovery_asked)
        dialog.finished.connect(finished)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.dialog_shown.emit(dialog)

    def _tell_dialog(self, request: _Request, error: MemtrayError | None) -> None:
        with self._lock:
            _request, dialog = self._pending.get(id(request), (request, None))
        if dialog is None:
            return
        if error is None:
            dialog.done(RECOVERED)
        else:
            dialog.recovery_failed(error)
