"""About tab: version, a summary of this laptop's synced memory, and the log folder."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

import memtray
from memtray.ui.client import ServiceClient
from memtray.ui.icons import app_icon
from memtray.ui.settings.hub import hub_kind_words
from memtray.ui.widgets import explanation, heading, home_relative, relative_time


def _selectable(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class AboutTab(QWidget):
    def __init__(self, client: ServiceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._log_dir = client.home.log_dir
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        self.version_label = QLabel(self.tr("Version {version}").format(version=memtray.__version__))
        title = QVBoxLayout()
        title.addWidget(heading("memtray"))
        title.addWidget(self.version_label)
        title.addWidget(
            explanation(
                self.tr(
                    "Keeps your AI assistants' memory files the same on all your laptops. "
                    "Everything is encrypted on this laptop before it leaves."
                )
            )
        )
        top = QHBoxLayout()
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(12)
        top.addLayout(title, 1)

        laptop = QGroupBox(self.tr("This laptop"))
        self.device_label = _selectable()
        self.hub_label = _selectable()
        self.folders_label = _selectable()
        self.last_sync_label = _selectable()
        laptop_form = QFormLayout(laptop)
        laptop_form.addRow(self.tr("Name:"), self.device_label)
        laptop_form.addRow(self.tr("Storage:"), self.hub_label)
        laptop_form.addRow(self.tr("Folders:"), self.folders_label)
        laptop_form.addRow(self.tr("Last sync:"), self.last_sync_label)

        help_box = QGroupBox(self.tr("When something goes wrong"))
        self.log_label = _selectable(home_relative(self._log_dir))
        self.open_logs_button = QPushButton(self.tr("Open &log folder"))
        help_column = QVBoxLayout(help_box)
        help_column.addWidget(
            explanation(
                self.tr("memtray notes what it did in a log. The log never holds your passphrase or your keys.")
            )
        )
        log_row = QHBoxLayout()
        log_row.addWidget(self.log_label, 1)
        log_row.addWidget(self.open_logs_button)
        help_column.addLayout(log_row)

        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addSpacing(8)
        column.addWidget(laptop)
        column.addWidget(help_box)
        column.addStretch(1)
        self.open_logs_button.clicked.connect(self.open_log_folder)

    def refresh(self) -> None:
        status = self._client.snapshot.status
        self.device_label.setText(status.device_name or "")
        self.hub_label.setText(hub_kind_words(status.hub_kind or ""))
        names = ", ".join(folder.name for folder in status.folders)
        self.folders_label.setText(names or self.tr("none yet"))
        self.last_sync_label.setText(relative_time(status.last_sync))

    def open_log_folder(self) -> None:
        self._log_dir.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._log_dir)))
