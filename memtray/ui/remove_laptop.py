"""The "Remove a laptop" window: a new passphrase, the removal off the UI thread, then the new recovery key.

Removing a laptop gives your synced memory a new key that the removed laptop never sees
(``Service.remove_laptop``). The removed laptop knew the passphrase and may have seen the recovery key, so
the window asks for a new passphrase first and shows the new recovery key once, after the removal.

Page 1 asks for the new passphrase twice with its strength (``NewPassphraseBox``); Remove stays disabled until
it is acceptable and typed the same twice. While the removal runs the window cannot be closed: the new recovery
key it brings back is shown only here. A failure keeps page 1 as it was, with the reason under it.
Page 2 says the laptop was removed and shows the new recovery key (``RecoveryKeyBox``: Copy, Save as PDF…,
Save to a file…). Closing the window forgets the passphrase and the key.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from memtray.errors import MemtrayError
from memtray.model import DeviceInfo, RemovalResult
from memtray.ui.client import ServiceClient
from memtray.ui.password_field import NewPassphraseBox
from memtray.ui.recovery_key import RecoveryKeyBox
from memtray.ui.widgets import StatusLine, explanation, heading


class RemoveLaptopDialog(QDialog):
    """``removed(name)`` once the laptop is removed (the window then shows the new recovery key)."""

    removed = Signal(str)

    def __init__(self, client: ServiceClient, device: DeviceInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._device = device
        self._busy = False
        self.setWindowTitle(self.tr("Remove {name}").format(name=device.name))
        self.pages = QStackedWidget()
        self.choose_page = self._choose_page()
        self.done_page = self._done_page()
        self.pages.addWidget(self.choose_page)
        self.pages.addWidget(self.done_page)
        column = QVBoxLayout(self)
        column.addWidget(self.pages)
        self.setMinimumWidth(620)
        self.new_passphrase.validity_changed.connect(self._ready)
        self.remove_button.clicked.connect(self.remove)
        self.cancel_button.clicked.connect(self.reject)
        self.done_button.clicked.connect(self.accept)
        self.finished.connect(lambda _result: self._forget())

    def _choose_page(self) -> QWidget:
        name = self._device.name
        page = QWidget()
        self.what_it_means = QLabel(
            self.tr(
                "{name} will no longer receive anything new from your synced memory. "
                "Choose a new passphrase: {name} knew the old one."
            ).format(name=name)
        )
        self.what_it_means.setWordWrap(True)
        self.new_passphrase = NewPassphraseBox(self.tr("&New passphrase:"))
        self.status = StatusLine()
        self.remove_button = QPushButton(self.tr("&Remove laptop"))
        self.remove_button.setEnabled(False)
        self.remove_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.cancel_button)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(heading(self.tr("Remove {name}").format(name=name)))
        column.addWidget(self.what_it_means)
        column.addWidget(self.new_passphrase)
        column.addWidget(self.status)
        column.addStretch(1)
        column.addLayout(buttons)
        return page

    def _done_page(self) -> QWidget:
        page = QWidget()
        self.done_heading = heading("")
        self.done_heading.setWordWrap(True)
        self.next_steps = explanation(
            self.tr(
                "Use the new passphrase from now on. Your other laptops pick up the change at their next sync, "
                "with no typing."
            )
        )
        self.recovery = RecoveryKeyBox()
        self.old_key_line = QLabel(
            self.tr(
                "Your old recovery key no longer works. Save or copy this new one now and keep it off your "
                "laptops: memtray will not show it again."
            )
        )
        self.old_key_line.setWordWrap(True)
        self.done_button = QPushButton(self.tr("Done"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.done_heading)
        column.addWidget(self.next_steps)
        column.addSpacing(self.fontMetrics().lineSpacing() // 2)
        column.addWidget(heading(self.tr("Your new recovery key")))
        column.addWidget(self.old_key_line)
        column.addWidget(self.recovery)
        column.addStretch(1)
        column.addLayout(buttons)
        return page

    def is_busy(self) -> bool:
        return self._busy

    def remove(self) -> None:
        """Remove the laptop with the new passphrase, on the client's worker."""
        if self._busy or not self.new_passphrase.is_valid():
            return
        device_id, passphrase = self._device.device_id, self.new_passphrase.passphrase()
        self._set_busy(True)
        self.status.busy(self.tr("Removing {name}… This can take a minute.").format(name=self._device.name))
        self._client.call(
            lambda service: service.remove_laptop(device_id, passphrase), self._removed, self._failed, refresh=True
        )

    def reject(self) -> None:
        """Esc, Cancel and the window's close button; ignored while the removal runs (its result shows here)."""
        if not self._busy:
            super().reject()

    def _ready(self, *_: object) -> None:
        self.remove_button.setEnabled(not self._busy and self.new_passphrase.is_valid())

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.new_passphrase.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self._ready()

    def _removed(self, result: RemovalResult) -> None:
        self._set_busy(False)
        self.new_passphrase.clear()
        self.status.clear()
        self.done_heading.setText(self.tr("{name} was removed.").format(name=result.name))
        self.recovery.set_secret(result.recovery_key)
        self.remove_button.setDefault(False)
        self.done_button.setDefault(True)
        self.pages.setCurrentWidget(self.done_page)
        self.recovery.copy_button.setFocus()
        self.removed.emit(result.name)

    def _failed(self, error: MemtrayError) -> None:
        self._set_busy(False)
        self.status.error(error)
        self.new_passphrase.first.setFocus()

    def _forget(self) -> None:
        self.new_passphrase.clear()
        self.recovery.set_secret("")
