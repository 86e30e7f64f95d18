"""New passphrases are rated with zxcvbn in plain words, weak ones are refused, and every passphrase field
can be shown and hidden again from the keyboard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWizard

from memtray.keychain import KeychainState
from memtray.paths import Home
from memtray.service import Service
from memtray.strength import estimate
from memtray.ui.client import ServiceClient
from memtray.ui.passphrase_dialog import PassphraseDialog
from memtray.ui.password_field import ACCEPTED_COLOR, REFUSED_COLOR, NewPassphraseBox, PasswordField
from memtray.ui.settings.security import SecurityTab
from memtray.ui.wizard import SetupWizard
from memtray.ui.wizard.base import PAGE_PASSPHRASE
from tests.support.display import artifact_path

LONG = "the quiet otter paints seven lanterns beside a frozen harbour every single winter morning"
STRONG = "purple tractor sings at dawn"

# passphrase, what the box says, accepted, a piece of zxcvbn's advice shown under it (None: no advice line)
RATINGS = [
    ("short", "Too short — use at least 10 characters.", False, "A word by itself is easy to guess."),
    ("password12", "Weak — too easy to guess.", False, "This is a very common password."),
    ("qwertyuiop", "Very weak — too easy to guess.", False, "This is a top-100 common password."),
    ("aaaaaaaaaaaa", "Very weak — too easy to guess.", False, 'Repeats like "aaa" are easy to guess.'),
    ("P@ssw0rd2023", "Weak — too easy to guess.", False, "This is similar to a commonly used password."),
    ("Summer2024!", "Not strong enough yet — too easy to guess.", False, "similar to a commonly used password"),
    ("tulip river", "Strength: Good", True, None),
    ("correct horse battery staple", "Strength: Strong", True, None),
    (LONG, "Strength: Strong", True, None),
]


@pytest.mark.parametrize(("passphrase", "verdict", "accepted", "advice"), RATINGS)
def test_a_new_passphrase_is_rated_in_plain_words_and_weak_ones_are_refused(
    qtbot, passphrase: str, verdict: str, accepted: bool, advice: str | None
) -> None:
    box = NewPassphraseBox()
    qtbot.addWidget(box)
    box.show()
    qtbot.keyClicks(box.first, passphrase)
    qtbot.keyClicks(box.second, passphrase)

    assert box.verdict.text().startswith(verdict), box.verdict.text()
    assert "Fair" not in box.verdict.text()
    assert box.is_valid() is accepted
    assert box.meter.value() == estimate(passphrase).score
    color = ACCEPTED_COLOR if accepted else REFUSED_COLOR
    assert color in box.verdict.styleSheet()
    if accepted:
        assert box.advice.isHidden()
    else:
        assert ACCEPTED_COLOR not in box.verdict.styleSheet(), "a refused passphrase is never shown in green"
        if not estimate(passphrase).too_short:
            assert "memtray needs at least “Good”" in box.verdict.text()
        assert advice is not None and advice in box.advice.text()
        assert box.advice.isVisible()


def test_the_two_typings_must_match(qtbot) -> None:
    box = NewPassphraseBox()
    qtbot.addWidget(box)
    with qtbot.waitSignal(box.validity_changed) as became:
        qtbot.keyClicks(box.first, STRONG)
        qtbot.keyClicks(box.second, STRONG)
    assert became.args == [True]
    qtbot.keyClick(box.second, Qt.Key.Key_Backspace)
    assert not box.is_valid()
    assert box.verdict.text() == "The two passphrases are not the same yet."


def test_the_strength_of_a_long_passphrase_is_estimated_from_its_start() -> None:
    strength = estimate(LONG * 3)
    assert strength.acceptable and strength.score == 4


@pytest.fixture
def new_laptop(
    make_client: Callable[[Service], ServiceClient], make_home: Callable[[str], Home], tmp_path: Path, monkeypatch
):
    user_home = tmp_path / "user"
    (user_home / ".claude").mkdir(parents=True)
    (user_home / ".claude" / "CLAUDE.md").write_text("# How I work\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(user_home))
    service = Service(make_home("new-laptop"))
    yield make_client(service), user_home
    service.close()


def test_the_wizard_will_not_start_with_a_weak_passphrase(qtbot, new_laptop, tmp_path: Path) -> None:
    client, user_home = new_laptop
    wizard = SetupWizard(client, user_home=user_home)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.hub_page.folder_choice.setChecked(True)
    wizard.hub_page.folder_picker.set_path(tmp_path / "hub")
    wizard.next()
    wizard.next()
    assert wizard.currentId() == PAGE_PASSPHRASE
    box = wizard.passphrase_page.passphrase
    start = wizard.button(QWizard.WizardButton.CommitButton)

    qtbot.keyClicks(box.first, "password12")
    qtbot.keyClicks(box.second, "password12")
    assert not start.isEnabled()
    wizard.grab().save(str(artifact_path("passphrase-strength")))

    box.clear()
    qtbot.keyClicks(box.first, STRONG)
    qtbot.keyClicks(box.second, STRONG)
    assert start.isEnabled()
    assert box.verdict.text() == "Strength: Strong"


def test_settings_will_not_change_to_a_weak_passphrase(qtbot, new_laptop) -> None:
    client, _user_home = new_laptop
    security = SecurityTab(client)
    qtbot.addWidget(security)
    qtbot.keyClicks(security.old_passphrase, "the old passphrase here")
    qtbot.keyClicks(security.new_passphrase.first, "password12")
    qtbot.keyClicks(security.new_passphrase.second, "password12")
    assert not security.change_button.isEnabled()
    security.new_passphrase.clear()
    qtbot.keyClicks(security.new_passphrase.first, STRONG)
    qtbot.keyClicks(security.new_passphrase.second, STRONG)
    assert security.change_button.isEnabled()


def assert_shows_and_hides_from_the_keyboard(qtbot, field: PasswordField, text: str) -> None:
    """Type ``text``, Tab to the field's Show button, Space shows it, Space hides it again."""
    field.setFocus()
    qtbot.keyClicks(field, text)
    assert field.echoMode() == QLineEdit.EchoMode.Password and field.displayText() != text
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert field.window().focusWidget() is field.toggle, "Tab goes from the field to its Show button"
    assert field.toggle.text() == "Show"
    qtbot.keyClick(field.toggle, Qt.Key.Key_Space)
    assert field.echoMode() == QLineEdit.EchoMode.Normal and field.displayText() == text
    assert field.toggle.text() == "Hide"
    qtbot.keyClick(field.toggle, Qt.Key.Key_Space)
    assert field.echoMode() == QLineEdit.EchoMode.Password and field.displayText() != text


def test_the_unlock_dialog_fields_show_and_hide(qtbot) -> None:
    dialog = PassphraseDialog(KeychainState.MISSING, can_recover=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert_shows_and_hides_from_the_keyboard(qtbot, dialog.field, "my passphrase")
    dialog.show_recovery()
    assert_shows_and_hides_from_the_keyboard(qtbot, dialog.recovery_field, "ABCD-EFGH")
    box = dialog.new_passphrase
    assert_shows_and_hides_from_the_keyboard(qtbot, box.first, STRONG)
    box.first.set_revealed(True)
    assert box.second.is_revealed(), "showing the new passphrase shows both typings"
    box.clear()
    assert not box.first.is_revealed() and not box.second.is_revealed()


def test_every_passphrase_field_in_the_wizard_and_settings_has_show_and_hide(qtbot, new_laptop) -> None:
    client, user_home = new_laptop
    wizard = SetupWizard(client, user_home=user_home)
    security = SecurityTab(client)
    qtbot.addWidget(wizard)
    qtbot.addWidget(security)
    fields = [
        wizard.join_page.passphrase,
        wizard.passphrase_page.passphrase.first,
        wizard.passphrase_page.passphrase.second,
        security.old_passphrase,
        security.new_passphrase.first,
        security.new_passphrase.second,
        security.recovery_passphrase,
    ]
    assert all(isinstance(field, PasswordField) for field in fields)
    security.show()
    qtbot.waitExposed(security)
    assert_shows_and_hides_from_the_keyboard(qtbot, security.old_passphrase, "old passphrase")
