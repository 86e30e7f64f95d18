"""Earlier versions of one file: pick folder and file, look at a version, restore it."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError
from memtray.model import ActivityItem, VersionInfo
from memtray.ui.client import ServiceClient
from memtray.ui.widgets import StatusLine, ask_confirmation, explanation, fit_columns, select_first


def _size(size: int) -> str:
    return f"{size} B" if size < 1024 else f"{size / 1024:.1f} KB"


class VersionsPane(QWidget):
    def __init__(self, client: ServiceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._versions: list[VersionInfo] = []
        self.folder_combo = QComboBox()
        self.file_combo = QComboBox()
        self.file_combo.setEditable(True)
        self.file_combo.setMinimumContentsLength(30)
        self.show_button = QPushButton(self.tr("S&how versions"))
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("When"), self.tr("From"), self.tr("Size"), ""])
        self.tree.setRootIsDecorated(False)
        fit_columns(self.tree)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setTabChangesFocus(True)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.restore_button = QPushButton(self.tr("Bring ba&ck this version…"))
        self.restore_button.setEnabled(False)
        self.status = StatusLine()
        form = QFormLayout()
        form.addRow(self.tr("Fol&der:"), self.folder_combo)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_combo, 1)
        file_row.addWidget(self.show_button)
        file_label = QLabel(self.tr("Fi&le:"))
        file_label.setBuddy(self.file_combo)
        form.addRow(file_label, file_row)
        split = QSplitter()
        split.addWidget(self.tree)
        split.addWidget(self.preview)
        split.setSizes([360, 340])
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        column = QVBoxLayout(self)
        column.addWidget(
            explanation(self.tr("memtray keeps earlier versions of every file. Pick one to see it or bring it back."))
        )
        column.addLayout(form)
        column.addWidget(split, 1)
        column.addLayout(buttons)
        column.addWidget(self.status)
        self.folder_combo.currentIndexChanged.connect(lambda _i: self._fill_files())
        self.show_button.clicked.connect(self.show_versions)
        self.tree.currentItemChanged.connect(lambda *_: self._preview())
        self.restore_button.clicked.connect(self._confirm_restore)
        self._activity: list[ActivityItem] = []

    def refresh(self, activity: list[ActivityItem]) -> None:
        self._activity = activity
        chosen = self.folder_combo.currentText()
        self.folder_combo.blockSignals(True)
        self.folder_combo.clear()
        for folder in self._client.snapshot.folders:
            self.folder_combo.addItem(folder.name)
        self.folder_combo.setCurrentIndex(max(0, self.folder_combo.findText(chosen)))
        self.folder_combo.blockSignals(False)
        self._fill_files()

    def choose(self, folder: str, path: str) -> None:
        self.folder_combo.setCurrentIndex(self.folder_combo.findText(folder))
        self.file_combo.setCurrentText(path)

    def _fill_files(self) -> None:
        folder = self.folder_combo.currentText()
        paths = sorted({item.path for item in self._activity if item.folder == folder and item.path})
        self.file_combo.clear()
        self.file_combo.addItems(paths)

    def show_versions(self, then_say: str = "") -> None:
        folder, path = self.folder_combo.currentText(), self.file_combo.currentText().strip()
        if not folder or not path:
            return
        self.status.busy(self.tr("Looking up versions…"))
        self._client.call(
            lambda service: service.history.versions(folder, path),
            lambda found: self._show(found, then_say),
            self.status.error,
        )

    def _show(self, versions: object, then_say: str) -> None:
        assert isinstance(versions, list)
        self._versions = versions
        self.tree.clear()
        self.preview.clear()
        for version in versions:
            note = self.tr("current") if version.current else (self.tr("deleted") if version.deleted else "")
            when = time.strftime("%d %b %Y %H:%M", time.localtime(version.time))
            item = QTreeWidgetItem([when, version.device_name, _size(version.size), note])
            item.setData(0, Qt.ItemDataRole.UserRole, version.version_id)
            self.tree.addTopLevelItem(item)
        select_first(self.tree)
        if then_say:
            self.status.success(then_say)
        elif versions:
            self.status.clear()
        else:
            self.status.success(self.tr("memtray has no earlier versions of this file."))

    def selected(self) -> VersionInfo | None:
        item = self.tree.currentItem()
        version_id = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((v for v in self._versions if v.version_id == version_id), None)

    def _preview(self) -> None:
        version = self.selected()
        self.restore_button.setEnabled(version is not None and not version.current and not version.deleted)
        self.preview.clear()
        if version is None or version.deleted:
            return
        version_id = version.version_id
        self._client.call(
            lambda service: service.history.read_version(version_id),
            lambda data: self._show_preview(version_id, data),
            self.status.error,
        )

    def _show_preview(self, version_id: int, data: object) -> None:
        version = self.selected()
        if version is not None and version.version_id == version_id and isinstance(data, bytes):
            self.preview.setPlainText(data.decode("utf-8", errors="replace"))

    def _confirm_restore(self) -> None:
        version = self.selected()
        if version is None:
            return
        ask_confirmation(
            self,
            self.tr("Bring back this version?"),
            self.tr(
                "“{path}” will go back to this version on all your laptops. The text it has now stays in the history."
            ).format(path=version.path),
            self.tr("Bring back"),
            lambda: self._restore(version.version_id),
        )

    def _restore(self, version_id: int) -> None:
        self.restore_button.setEnabled(False)
        self.status.busy(self.tr("Restoring…"))

        def done(_result: object) -> None:
            self.show_versions(self.tr("Brought back. Your other laptops get it at the next sync."))

        def failed(error: MemtrayError) -> None:
            self.status.error(error)
            self._preview()

        self._client.call(lambda service: service.history.restore_version(version_id), done, failed, refresh=True)
