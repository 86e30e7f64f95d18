"""The passphrase and the real Secret Service: stored and read back, locked, absent."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

import keyring
import keyring.backends.fail
import pytest
import secretstorage
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from memtray.errors import PassphraseError
from memtray.keychain import Keychain
from memtray.service import PASSPHRASE
from memtray.ui.passphrase_dialog import PassphraseDialog
from memtray.ui.tray_app import TrayApp
from tests.support.desktop import start_keyring_session
from tests.support.display import artifact_path, screenshot

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def tray_app(vault_home):
    apps: list[TrayApp] = []

    def make() -> TrayApp:
        app = TrayApp(vault_home.home, use_tray=False)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.shutdown()


@pytest.fixture
def no_keychain():
    saved = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(saved)


KEYRING_LOGIN = "memtray-test-login"


@pytest.fixture
def locked_keychain(monkeypatch):
    """A second, private Secret Service whose login collection is then locked (the test session's stays open).

    Its gnome-keyring shows the real desktop unlock prompt (gcr-prompter) on the Xvfb display.
    """
    session = start_keyring_session(KEYRING_LOGIN)
    for key, value in session.env.items():
        monkeypatch.setenv(key, value)
    connection = secretstorage.dbus_init()
    collection = secretstorage.get_default_collection(connection)
    collection.lock()
    assert collection.is_locked()
    yield
    connection.close()
    session.stop()


@dataclass(frozen=True)
class Seen:
    """What a passphrase dialog said (the dialog itself is deleted once answered)."""

    heading: str
    message: str
    unlock_button: str | None


def answer_dialogs(app: TrayApp, answers: list[str], screenshots: tuple[str, ...] = ()) -> list[Seen]:
    """Answer each dialog the prompter shows with the next of ``answers``: a passphrase, "unlock" or "cancel".

    The n-th dialog is saved as the n-th name in ``screenshots``, if given.
    """
    shown: list[Seen] = []
    names = list(screenshots)

    def respond(dialog: PassphraseDialog) -> None:
        unlock = dialog.unlock_button.text() if dialog.unlock_button else None
        shown.append(Seen(dialog.heading.text(), dialog.message.text(), unlock))
        if names:
            dialog.grab().save(str(artifact_path(names.pop(0))))
        answer = answers.pop(0)
        if answer == "unlock":
            assert dialog.unlock_button is not None
            dialog.unlock_button.click()
        elif answer == "cancel":
            QTest.keyClick(dialog.field, Qt.Key.Key_Escape)
        else:
            dialog.field.setText(answer)
            dialog.ok_button.click()

    app.prompter.dialog_shown.connect(respond, Qt.ConnectionType.QueuedConnection)
    return shown


def test_the_passphrase_lives_in_the_secret_service_and_syncs_need_no_dialog(qtbot, vault_home, tray_app):
    keychain = Keychain(vault_home.home.keychain_scope)
    assert keychain.backend_name() == "keyring.backends.SecretService.Keyring"
    assert keychain.get(f"{vault_home.service.config.vault_id}:{PASSPHRASE}") == vault_home.passphrase

    app = tray_app()
    shown: list[PassphraseDialog] = []
    app.prompter.dialog_shown.connect(shown.append)
    with qtbot.waitSignal(app.controller.finished, timeout=20000):
        app.controller.request()
    assert shown == []


def test_without_a_keychain_it_says_so_and_asks_once_per_run(qtbot, vault_home, tray_app, no_keychain):
    app = tray_app()
    shown = answer_dialogs(app, [vault_home.passphrase], ("passphrase-no-keychain",))

    with qtbot.waitSignal(app.controller.finished, timeout=20000):
        app.controller.request()
    assert len(shown) == 1
    assert shown[0].heading == "No keychain on this computer"
    text = shown[0].message
    assert text.startswith("memtray could not find a keychain on this computer, so it cannot remember your passphrase.")
    assert text.endswith("Type it once each time memtray starts; memtray keeps it in memory only, never on disk.")
    assert shown[0].unlock_button is None

    with qtbot.waitSignal(app.controller.finished, timeout=20000):
        app.controller.request()
    assert len(shown) == 1, "the passphrase typed once is used for the rest of the run"
    assert not any(
        path.read_bytes().count(vault_home.passphrase.encode())
        for path in vault_home.home.config_dir.rglob("*")
        if path.is_file()
    )


def desktop_unlock_prompt() -> str | None:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "^Unlock Login Keyring$"], capture_output=True, text=True
    )
    return found.stdout.split()[0] if found.stdout.strip() else None


def test_a_locked_keychain_asks_to_unlock_it_or_type_the_passphrase(qtbot, vault_home, tray_app, locked_keychain):
    app = tray_app()
    shown = answer_dialogs(app, ["unlock", vault_home.passphrase], ("passphrase-keychain-locked",))
    finished: list[object] = []
    app.controller.finished.connect(finished.append)
    app.controller.request()

    qtbot.waitUntil(lambda: desktop_unlock_prompt() is not None, timeout=20000)
    screenshot("keychain-desktop-unlock-prompt", os.environ["DISPLAY"], (0, 0, 640, 200))
    subprocess.run(["xdotool", "key", "Escape"], check=True)

    qtbot.waitUntil(lambda: len(shown) == 1, timeout=20000)
    assert shown[0].heading == "Your keychain is locked"
    assert shown[0].message == (
        "Unlock your keychain so memtray can read your passphrase, or type the passphrase below."
    )
    assert shown[0].unlock_button == "Un&lock keychain"

    qtbot.waitUntil(lambda: desktop_unlock_prompt() is not None, timeout=20000)
    subprocess.run(["xdotool", "type", "--delay", "10", KEYRING_LOGIN], check=True)
    subprocess.run(["xdotool", "key", "Return"], check=True)

    qtbot.waitUntil(lambda: bool(finished), timeout=20000)
    assert len(shown) == 2, "unlocked, but this keychain holds no passphrase yet, so it is asked for"
    assert shown[1].heading == "Unlock your synced memory"
    assert shown[1].message == "Type your passphrase so memtray can sync."
    assert shown[1].unlock_button is None


def test_cancelling_the_dialog_is_a_passphrase_error_not_a_hang(qtbot, vault_home, tray_app, no_keychain):
    app = tray_app()
    answer_dialogs(app, ["cancel"])
    with qtbot.waitSignal(app.controller.failed, timeout=20000) as failed:
        app.controller.request()
    assert isinstance(failed.args[0], PassphraseError)


def test_the_dialog_works_from_the_keyboard(qtbot):
    from memtray.ui.passphrase_dialog import KeychainState

    dialog = PassphraseDialog(KeychainState.MISSING)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.field.hasFocus() or dialog.focusWidget() is dialog.field
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.field, "typed passphrase")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert dialog.passphrase() == "typed passphrase"
    assert os.environ.get("MEMTRAY_PASSPHRASE") is None
