"""The storage page's server choices, each a small form in plain words: a memtray server, a WebDAV server, an S3
bucket. Each turns what the person typed into the storage address memtray uses (``webdavs://…``, ``s3://…``) and
its secret, so no address syntax is ever shown; WebDAV and S3 have a "Test" that says what memtray found there.

Like a cloud drive, a WebDAV folder or a bucket gets memtray's files in a ``memtray`` folder, not at its top.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from memtray.clouddrives import STORAGE_FOLDER
from memtray.errors import MemtrayError
from memtray.ui.client import ServiceClient
from memtray.ui.widgets import StatusLine, explanation, password_line

INDENT = 26


@dataclass(frozen=True)
class StorageChoice:
    """Where the new synced memory goes, as ``Service.init`` takes it."""

    url: str
    invite: str | None = None
    secret: str | None = None
    allow_insecure_http: bool = False


def with_scheme(address: str) -> str:
    """``address`` with ``https://`` in front when the person left the scheme out."""
    address = address.strip()
    return address if "://" in address else "https://" + address


def is_plain_http(address: str) -> bool:
    return with_scheme(address).lower().startswith("http://") if address.strip() else False


def memtray_folder(path: str) -> str:
    """``path`` ending in a folder called memtray: itself when it already does, else its memtray sub-folder."""
    path = path.rstrip("/")
    return path if path.rsplit("/", 1)[-1].lower() == STORAGE_FOLDER else f"{path}/{STORAGE_FOLDER}"


def webdav_address(address: str, user: str) -> str:
    """``https://cloud.example.com/dav/alice`` and ``alice`` as the WebDAV storage address memtray keeps."""
    parts = urlsplit(with_scheme(address))
    scheme = "webdav" if parts.scheme.lower() in ("http", "webdav") else "webdavs"
    host = parts.hostname or ""
    where = f"[{host}]" if ":" in host else host
    if parts.port:
        where += f":{parts.port}"
    who = quote(user.strip(), safe="") + "@" if user.strip() else ""
    return f"{scheme}://{who}{where}{memtray_folder(parts.path)}"


def s3_address(bucket: str, server: str) -> str:
    """A bucket (``name`` or ``name/folder``) and a server address (empty: Amazon S3) as the S3 storage address."""
    name, _, folder = bucket.strip().strip("/").partition("/")
    url = f"s3://{name}/{memtray_folder(folder) if folder else STORAGE_FOLDER}"
    return f"{url}?{urlencode({'endpoint': with_scheme(server)})}" if server.strip() else url


class ServerForm(QWidget):
    """Fields for one kind of server, indented under its choice; ``changed`` whenever one is edited.

    ``insecure_box`` is the page's one "Allow plain http" box, which an http:// address needs ticked."""

    changed = Signal()

    def __init__(self, insecure_box: QCheckBox, client: ServiceClient | None = None) -> None:
        super().__init__()
        self._client = client
        self.insecure_box = insecure_box
        self.form = QFormLayout(self)
        self.form.setContentsMargins(INDENT, 0, 0, 0)
        self.status = StatusLine()
        self.status.clear()
        insecure_box.toggled.connect(self._edited)

    def watch(self, *edits: QLineEdit) -> None:
        for edit in edits:
            edit.textChanged.connect(self._edited)

    def _edited(self, *_: object) -> None:
        self.status.clear()
        self.changed.emit()

    def http_address(self) -> str:
        """The address whose plain http needs the person's consent."""
        return ""

    def filled(self) -> bool:
        raise NotImplementedError

    def is_complete(self) -> bool:
        return self.filled() and (not is_plain_http(self.http_address()) or self.insecure_box.isChecked())

    def choice(self) -> StorageChoice:
        raise NotImplementedError

    def add_test_button(self, text: str) -> None:
        self.test_button = QPushButton(text)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.status, 1)
        self.form.addRow("", row)
        self.test_button.clicked.connect(self.test)
        self.changed.connect(lambda: self.test_button.setEnabled(self.is_complete()))
        self.test_button.setEnabled(False)

    def test(self) -> None:
        if self._client is None or not self.is_complete():
            return
        choice = self.choice()
        self.test_button.setEnabled(False)
        self.status.busy(self.tr("Trying to reach your storage…"))
        self._client.call(
            lambda service: service.test_hub(choice.url, choice.secret, choice.allow_insecure_http),
            self._tested,
            self._test_failed,
        )

    def _tested(self, sentence: str) -> None:
        self.test_button.setEnabled(self.is_complete())
        self.status.success(self._in_plain_words(str(sentence)))

    def _in_plain_words(self, sentence: str) -> str:
        """The service's sentence on an empty storage or one in use, in the wizard's words; others as they are."""
        if "holds no vault yet" in sentence:
            return self.tr("memtray reached your storage. It is empty, ready for your synced memory.")
        if "holds a memtray vault" in sentence or "found your vault" in sentence:
            return self.tr(
                "memtray reached your storage. It already holds synced memory: to use it, go back and choose "
                "“Join from another laptop”."
            )
        return sentence

    def _test_failed(self, error: MemtrayError) -> None:
        self.test_button.setEnabled(self.is_complete())
        self.status.error(error)


def _row(form: QFormLayout, text: str, field: QWidget) -> None:
    label = QLabel(text)
    label.setBuddy(field)
    form.addRow(label, field)


class MemtrayServerForm(ServerForm):
    def __init__(self, insecure_box: QCheckBox) -> None:
        super().__init__(insecure_box)
        self.address = QLineEdit()
        self.address.setPlaceholderText("https://memtray.example.com")
        self.password = password_line(self.tr("From whoever runs the server"))
        _row(self.form, self.tr("Server &address:"), self.address)
        _row(self.form, self.tr("Server &password:"), self.password)
        self.watch(self.address, self.password)

    def http_address(self) -> str:
        return self.address.text()

    def filled(self) -> bool:
        return bool(self.address.text().strip() and self.password.text().strip())

    def choice(self) -> StorageChoice:
        return StorageChoice(
            with_scheme(self.address.text()), self.password.text().strip(), None, self.insecure_box.isChecked()
        )


class WebDavForm(ServerForm):
    def __init__(self, insecure_box: QCheckBox, client: ServiceClient | None) -> None:
        super().__init__(insecure_box, client)
        self.address = QLineEdit()
        self.address.setPlaceholderText("https://cloud.example.com/remote.php/dav/files/alice")
        self.user = QLineEdit()
        self.password = password_line()
        _row(self.form, self.tr("Addr&ess:"), self.address)
        self.form.addRow(
            "",
            explanation(
                self.tr(
                    "Nextcloud shows it under Files → Files settings → WebDAV. memtray uses a folder “memtray” there."
                )
            ),
        )
        _row(self.form, self.tr("&User name:"), self.user)
        _row(self.form, self.tr("Passw&ord:"), self.password)
        self.add_test_button(self.tr("&Test"))
        self.watch(self.address, self.user, self.password)

    def http_address(self) -> str:
        return self.address.text()

    def filled(self) -> bool:
        return bool(self.address.text().strip() and self.user.text().strip() and self.password.text())

    def choice(self) -> StorageChoice:
        url = webdav_address(self.address.text(), self.user.text())
        return StorageChoice(url, None, self.password.text(), self.insecure_box.isChecked())


class S3Form(ServerForm):
    def __init__(self, insecure_box: QCheckBox, client: ServiceClient | None) -> None:
        super().__init__(insecure_box, client)
        self.bucket = QLineEdit()
        self.server = QLineEdit()
        self.server.setPlaceholderText(self.tr("Leave empty for Amazon S3"))
        self.key_id = QLineEdit()
        self.secret_key = password_line()
        _row(self.form, self.tr("Bu&cket:"), self.bucket)
        _row(self.form, self.tr("Server add&ress:"), self.server)
        _row(self.form, self.tr("Access key &ID:"), self.key_id)
        _row(self.form, self.tr("Secret access &key:"), self.secret_key)
        self.form.addRow("", explanation(self.tr("memtray keeps its files in a folder “memtray” in the bucket.")))
        self.add_test_button(self.tr("Te&st"))
        self.watch(self.bucket, self.server, self.key_id, self.secret_key)

    def http_address(self) -> str:
        return self.server.text()

    def filled(self) -> bool:
        return bool(self.bucket.text().strip() and self.key_id.text().strip() and self.secret_key.text())

    def choice(self) -> StorageChoice:
        secret = f"{self.key_id.text().strip()}:{self.secret_key.text()}"
        return StorageChoice(
            s3_address(self.bucket.text(), self.server.text()), None, secret, self.insecure_box.isChecked()
        )
