"""Settings → Projects on a real two-laptop vault: real git repositories, Claude Code-shaped home folders with
transcripts, a folder hub; laptop A is shaped like /Users/alice, laptop B like /home/alice.smith.

B's window lists each project with its repository, where it lives on B and whether its memory is placed here
or waits; "Link to a folder…" places a waiting project's memory where Claude Code looks for it on B, and
"Unlink" takes the link back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTreeWidgetItem

from memtray.model import ProjectState
from memtray.paths import resolve_home
from memtray.projects.claude_names import claude_dir_name
from memtray.service import Service
from memtray.ui.client import ServiceClient
from memtray.ui.settings import SettingsWindow
from memtray.ui.settings.projects import ProjectsTab
from tests.support.claude_home import bare_remote, clone, git, open_in_claude, write_memory
from tests.ui.conftest import on_worker
from tests.ui.laptop_pair import PASSPHRASE, WAIT_MS, screenshot
from tests.ui.test_settings import mnemonics

WEBAPP_MEMORY = "- Run the tests with -q.\n"
SHOP_MEMORY = "- Prices are in cents.\n"


@dataclass
class Vault:
    a: Service
    b: Service
    a_home: Path
    b_home: Path
    remotes: Path


def checkout(remotes: Path, name: str, place: Path, remote_url: str) -> Path:
    """A clone of the bare repository ``name`` whose origin reads like a hosted remote (nothing is fetched)."""
    project = clone(remotes / f"{name}.git", place)
    git("remote", "set-url", "origin", remote_url, cwd=project)
    return project


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Vault]:
    remotes = tmp_path / "remotes"
    remotes.mkdir()
    for name in ("webapp", "shop"):
        bare_remote(remotes, name)
    a_home = tmp_path / "a" / "Users" / "alice"
    b_home = tmp_path / "b" / "home" / "alice.smith"
    monkeypatch.setenv("HOME", str(a_home))
    webapp = checkout(remotes, "webapp", a_home / "code" / "webapp", "git@github.com:alice/webapp.git")
    shop = checkout(remotes, "shop", a_home / "code" / "shop", "git@github.com:alice/shop.git")
    write_memory(open_in_claude(a_home, webapp), WEBAPP_MEMORY)
    write_memory(open_in_claude(a_home, shop), SHOP_MEMORY)
    a = Service(resolve_home(tmp_path / "a" / "memtray"))
    a.init(str(tmp_path / "hub"), PASSPHRASE, device_name="Alice's MacBook")
    a.add_preset_folder("claude-code", str(a_home / ".claude"))
    a.sync()

    monkeypatch.setenv("HOME", str(b_home))
    webapp_b = checkout(remotes, "webapp", b_home / "src" / "webapp", "https://github.com/alice/webapp")
    open_in_claude(b_home, webapp_b)
    b = Service(resolve_home(tmp_path / "b" / "memtray"))
    b.join(a.setup_code(), PASSPHRASE, device_name="Alice's ThinkPad")
    b.sync()
    yield Vault(a, b, a_home, b_home, remotes)
    a.close()
    b.close()


def rows(tab: ProjectsTab) -> dict[str, QTreeWidgetItem]:
    items = (tab.tree.topLevelItem(i) for i in range(tab.tree.topLevelItemCount()))
    return {item.text(0): item for item in items if item is not None}


def open_projects(qtbot, client: ServiceClient, user_home: Path) -> SettingsWindow:
    window = SettingsWindow(client, user_home=user_home)
    qtbot.addWidget(window)
    window.resize(980, 640)
    window.show_tab("projects")
    return window


def memory_on_b(vault: Vault, project: Path) -> Path:
    name = claude_dir_name(str(project))
    assert name is not None
    return vault.b_home / ".claude" / "projects" / name / "memory" / "MEMORY.md"


def test_the_projects_tab_lists_real_projects_and_links_a_waiting_one(qtbot, vault: Vault, make_client) -> None:
    client = make_client(vault.b)
    window = open_projects(qtbot, client, vault.b_home)
    tab = window.projects
    qtbot.waitUntil(lambda: set(rows(tab)) == {"webapp", "shop"}, timeout=WAIT_MS)
    webapp, shop = rows(tab)["webapp"], rows(tab)["shop"]
    assert [webapp.text(i) for i in range(1, 4)] == [
        "github.com/alice/webapp",
        "~/src/webapp",
        "Placed",
    ]
    assert [shop.text(i) for i in range(1, 4)] == ["github.com/alice/shop", "not on this laptop", "Waiting"]
    assert memory_on_b(vault, vault.b_home / "src" / "webapp").read_text(encoding="utf-8") == WEBAPP_MEMORY
    tab.select("shop")
    assert "shop's memory waits until you open the project here" in tab.detail.text()
    assert tab.link_button.isEnabled()
    window.show()
    screenshot(window, "projects-list")

    shop_here = checkout(vault.remotes, "shop", vault.b_home / "work" / "shop-checkout", "git@github.com:alice/shop")
    qtbot.mouseClick(tab.link_button, Qt.MouseButton.LeftButton)
    dialog = tab.link_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Where is “shop” on this laptop?"
    dialog.picker.set_path(shop_here)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved." in tab.status.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: rows(tab)["shop"].text(3) == "Placed", timeout=WAIT_MS)
    assert rows(tab)["shop"].text(2) == "~/work/shop-checkout"
    linked = next(p for p in on_worker(qtbot, client, lambda service: service.projects()) if p.name == "shop")
    assert (linked.state, linked.local_path) == (ProjectState.PLACED, str(shop_here))

    on_worker(qtbot, client, lambda service: service.sync())
    assert memory_on_b(vault, shop_here).read_text(encoding="utf-8") == SHOP_MEMORY

    tab.select("shop")
    qtbot.mouseClick(tab.unlink_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved." in tab.status.text() and tab.unlink_button.isEnabled(), timeout=WAIT_MS)
    assert shop_here.as_posix() not in vault.b.config.project_links.values()

    tab.select("webapp")
    qtbot.mouseClick(tab.unlink_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "is not linked on this laptop" in tab.status.text(), timeout=WAIT_MS)


def test_the_projects_tab_is_keyboard_usable(qtbot, vault: Vault, make_client) -> None:
    window = open_projects(qtbot, make_client(vault.b), vault.b_home)
    window.show()
    qtbot.waitExposed(window)
    tab = window.projects
    qtbot.waitUntil(lambda: len(rows(tab)) == 2, timeout=WAIT_MS)
    letters = mnemonics(window)
    assert len(letters) == len(set(letters)), sorted(letters)
    assert {"l", "n", "r", "j"} <= set(letters)
    tab.tree.setFocus()
    qtbot.keyClick(tab.tree, Qt.Key.Key_Down)
    assert tab.selected() is not None
    qtbot.keyClick(tab.tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.link_dialog is not None and tab.link_dialog.isVisible(), timeout=WAIT_MS)
    assert QApplication.activeModalWidget() is tab.link_dialog, "Return opened the dialog and pressed nothing in it"
    tab.link_dialog.reject()


def test_without_projects_the_tab_says_how_they_come(qtbot, tmp_path: Path, make_client, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    service = Service(resolve_home(tmp_path / "memtray"))
    service.init(str(tmp_path / "hub"), PASSPHRASE, device_name="Alice's MacBook")
    try:
        window = open_projects(qtbot, make_client(service), tmp_path / "user")
        tab = window.projects
        qtbot.waitUntil(lambda: tab.tree.topLevelItemCount() == 1 and tab.refresh_button.isEnabled(), timeout=WAIT_MS)
        assert tab.tree.topLevelItem(0).text(0).startswith("No projects yet.")
        assert tab.selected() is None
        assert not tab.link_button.isEnabled() and not tab.unlink_button.isEnabled()
    finally:
        service.close()
