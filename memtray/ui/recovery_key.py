"""The recovery key, shown once: Copy, Save as PDF… and Save to a file…, and never written anywhere by itself.

A recovery key kept on the laptop it protects helps nobody once that laptop is lost, and helps anyone
who gets into it; so nothing here writes it unless the person picks a place, and "Save to a file…"
first says so and offers to start at a USB stick. Both saves write a page that explains itself (what
the key is, the date it was made, how to use it) through a private (0600) temp file. The PDF is laid
out with ``QTextDocument`` and rendered with ``QPdfWriter`` (QtGui; no print support module needed),
ready to print from any PDF viewer.
"""

from __future__ import annotations

import getpass
import html
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument, QTextOption
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from memtray.paths import write_private_atomic
from memtray.ui.widgets import explanation, heading, home_relative

FILE_STEM = "memtray-recovery-key"


def removable_media_folder() -> Path | None:
    """Where this system mounts USB sticks, when that folder holds one: the first place to save a recovery key."""
    user = getpass.getuser()
    candidates = {"darwin": [Path("/Volumes")], "linux": [Path("/media") / user, Path("/run/media") / user]}
    for folder in candidates.get(sys.platform, []):
        try:
            if folder.is_dir() and any(child.is_dir() for child in folder.iterdir()):
                return folder
        except OSError:
            continue
    return None


class RecoveryKeyBox(QWidget):
    """The key in large monospace, with Copy, Save as PDF… and Save to a file…; ``saved`` names a chosen file."""

    saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.made_on = time.time()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        fixed.setPointSizeF(fixed.pointSizeF() * 1.15)
        self.text.setFont(fixed)
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * 2 + 14)
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName(self.tr("Recovery key"))
        self.copy_button = QPushButton(self.tr("&Copy"))
        self.pdf_button = QPushButton(self.tr("Save as P&DF…"))
        self.file_button = QPushButton(self.tr("S&ave to a file…"))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.warning: QMessageBox | None = None
        self.file_dialog: QFileDialog | None = None
        buttons = QHBoxLayout()
        for button in (self.copy_button, self.pdf_button, self.file_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.text)
        column.addLayout(buttons)
        column.addWidget(self.note)
        self.copy_button.clicked.connect(self.copy)
        self.pdf_button.clicked.connect(self._ask_where_to_save_pdf)
        self.file_button.clicked.connect(self._warn_before_saving_a_file)

    def set_secret(self, key: str) -> None:
        self.text.setPlainText(key)
        self.made_on = time.time()
        self.note.clear()

    def secret(self) -> str:
        return self.text.toPlainText()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.secret())
        self.note.setText(self.tr("Copied. Paste it into your password manager, then copy something else."))

    def save_pdf(self, path: str) -> None:
        """Write the recovery page as a PDF to ``path`` (which the person chose)."""
        self._save(path, self.pdf_bytes())

    def save_to(self, path: str) -> None:
        """Write the recovery page as plain text to ``path`` (which the person chose)."""
        self._save(path, self.sheet_text().encode("utf-8"))

    def sheet_lines(self) -> tuple[str, str, str, str]:
        """Title, when it was made, how to use it, where to keep it: the words around the key on a saved page."""
        day = time.strftime("%d %B %Y", time.localtime(self.made_on))
        return (
            self.tr("memtray recovery key"),
            self.tr("Made on {day}. A newer recovery key replaces this one.").format(day=day),
            self.tr(
                "If you forget your passphrase, open memtray, choose “Forgot it? Use your recovery key” and type "
                "this key. Anyone who has it and can reach your storage can read your synced memory."
            ),
            self.tr("Keep it off your laptops: printed in a safe place, or in a password manager."),
        )

    def sheet_text(self) -> str:
        title, made, use, keep = self.sheet_lines()
        return f"{title}\n{made}\n\n    {self.secret()}\n\n{use}\n{keep}\n"

    def pdf_bytes(self) -> bytes:
        """The recovery page as an A4 PDF, made in memory."""
        title, made, use, keep = (html.escape(line) for line in self.sheet_lines())
        groups = self.secret().split("-")
        half = (len(groups) + 1) // 2
        key = "<br>".join(html.escape("-".join(part)) for part in (groups[:half], groups[half:]) if part)
        fixed = html.escape(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family())
        document = QTextDocument()
        body = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        body.setPointSizeF(12)
        document.setDefaultFont(body)
        document.setHtml(
            f"<h1>{title}</h1><p>{made}</p>"
            f"<p style='font-family: \"{fixed}\"; font-size: 18pt; margin: 24px 0'>{key}</p>"
            f"<p>{use}</p><p>{keep}</p>"
        )
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(buffer)
        writer.setTitle(self.tr("memtray recovery key"))
        writer.setCreator("memtray")
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(5, 5, 5, 5),
                QPageLayout.Unit.Millimeter,
            )
        )
        document.print_(writer)
        del writer
        buffer.close()
        return bytes(buffer.data().data())

    def _save(self, path: str, data: bytes) -> None:
        try:
            write_private_atomic(Path(path), data)
        except OSError as exc:
            self.note.setText(self.tr("Could not save: {reason}").format(reason=exc.strerror or exc))
            return
        stick = removable_media_folder()
        if stick is not None and Path(path).is_relative_to(stick):
            note = self.tr("Saved to {path}.")
        else:
            note = self.tr("Saved to {path}. Once it is printed or copied somewhere safe, delete it from this laptop.")
        self.note.setText(note.format(path=home_relative(path)))
        self.saved.emit(path)

    def _ask_where_to_save_pdf(self) -> None:
        self._ask_where_to_save(self.tr("Save as PDF"), "pdf", self.tr("PDF files (*.pdf)"), self.save_pdf)

    def _warn_before_saving_a_file(self) -> None:
        title = self.tr("Keep the recovery key off this laptop")
        box = QMessageBox(QMessageBox.Icon.Warning, title, title, QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(
            self.tr(
                "A recovery key saved on this laptop is lost with it, and anyone who gets into the laptop "
                "can use it. Save it to a USB stick you keep somewhere safe, or copy it into a password manager."
            )
        )
        choose = box.addButton(self.tr("Choose where to save…"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered() -> None:
            self.warning = None
            if box.clickedButton() is choose:
                self._ask_where_to_save(self.tr("Save to a file"), "txt", self.tr("Text files (*.txt)"), self.save_to)

        box.finished.connect(answered)
        self.warning = box
        box.open()

    def _ask_where_to_save(self, title: str, suffix: str, kinds: str, save: Callable[[str], None]) -> None:
        """A save dialog that starts at a USB stick if one is plugged in; ``save`` runs only with a chosen path."""
        folder = removable_media_folder() or Path.home()
        dialog = QFileDialog(self, title, str(folder), kinds)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix)
        dialog.selectFile(f"{FILE_STEM}.{suffix}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(save)
        dialog.finished.connect(self._forget_file_dialog)
        self.file_dialog = dialog
        dialog.open()

    def _forget_file_dialog(self, _result: int) -> None:
        self.file_dialog = None


class RecoveryKeyDialog(QDialog):
    """A new recovery key in its own window; closing it forgets the key."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = self.tr("Your new recovery key")
        self.setWindowTitle(title)
        self.box = RecoveryKeyBox()
        self.box.set_secret(key)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(heading(title))
        column.addWidget(
            explanation(
                self.tr(
                    "Save or copy this key now and keep it off your laptops. memtray will not show it again, "
                    "and it has not written it anywhere."
                )
            )
        )
        column.addWidget(self.box)
        column.addWidget(buttons)
        self.setMinimumWidth(620)
        self.finished.connect(lambda _result: self.box.set_secret(""))
