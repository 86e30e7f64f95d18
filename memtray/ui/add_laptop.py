"""The "Add a laptop" window: the setup code to type on the other laptop, big and grouped, with Copy and its QR code.

When the storage is a folder a cloud drive copies, the code is the short one (it names your synced memory, and the
other laptop finds it in its own cloud drive). A memtray server's, WebDAV's or S3's address and key do not fit in
a short code, so there the full code is shown to copy, and its QR code. The QR code always holds the full code.
The code is asked for once per window (at a memtray server each one is a one-time invite) and forgotten on close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontDatabase, QGuiApplication, QImage, QPainter, QPixmap, QTextOption
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError
from memtray.qr import qr_modules
from memtray.ui.client import ServiceClient
from memtray.ui.widgets import StatusLine, explanation, heading

if TYPE_CHECKING:
    from memtray.service.setupcode import SetupCodes

MODULE_PIXELS = 5
SHORT_CODE_SCALE = 2.4


def qr_pixmap(text: str, module_pixels: int = MODULE_PIXELS) -> QPixmap:
    """The QR code of ``text``, black on white, ``module_pixels`` per module, with its quiet zone."""
    modules = qr_modules(text)
    size = len(modules) * module_pixels
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                square = QRect(x * module_pixels, y * module_pixels, module_pixels, module_pixels)
                painter.fillRect(square, Qt.GlobalColor.black)
    painter.end()
    return QPixmap.fromImage(image)


class AddLaptopDialog(QDialog):
    def __init__(self, client: ServiceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._codes: SetupCodes | None = None
        self.setWindowTitle(self.tr("Add a laptop"))
        self.how = explanation("")
        self.short_code = QLabel()
        big = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        big.setPointSizeF(big.pointSizeF() * SHORT_CODE_SCALE)
        big.setBold(True)
        self.short_code.setFont(big)
        self.short_code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.full_code = QPlainTextEdit()
        self.full_code.setReadOnly(True)
        self.full_code.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.full_code.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.full_code.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.full_code.setFixedHeight(self.full_code.fontMetrics().lineSpacing() * 4 + 14)
        self.full_code.setTabChangesFocus(True)
        self.copy_button = QPushButton(self.tr("&Copy"))
        self.copy_note = QLabel()
        self.qr_label = QLabel()
        self.qr_note = explanation(self.tr("Or scan this QR code: it holds the same setup code, in full."))
        self.status = StatusLine()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_button)
        copy_row.addWidget(self.copy_note, 1)
        qr_row = QHBoxLayout()
        qr_row.addWidget(self.qr_label)
        qr_row.addWidget(self.qr_note, 1, Qt.AlignmentFlag.AlignVCenter)
        column = QVBoxLayout(self)
        column.addWidget(heading(self.tr("Add a laptop")))
        column.addWidget(self.how)
        column.addWidget(self.short_code)
        column.addWidget(self.full_code)
        column.addLayout(copy_row)
        column.addLayout(qr_row)
        column.addWidget(self.status)
        column.addStretch(1)
        column.addWidget(buttons)
        self.setMinimumWidth(620)
        self.copy_button.clicked.connect(self.copy)
        self.finished.connect(lambda _result: self._forget())
        self._show_codes(None)
        self.status.busy(self.tr("Making a setup code…"))
        client.call(lambda service: service.setup_codes(), self._show_codes, self._failed)

    def code(self) -> str:
        """What Copy copies: the short code when there is one, else the full code."""
        if self._codes is None:
            return ""
        return self._codes.short or self._codes.full

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code())
        self.copy_note.setText(self.tr("Copied."))

    def _show_codes(self, codes: SetupCodes | None) -> None:
        self._codes = codes
        self.status.clear()
        self.copy_note.clear()
        short = codes.short if codes is not None else None
        full_shown = codes.full if codes is not None and short is None else ""
        self.short_code.setText(short or "")
        self.short_code.setVisible(short is not None)
        self.full_code.setPlainText(full_shown)
        self.full_code.setVisible(bool(full_shown))
        for widget in (self.how, self.copy_button, self.qr_label, self.qr_note):
            widget.setVisible(codes is not None)
        if codes is None:
            self.qr_label.clear()
            return
        pixmap = qr_pixmap(codes.full)
        self.qr_label.setPixmap(pixmap)
        self.qr_label.setFixedSize(pixmap.size())
        if codes.short is not None:
            self.how.setText(
                self.tr(
                    "On the other laptop, install memtray, choose “Join from another laptop”, type this code "
                    "and then your passphrase."
                )
            )
        else:
            self.how.setText(
                self.tr(
                    "On the other laptop, install memtray, choose “Join from another laptop”, paste this code "
                    "(too long to type: copy it over, or scan the QR code) and then your passphrase."
                )
            )
        self.adjustSize()

    def _failed(self, error: MemtrayError) -> None:
        self.status.error(error)

    def _forget(self) -> None:
        """Forget the code once the window is closed: at a memtray server it lets a laptop in."""
        self._show_codes(None)
