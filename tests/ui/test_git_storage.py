"""The wizard's "A private GitHub/GitLab repository" choice, against a real smart-HTTP git server on 127.0.0.1.

The person types the repository's web address and a token; Test says plainly when the token may read but not
write; with a token that may write, the new synced memory lands on the repository's ``memtray`` branch.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from memtray.ui.wizard.base import PAGE_FIRST_SYNC, PAGE_JOIN, PAGE_PLACES
from memtray.ui.wizard.git_form import git_address
from tests.servers.git_http import git_http_server
from tests.ui.laptop_pair import screenshot
from tests.ui.test_wizard import (
    PASSPHRASE,
    WAIT_MS,
    click,
    laptops,  # noqa: F401  (a fixture, named as a parameter)
    open_wizard,
    start_with_the_passphrase,
    storage_chosen,
    texts_shown,
    wait_for_page,
)


def test_a_git_repository_is_offered_tested_and_used_in_plain_words(
    qtbot,
    make_client,
    laptops,  # noqa: F811
    tmp_path,
    monkeypatch,
) -> None:
    first, second = laptops
    with git_http_server(tmp_path / "git") as server:
        raw = server.new_repository("wizard.git")
        wizard, page, form = storage_chosen(qtbot, make_client, first, "git")
        assert form.isVisible() and not page.s3_form.isVisible() and not page.webdav_form.isVisible()
        assert not [text for text in texts_shown(page) if "git+" in text], "no address syntax to learn"

        qtbot.keyClicks(form.address, f"http://reader@127.0.0.1:{server.port}/git/wizard")
        qtbot.keyClicks(form.token, server.reader_token)
        assert page.insecure_box.isVisible() and not form.test_button.isEnabled()
        qtbot.keyClick(page.insecure_box, Qt.Key.Key_Space)
        qtbot.mouseClick(form.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: form.test_button.isEnabled() and "…" not in form.status.text(), timeout=WAIT_MS)
        assert "can read the repository" in form.status.text() and "not write" in form.status.text()
        assert server.reader_token not in form.status.text()
        screenshot(wizard, "wizard-git-read-only-token")

        form.address.clear()
        qtbot.keyClicks(form.address, f"http://writer@127.0.0.1:{server.port}/git/wizard.git/")
        form.token.clear()
        qtbot.keyClicks(form.token, server.writer_token)
        qtbot.mouseClick(form.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "memtray reached your storage" in form.status.text(), timeout=WAIT_MS)
        assert "empty" in form.status.text()
        click(qtbot, wizard, QWizard.WizardButton.NextButton)
        assert wizard.state.hub_url == f"git+http://writer@127.0.0.1:{server.port}/git/wizard.git"
        assert wizard.state.hub_secret == server.writer_token
        start_with_the_passphrase(qtbot, wizard)
        assert raw.keys("vault/keyfile/"), "the new synced memory's key file is on the memtray branch"
        assert raw.keys("log/"), "the first sync sent this laptop's files"
        assert server.writer_token not in Path(first.service.home.config_file).read_text()
        with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS):
            wizard.recovery_page.saved_box.setChecked(True)
            click(qtbot, wizard, QWizard.WizardButton.FinishButton)
        monkeypatch.setenv("HOME", str(second.user_home))
        join_with_the_token(qtbot, make_client, second, first.service.setup_code(), server.writer_token)
        assert (second.user_home / ".claude" / "CLAUDE.md").read_text() == (
            first.user_home / ".claude" / "CLAUDE.md"
        ).read_text()


def join_with_the_token(qtbot, make_client, second, setup_code: str, token: str) -> None:
    """Laptop 2 types the setup code; the join page then asks for the repository's token as well."""
    wizard = open_wizard(qtbot, make_client, second)
    wizard.start_page.join_choice.setChecked(True)
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PAGE_JOIN
    page = wizard.join_page
    page.code_edit.setText(setup_code)
    assert page.server_form.isVisible(), "a git storage's token is asked for"
    assert page.server_password_label.text().replace("&", "") == "Repository access token:"
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled(), "not without the token"
    qtbot.keyClicks(page.server_password, token)
    screenshot(wizard, "wizard-git-join-token")
    click(qtbot, wizard, QWizard.WizardButton.CommitButton)
    wait_for_page(qtbot, wizard, PAGE_PLACES)
    click(qtbot, wizard, QWizard.WizardButton.CommitButton)
    wait_for_page(qtbot, wizard, PAGE_FIRST_SYNC)
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    qtbot.waitUntil(finish.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS):
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)


def test_a_repository_web_address_becomes_a_git_storage_address() -> None:
    assert git_address("github.com/me/memory") == "git+https://github.com/me/memory.git"
    assert git_address("https://gitlab.com/me/memory.git/") == "git+https://gitlab.com/me/memory.git"
    assert git_address(" HTTPS://gitea.example.com/me/memory ") == "git+https://gitea.example.com/me/memory.git"
