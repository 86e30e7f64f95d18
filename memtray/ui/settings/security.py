"""Security tab: passphrase, recovery key, and your laptops with their key fingerprints.

"Add a laptop…" shows a setup code (add_laptop.py); "Remove laptop…" asks for a new passphrase, removes the
selected laptop and shows the new recovery key (remove_laptop.py). A removed laptop stays in the list as "Removed".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError
from memtray.model import DeviceInfo
from memtray.ui.add_laptop import AddLaptopDialog
from memtray.ui.client import ServiceClient
from memtray.ui.password_field import NewPassphraseBox
from memtray.ui.recovery_key import RecoveryKeyDialog
from memtray.ui.remove_laptop import RemoveLaptopDialog
from memtray.ui.widgets import (
    StatusLine,
    explanation,
    fit_columns,
    password_line,
    relative_time,
)

PLATFORM_NAMES = {"linux": "Linux", "darwin": "macOS", "win32": "Windows"}


class SecurityTab(QWidget):
    def __init__(self, client: ServiceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._devices: list[DeviceInfo] = []
        self.secret_dialog: RecoveryKeyDialog | None = None
        self.add_laptop_dialog: AddLaptopDialog | None = None
        self.remove_dialog: RemoveLaptopDialog | None = None
        column = QVBoxLayout(self)
        column.addWidget(self._passphrase_group())
        column.addWidget(self._recovery_group())
        column.addWidget(self._devices_group())
        column.addStretch(1)

    def _passphrase_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Passphrase"))
        self.old_passphrase = password_line()
        self.new_passphrase = NewPassphraseBox(self.tr("&New passphrase:"))
        self.new_passphrase.insert_row(0, self.tr("&Current passphrase:"), self.old_passphrase)
        self.change_button = QPushButton(self.tr("C&hange passphrase"))
        self.change_button.setEnabled(False)
        self.passphrase_status = StatusLine()
        button_row = QHBoxLayout()
        button_row.addStretch(1)
        button_row.addWidget(self.change_button)
        form = QVBoxLayout(box)
        hint = self.tr(
            "Your passphrase unlocks your synced memory on every laptop. Change it on one; the others follow."
        )
        form.addWidget(explanation(hint))
        form.addWidget(self.new_passphrase)
        form.addLayout(button_row)
        form.addWidget(self.passphrase_status)
        self.new_passphrase.validity_changed.connect(self._passphrase_ready)
        self.old_passphrase.textChanged.connect(self._passphrase_ready)
        self.change_button.clicked.connect(self.change_passphrase)
        return box

    def _recovery_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Recovery key"))
        self.recovery_passphrase = password_line(self.tr("Your passphrase"))
        self.recovery_button = QPushButton(self.tr("Make a new &recovery key"))
        self.recovery_button.setEnabled(False)
        self.recovery_status = StatusLine()
        row = QHBoxLayout()
        row.addWidget(self.recovery_passphrase, 1)
        row.addWidget(self.recovery_button)
        column = QVBoxLayout(box)
        column.addWidget(
            explanation(
                self.tr(
                    "If you forget your passphrase, the recovery key lets you back in. "
                    "Making a new one stops the old one from working."
                )
            )
        )
        column.addLayout(row)
        column.addWidget(self.recovery_status)
        self.recovery_passphrase.textChanged.connect(lambda t: self.recovery_button.setEnabled(bool(t)))
        self.recovery_button.clicked.connect(self.make_recovery_key)
        return box

    def _devices_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Your laptops"))
        self.device_tree = QTreeWidget()
        self.device_tree.setHeaderLabels(
            [self.tr("Laptop"), self.tr("System"), self.tr("Last seen"), self.tr("Key fingerprint")]
        )
        self.device_tree.setRootIsDecorated(False)
        fit_columns(self.device_tree)
        self.device_tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.device_tree.setFixedHeight(self.device_tree.fontMetrics().lineSpacing() * 6 + 8)
        self.fingerprint_line = QLabel()
        self.fingerprint_line.setWordWrap(True)
        self.fingerprint_line.setFont(small_font(self.fingerprint_line.font()))
        self.fingerprint_line.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.revoke_button = QPushButton(self.tr("Re&move laptop…"))
        self.revoke_button.setEnabled(False)
        self.add_laptop_button = QPushButton(self.tr("A&dd a laptop…"))
        self.devices_status = StatusLine()
        row = QHBoxLayout()
        row.addWidget(self.add_laptop_button)
        row.addStretch(1)
        row.addWidget(self.revoke_button)
        column = QVBoxLayout(box)
        column.addWidget(self.device_tree, 1)
        column.addWidget(self.fingerprint_line)
        column.addLayout(row)
        column.addWidget(self.devices_status)
        self.device_tree.currentItemChanged.connect(lambda *_: self._device_selected())
        self.revoke_button.clicked.connect(self.remove_selected_laptop)
        self.add_laptop_button.clicked.connect(self.add_laptop)
        return box

    def add_laptop(self) -> None:
        """The "Add a laptop" window, with a new setup code."""
        dialog = AddLaptopDialog(self._client, self)
        dialog.finished.connect(dialog.deleteLater)
        self.add_laptop_dialog = dialog
        dialog.open()

    def refresh(self) -> None:
        self._client.call(lambda service: service.devices(), self._show_devices, self.devices_status.error)

    def forget_secrets(self) -> None:
        """Clear every passphrase typed on this tab (called when the window closes)."""
        for field in (self.old_passphrase, self.recovery_passphrase):
            field.forget()
        self.new_passphrase.clear()

    def _passphrase_ready(self, *_: object) -> None:
        self.change_button.setEnabled(bool(self.old_passphrase.text()) and self.new_passphrase.is_valid())

    def change_passphrase(self) -> None:
        old, new = self.old_passphrase.text(), self.new_passphrase.passphrase()
        self.change_button.setEnabled(False)
        self.passphrase_status.busy(self.tr("Changing the passphrase…"))
        self._client.call(
            lambda service: service.change_passphrase(old, new), self._passphrase_changed, self._passphrase_failed
        )

    def _passphrase_changed(self, _result: object) -> None:
        self.old_passphrase.forget()
        self.new_passphrase.clear()
        self.passphrase_status.success(self.tr("Passphrase changed. Use the new one from now on, on every laptop."))

    def _passphrase_failed(self, error: MemtrayError) -> None:
        self._passphrase_ready()
        self.passphrase_status.error(error)

    def make_recovery_key(self) -> None:
        passphrase = self.recovery_passphrase.text()
        self.recovery_button.setEnabled(False)
        self.recovery_status.busy(self.tr("Making a new recovery key…"))
        self._client.call(
            lambda service: service.new_recovery_key(passphrase), self._show_recovery_key, self._recovery_failed
        )

    def _show_recovery_key(self, key: object) -> None:
        self.recovery_passphrase.forget()
        self.recovery_status.success(self.tr("New recovery key made. The old one no longer works."))
        dialog = RecoveryKeyDialog(str(key), self)
        dialog.finished.connect(dialog.deleteLater)
        self.secret_dialog = dialog
        dialog.open()

    def _recovery_failed(self, error: MemtrayError) -> None:
        self.recovery_button.setEnabled(bool(self.recovery_passphrase.text()))
        self.recovery_status.error(error)

    def _show_devices(self, devices: object) -> None:
        assert isinstance(devices, list)
        self._devices = devices
        self.device_tree.clear()
        fixed = small_font(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        for device in self._devices:
            name = device.name + ("  " + self.tr("(this laptop)") if device.this_device else "")
            platform = PLATFORM_NAMES.get(device.platform, device.platform)
            item = QTreeWidgetItem([name, platform, self._state(device), device.fingerprint])
            item.setFont(3, fixed)
            item.setData(0, Qt.ItemDataRole.UserRole, device.device_id)
            self.device_tree.addTopLevelItem(item)
        self._device_selected()

    def _state(self, device: DeviceInfo) -> str:
        """The "Last seen" column: when it last synced, or why its changes no longer count."""
        if device.revoked or (not device.member and device.fingerprint):
            return self.tr("Removed")
        if not device.member:
            return self.tr("Needs a newer memtray")
        return self.tr("now") if device.this_device else relative_time(device.last_seen)

    def selected_device(self) -> DeviceInfo | None:
        item = self.device_tree.currentItem()
        if item is None:
            return None
        device_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((d for d in self._devices if d.device_id == device_id), None)

    def _device_selected(self) -> None:
        device = self.selected_device()
        removable = device is not None and not device.this_device and device.member and not device.revoked
        self.revoke_button.setEnabled(removable and self.remove_dialog is None)
        self.fingerprint_line.setText(self._fingerprint_sentence(device))
        self.fingerprint_line.setVisible(device is not None)

    def _fingerprint_sentence(self, device: DeviceInfo | None) -> str:
        if device is None:
            return ""
        if not device.fingerprint:
            sentence = self.tr("{name} has no laptop key yet: it gets one when it syncs with this version of memtray.")
            return sentence.format(name=device.name)
        sentence = self.tr("Key fingerprint of {name}: {fingerprint}. On {name} itself, this list shows the same.")
        return sentence.format(name=device.name, fingerprint=device.fingerprint)

    def remove_selected_laptop(self) -> None:
        """The "Remove a laptop" window for the selected laptop: a new passphrase, then the new recovery key."""
        device = self.selected_device()
        if device is None or self.remove_dialog is not None:
            return
        dialog = RemoveLaptopDialog(self._client, device, self)
        dialog.removed.connect(self._laptop_removed)
        dialog.finished.connect(lambda _result: self._forget_remove_dialog(dialog))
        self.remove_dialog = dialog
        self._device_selected()
        dialog.open()

    def _laptop_removed(self, name: str) -> None:
        self.devices_status.success(self.tr("{name} was removed from your synced memory.").format(name=name))
        self.refresh()

    def _forget_remove_dialog(self, dialog: RemoveLaptopDialog) -> None:
        self.remove_dialog = None
        dialog.deleteLater()
        self._device_selected()


def small_font(font: QFont) -> QFont:
    """``font`` a little smaller, for details such as a key fingerprint."""
    smaller = QFont(font)
    smaller.setPointSizeF(font.pointSizeF() * 0.9)
    return smaller
