"""The storage page's choice of a private GitHub, GitLab or Gitea repository: its web address and an access token.

The person types the address the site shows (``https://github.com/you/memory``); memtray keeps it as a git storage
address (``git+https://github.com/you/memory.git``) and the token in the keychain. "Test" reads the repository and
asks whether the token may also save to it, so a read-only token is named before the first sync.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtWidgets import QCheckBox, QLineEdit

from memtray.ui.client import ServiceClient
from memtray.ui.widgets import explanation, password_line
from memtray.ui.wizard.server_forms import ServerForm, StorageChoice, _row, with_scheme


def git_address(address: str) -> str:
    """A repository's web address as the git storage address memtray keeps (``git+https://…/repo.git``)."""
    url = with_scheme(address).rstrip("/")
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith(".git") else parts.path + ".git"
    return f"git+{parts.scheme.lower()}://{parts.netloc}{path}"


class GitRepoForm(ServerForm):
    def __init__(self, insecure_box: QCheckBox, client: ServiceClient | None) -> None:
        super().__init__(insecure_box, client)
        self.address = QLineEdit()
        self.address.setPlaceholderText("https://github.com/you/memtray-memory")
        self.token = password_line()
        _row(self.form, self.tr("Repository a&ddress:"), self.address)
        self.form.addRow(
            "",
            explanation(
                self.tr(
                    "Make a new, empty private repository just for memtray. memtray keeps its encrypted files on a "
                    "branch called “memtray” there."
                )
            ),
        )
        _row(self.form, self.tr("Access to&ken:"), self.token)
        self.form.addRow(
            "",
            explanation(
                self.tr(
                    "The token must be allowed to read and write the repository's contents. On GitHub: Settings → "
                    "Developer settings → Fine-grained tokens, with “Contents: Read and write” for this repository. "
                    "On GitLab: a project access token with “write_repository”."
                )
            ),
        )
        self.add_test_button(self.tr("&Test"))
        self.watch(self.address, self.token)

    def http_address(self) -> str:
        return self.address.text()

    def filled(self) -> bool:
        return bool(self.address.text().strip() and self.token.text().strip())

    def choice(self) -> StorageChoice:
        return StorageChoice(
            git_address(self.address.text()), None, self.token.text().strip(), self.insecure_box.isChecked()
        )
