"""The recovery key: "Forgot it?" in the unlock dialog recovers with it, and it reaches the disk only where the
person chooses (Save as PDF…, Save to a file… after a warning), never by default."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWizard

from memtray.errors import PassphraseError
from memtray.paths import Home
from memtray.service import Service
from memtray.ui.client import ServiceClient
from memtray.ui.passphrase_dialog import PassphraseDialog
from memtray.ui.tray_app import TrayApp
from memtray.ui.wizard import SetupWizard
from memtray.ui.wizard.base import PAGE_PASSPHRASE, PAGE_RECOVERY
from memtray.vault.recovery import format_recovery_key
from tests.support.display import artifact_path

OLD = "correct horse battery staple"
NEW = "purple tractor sings at dawn"
WAIT_MS = 60_000


@dataclass
class Vault:
    home: Home
    recovery_key: str


@pytest.fixture
def vault(tmp_path: Path, make_home: Callable[[str], Home]) -> Iterator[Vault]:
    """A laptop with a vault on a folder hub, one synced folder, and the recovery key its creation showed."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "CLAUDE.md").write_text("# Memory\n", encoding="utf-8")
    service = Service(make_home("laptop-a"))
    created = service.init(str(tmp_path / "hub"), OLD, device_name="Laptop A")
    service.add_folder("notes", str(folder))
    service.sync()
    service.close()
    yield Vault(service.home, created.recovery_key)


@pytest.fixture
def no_keychain(vault: Vault) -> Iterator[None]:
    """After the vault is made: a system without a keychain, so the passphrase is asked for."""
    saved = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(saved)


def type_into(qtbot, field, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)


def test_forgot_it_recovers_with_the_recovery_key_and_the_new_passphrase_works(
    qtbot, vault: Vault, no_keychain: None
) -> None:
    app = TrayApp(vault.home, use_tray=False)
    shown: list[PassphraseDialog] = []
    app.prompter.dialog_shown.connect(shown.append)
    try:
        app.controller.request()
        qtbot.waitUntil(lambda: bool(shown) and shown[0].isVisible(), timeout=WAIT_MS)
        dialog = shown[0]
        dialog.activateWindow()
        qtbot.waitActive(dialog, timeout=WAIT_MS)  # focus moves (and Return's default button) as on a desktop
        assert dialog.forgot_button.isVisible()
        assert dialog.forgot_button.text() == "&Forgot it? Use your recovery key"
        dialog.grab().save(str(artifact_path("unlock-forgot-link")))
        qtbot.mouseClick(dialog.forgot_button, Qt.MouseButton.LeftButton)
        assert dialog.heading.text() == "Use your recovery key"
        assert dialog.focusWidget() is dialog.recovery_field

        type_into(qtbot, dialog.recovery_field, format_recovery_key(os.urandom(32)))
        type_into(qtbot, dialog.new_passphrase.first, "password12")
        type_into(qtbot, dialog.new_passphrase.second, "password12")
        assert not dialog.ok_button.isEnabled(), "the new passphrase is held to the same minimum"
        type_into(qtbot, dialog.new_passphrase.first, NEW)
        type_into(qtbot, dialog.new_passphrase.second, NEW)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "not the one of this synced memory" in dialog.status.text(), timeout=WAIT_MS)
        assert dialog.isVisible() and not dialog.busy, "a wrong key is said in the dialog, which stays open"
        assert shown == [dialog]
        dialog.grab().save(str(artifact_path("unlock-forgot")))

        type_into(qtbot, dialog.recovery_field, vault.recovery_key)
        with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS):
            qtbot.keyClick(dialog.recovery_field, Qt.Key.Key_Return)
        assert shown == [dialog], "the sync that asked carried on with the new passphrase"

        with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS):
            app.controller.request()
        assert shown == [dialog], "the new passphrase is kept for the rest of the run"
    finally:
        assert app.shutdown()

    later = Service(vault.home)
    try:
        with pytest.raises(PassphraseError):
            later.new_recovery_key(OLD)
        assert later.new_recovery_key(NEW)
    finally:
        later.close()


def test_cancelling_the_recovery_form_is_a_passphrase_error(qtbot, vault: Vault, no_keychain: None) -> None:
    app = TrayApp(vault.home, use_tray=False)
    shown: list[PassphraseDialog] = []
    app.prompter.dialog_shown.connect(shown.append)
    try:
        with qtbot.waitSignal(app.controller.failed, timeout=WAIT_MS) as failed:
            app.controller.request()
            qtbot.waitUntil(lambda: bool(shown) and shown[0].isVisible(), timeout=WAIT_MS)
            shown[0].show_recovery()
            qtbot.keyClick(shown[0].recovery_field, Qt.Key.Key_Escape)
        assert isinstance(failed.args[0], PassphraseError)
    finally:
        assert app.shutdown()


def files_holding(root: Path, key: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``key``, with or without its dashes."""
    forms = {key.encode(), key.replace("-", "").encode()}
    return sorted(
        path for path in root.rglob("*") if path.is_file() and any(form in path.read_bytes() for form in forms)
    )


def every_file(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def choose_in_save_dialog(qtbot, box, path: Path) -> None:
    qtbot.waitUntil(lambda: box.file_dialog is not None and box.file_dialog.isVisible(), timeout=WAIT_MS)
    dialog = box.file_dialog
    dialog.selectFile(str(path))
    dialog.accept()
    qtbot.waitUntil(lambda: box.file_dialog is None, timeout=WAIT_MS)


def test_the_recovery_key_reaches_the_disk_only_where_the_person_chooses(
    qtbot, make_client: Callable[[Service], ServiceClient], make_home, tmp_path: Path, monkeypatch
) -> None:
    user_home = tmp_path / "user"
    (user_home / ".claude").mkdir(parents=True)
    (user_home / ".claude" / "CLAUDE.md").write_text("# How I work\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(user_home))
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    service = Service(make_home("new-laptop"))
    client = make_client(service)
    wizard = SetupWizard(client, user_home=user_home)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.hub_page.folder_choice.setChecked(True)
    wizard.hub_page.folder_picker.set_path(tmp_path / "hub")
    wizard.next()
    wizard.next()
    assert wizard.currentId() == PAGE_PASSPHRASE
    qtbot.keyClicks(wizard.passphrase_page.passphrase.first, NEW)
    qtbot.keyClicks(wizard.passphrase_page.passphrase.second, NEW)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RECOVERY, timeout=WAIT_MS)
    box = wizard.recovery_page.key_box
    key = box.secret()
    assert len(key.replace("-", "")) == 56

    qtbot.mouseClick(box.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == key
    assert files_holding(tmp_path, key) == [], "nothing holds the recovery key until the person saves it"
    before = every_file(tmp_path)

    qtbot.mouseClick(box.pdf_button, Qt.MouseButton.LeftButton)
    choose_in_save_dialog(qtbot, box, stick / "key.pdf")
    pdf = stick / "key.pdf"
    assert every_file(tmp_path) - before == {pdf}
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert key.replace("-", "") in "".join(text.split()).replace("-", ""), "the PDF holds the key, as text"
    assert "Forgot it? Use your recovery key" in " ".join(text.split())
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600

    qtbot.mouseClick(box.file_button, Qt.MouseButton.LeftButton)
    warning = box.warning
    assert warning is not None and warning.isVisible()
    assert warning.text() == "Keep the recovery key off this laptop"
    assert warning.informativeText().startswith("A recovery key saved on this laptop is lost with it")
    warning.grab().save(str(artifact_path("recovery-key-warning")))
    qtbot.mouseClick(warning.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert box.file_dialog is None and every_file(tmp_path) - before == {pdf}

    qtbot.mouseClick(box.file_button, Qt.MouseButton.LeftButton)
    choose = next(button for button in box.warning.buttons() if button.text() == "Choose where to save…")
    qtbot.mouseClick(choose, Qt.MouseButton.LeftButton)
    choose_in_save_dialog(qtbot, box, stick / "key.txt")
    assert every_file(tmp_path) - before == {pdf, stick / "key.txt"}
    assert files_holding(tmp_path, key) == [stick / "key.txt"]
    assert "Forgot it? Use your recovery key" in (stick / "key.txt").read_text(encoding="utf-8")

    wizard.recovery_page.saved_box.setChecked(True)
    wizard.grab().save(str(artifact_path("recovery-key")))
    with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert client.wait(WAIT_MS)
    service.close()
    assert files_holding(tmp_path, key) == [stick / "key.txt"]
