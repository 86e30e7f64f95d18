"""The small dialog for a file the secret guard kept on this laptop: "Remove it" or "Send anyway".

"Remove it" opens the file with the desktop's own program for it, so the person deletes the line
themselves; when no program opens it, the dialog says so and where the file is. "Send anyway" asks the
service to send the file as it is (``send_anyway``) and announces ``sent``, after which a sync sends it.
The dialog names the file, the line and what was found there, never the secret itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from memtray.errors import MemtrayError
from memtray.model import HeldFile
from memtray.ui.client import ServiceClient
from memtray.ui.widgets import StatusLine, explanation, heading


def open_with_desktop(path: Path) -> bool:
    """Open ``path`` with the program the desktop uses for it; False when there is none."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class HeldFileDialog(QDialog):
    """One held file: what was found where, and the two ways on."""

    sent = Signal(HeldFile)

    def __init__(
        self,
        client: ServiceClient,
        held: HeldFile,
        folder_path: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self.held = held
        self.file_path = Path(folder_path).joinpath(*held.path.split("/")) if folder_path else None
        self.setWindowTitle(self.tr("A file was held back"))
        self.message = QLabel(
            self.tr("{path} was not sent: line {line} looks like {finding}.").format(
                path=held.path, line=held.line, finding=held.finding
            )
        )
        self.message.setWordWrap(True)
        self.remove_button = QPushButton(self.tr("&Remove it"))
        self.remove_button.setDefault(True)
        self.send_button = QPushButton(self.tr("Send &anyway"))
        self.close_button = QPushButton(self.tr("&Close"))
        self.status = StatusLine()
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.send_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        column = QVBoxLayout(self)
        column.addWidget(heading(self.tr("A file was held back")))
        column.addWidget(self.message)
        column.addWidget(
            explanation(
                self.tr(
                    "memtray checks files for passwords and keys before they leave this laptop. Remove it opens "
                    "the file so you can delete line {line}; the next sync sends the file. Send anyway sends it "
                    "as it is, to every laptop, and keeps it in the file's history."
                ).format(line=held.line)
            )
        )
        column.addWidget(self.status)
        column.addLayout(buttons)
        self.setMinimumWidth(520)
        self.remove_button.clicked.connect(self.remove_it)
        self.send_button.clicked.connect(self.send_anyway)
        self.close_button.clicked.connect(self.reject)

    def remove_it(self) -> None:
        if self.file_path is not None and open_with_desktop(self.file_path):
            self.accept()
            return
        where = str(self.file_path) if self.file_path is not None else self.held.folder
        self.status.error(
            MemtrayError(
                self.tr("No program on this laptop opens {name}. Open {where} yourself and delete line {line}.").format(
                    name=Path(self.held.path).name, where=where, line=self.held.line
                ),
                title=self.tr("memtray could not open the file"),
            )
        )

    def send_anyway(self) -> None:
        held = self.held
        self.status.busy(self.tr("Sending…"))
        self.send_button.setEnabled(False)
        self._client.call(lambda service: service.send_anyway(held.folder_id, held.path), self._sent, self._failed)

    def _sent(self, _result: object) -> None:
        self.sent.emit(self.held)
        self.accept()

    def _failed(self, error: MemtrayError) -> None:
        self.send_button.setEnabled(True)
        self.status.error(error)
