"""Storage tab: where the laptops meet (the command line's "hub"), its password, and a Test connection button.

A test result says when it was found ("Tested at 14:02: …") and goes when the tab is shown again or the address
changes, so an old "reached" never stands beside an offline tray.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QUrl, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError
from memtray.hubs import hub_kind, needs_secret
from memtray.ui.client import ServiceClient
from memtray.ui.widgets import StatusLine, ask_confirmation, explanation, heading, home_relative, password_line


def hub_kind_words(kind: str) -> str:
    """What a storage of ``kind`` (as ``hub_kind`` names it) is, in a person's words; "" for another kind."""
    words = {
        "folder": QCoreApplication.translate("HubTab", "A folder your cloud drive, NAS or USB stick copies"),
        "memtray": QCoreApplication.translate("HubTab", "A memtray server"),
        "webdav": QCoreApplication.translate("HubTab", "A WebDAV server"),
        "s3": QCoreApplication.translate("HubTab", "An S3 bucket"),
        "git": QCoreApplication.translate("HubTab", "A private GitHub/GitLab repository"),
        "git-ssh": QCoreApplication.translate("HubTab", "A git repository reached with your ssh key"),
        "git-file": QCoreApplication.translate("HubTab", "A git repository on this computer"),
    }
    return words.get(kind, "")


class HubTab(QWidget):
    """Shows the storage; lets the person point memtray at a moved storage and test it."""

    hub_changed = Signal()

    def __init__(self, client: ServiceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self.kind_label = QLabel()
        self.url_edit = QLineEdit()
        self.key_id_edit = QLineEdit()
        self.secret_label = QLabel()
        self.secret_edit = password_line()
        self.secret_label.setBuddy(self.secret_edit)
        self.insecure_box = QCheckBox(self.tr("Allow plain &http (only on my own network)"))
        self.test_button = QPushButton(self.tr("&Test connection"))
        self.save_button = QPushButton(self.tr("&Save storage"))
        self.status = StatusLine()

        form = QFormLayout()
        form.addRow(self.tr("Add&ress:"), self.url_edit)
        form.addRow("", self.kind_label)
        form.addRow(self.tr("Access key &ID:"), self.key_id_edit)
        form.addRow(self.secret_label, self.secret_edit)
        form.addRow("", self.insecure_box)
        self._form = form
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)

        column = QVBoxLayout(self)
        column.addWidget(heading(self.tr("Storage")))
        column.addWidget(
            explanation(
                self.tr(
                    "Your storage is where memtray keeps the encrypted copy your laptops swap changes through. "
                    "Without your passphrase nobody can read it, not even whoever runs it. Change the address only "
                    "if the storage moved; each laptop keeps its own copy of this setting."
                )
            )
        )
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.status)
        column.addSpacing(12)
        column.addWidget(self._repair_box())
        column.addStretch(1)

        self.url_edit.textChanged.connect(self._url_changed)
        self.url_edit.textEdited.connect(lambda _text: self.status.clear())
        self.test_button.clicked.connect(self.test_connection)
        self.save_button.clicked.connect(self.save)
        self.refresh()

    def _repair_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("If the storage lost data"))
        column = QVBoxLayout(box)
        column.addWidget(
            explanation(
                self.tr(
                    "Use this only if syncing stopped with a message that the storage lost or altered data, and "
                    "whoever runs it cannot bring it back."
                )
            )
        )
        self.repair_button = QPushButton(self.tr("Re&pair…"))
        self.repair_button.clicked.connect(self.ask_repair)
        row = QHBoxLayout()
        row.addWidget(self.repair_button)
        row.addStretch(1)
        column.addLayout(row)
        return box

    def ask_repair(self) -> None:
        ask_confirmation(
            self,
            self.tr("Carry on without the data the storage lost?"),
            self.tr(
                "This laptop sends all its files to the storage again and stops waiting for the lost data; your other "
                "laptops then send theirs again too. Changes that only ever reached the lost data can't be brought "
                "back. Files on this laptop are not changed."
            ),
            self.tr("Repair"),
            self.repair,
        )

    def repair(self) -> None:
        self._start(self.tr("Repairing…"))
        self.repair_button.setEnabled(False)
        self._client.call(lambda service: service.repair(), self._repaired, self._finish_error, refresh=True)

    def _repaired(self, result: object) -> None:
        self._url_changed(self.url_edit.text())
        self.repair_button.setEnabled(True)
        if result is None:
            self.status.success(self.tr("Nothing to repair: the storage has all its data."))
        else:
            self.status.success(self.tr("Repaired. This laptop sent its files again, and syncing goes on."))
        self.hub_changed.emit()

    def refresh(self) -> None:
        """Show the storage of the client's snapshot, which is renewed after every save; an old test result goes."""
        status = self._client.snapshot.status
        if self.status.bar.isHidden():
            self.status.clear()
        kind, url = status.hub_kind or "", status.hub_url or ""
        self.url_edit.setText(home_relative(QUrl(url).toLocalFile()) if kind == "folder" else url)
        self.secret_edit.clear()
        self.key_id_edit.clear()
        self._url_changed(url)

    def _kind(self) -> str:
        try:
            return hub_kind(self.url_edit.text().strip())
        except MemtrayError:
            return ""

    def _url_changed(self, url: str) -> None:
        kind = self._kind()
        self.kind_label.setText(hub_kind_words(kind) or self.tr("memtray does not know this kind of address"))
        secret_labels = {
            "memtray": self.tr("Server pass&word:"),
            "webdav": self.tr("Pass&word:"),
            "s3": self.tr("Secret access ke&y:"),
            "git": self.tr("Access to&ken:"),
        }
        self.secret_label.setText(secret_labels.get(kind, ""))
        self.secret_edit.setPlaceholderText(self.tr("Leave empty to keep the one memtray remembers"))
        self._form.setRowVisible(self.secret_edit, needs_secret(kind))
        self._form.setRowVisible(self.key_id_edit, kind == "s3")
        self._form.setRowVisible(self.insecure_box, url.strip().lower().startswith(("http://", "git+http://")))
        self.test_button.setEnabled(bool(kind))
        self.save_button.setEnabled(bool(kind))

    def _secret(self) -> str | None:
        secret = self.secret_edit.text()
        if not secret:
            return None
        if self._kind() == "s3":
            return f"{self.key_id_edit.text().strip()}:{secret}"
        return secret

    def test_connection(self) -> None:
        url, secret, insecure = self.url_edit.text().strip(), self._secret(), self.insecure_box.isChecked()
        self._start(self.tr("Testing the connection…"))
        self._client.call(
            lambda service: service.test_hub(url, secret, insecure),
            lambda sentence: self._finish_ok(str(sentence)),
            self._finish_error,
        )

    def save(self) -> None:
        url, secret = self.url_edit.text().strip(), self._secret()
        self._start(self.tr("Saving…"))
        self._client.call(lambda service: service.set_hub(url, secret), self._saved, self._finish_error, refresh=True)

    def _start(self, text: str) -> None:
        self.test_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.status.busy(text)

    def _finish_ok(self, sentence: str) -> None:
        self._url_changed(self.url_edit.text())
        found = {
            "memtray reached the hub. It holds no vault yet.": self.tr("memtray reached the storage. It is empty."),
            "memtray reached the hub and found your vault.": self.tr(
                "memtray reached the storage and found your synced memory."
            ),
            "memtray reached the hub. It holds a memtray vault.": self.tr(
                "memtray reached the storage. It holds a different synced memory."
            ),
        }
        when = time.strftime("%H:%M")
        self.status.success(
            self.tr("Tested at {time}: {result}").format(time=when, result=found.get(sentence, sentence))
        )

    def _saved(self, _result: object) -> None:
        self.refresh()
        self.status.success(self.tr("Saved. memtray now syncs through this storage."))
        self.hub_changed.emit()

    def _finish_error(self, error: MemtrayError) -> None:
        self._url_changed(self.url_edit.text())
        self.repair_button.setEnabled(True)
        self.status.error(error)
