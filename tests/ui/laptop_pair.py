"""Two real laptops (two memtray homes, real services) on one folder hub, and a settings window on either.

Both sync a folder called "Memory" that holds Markdown memory files; ``conflict`` makes a real conflict
the way people make one: both laptops change the same line of a synced file before syncing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from memtray.paths import resolve_home
from memtray.service import Service
from memtray.ui.client import ServiceClient
from memtray.ui.settings import SettingsWindow

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSPHRASE = "correct horse battery staple"
WAIT_MS = 60_000
A_NAME = "Alice's MacBook"
B_NAME = "Alice's ThinkPad"
FOLDER = "Memory"


def screenshot(widget: QWidget, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


@dataclass
class Laptop:
    service: Service
    folder: Path
    user_home: Path

    def write(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def read(self, name: str) -> str:
        return (self.folder / name).read_text(encoding="utf-8")


@dataclass
class Pair:
    a: Laptop
    b: Laptop
    hub: Path

    def close(self) -> None:
        self.a.service.close()
        self.b.service.close()


def make_pair(root: Path, files: dict[str, str]) -> Pair:
    """Laptop A creates the vault with ``files`` in its Memory folder; laptop B joins and receives them."""
    hub = root / "hub"
    a = Laptop(Service(resolve_home(root / "a" / "memtray")), root / "a" / "user" / "memory", root / "a" / "user")
    a.service.init(str(hub), PASSPHRASE, device_name=A_NAME)
    for name, text in files.items():
        a.write(name, text)
    a.service.add_folder(FOLDER, str(a.folder), include=("*.md",))
    a.service.sync()
    b = Laptop(Service(resolve_home(root / "b" / "memtray")), root / "b" / "user" / "memory", root / "b" / "user")
    b.service.join(a.service.setup_code(), PASSPHRASE, device_name=B_NAME)
    b.folder.mkdir(parents=True)
    b.service.map_folder(FOLDER, str(b.folder))
    b.service.sync()
    a.service.sync()  # A has heard that B joined, so its next sync reports only what the test does
    return Pair(a, b, hub)


def conflict(pair: Pair, edits: dict[str, tuple[str, str]]) -> None:
    """For each file, A writes the first text and B the second (the same line changed both ways); A syncs, then
    B, then A again, so both laptops have heard of both edits."""
    for name, (a_text, b_text) in edits.items():
        pair.a.write(name, a_text)
        pair.b.write(name, b_text)
    pair.a.service.sync()
    pair.b.service.sync()
    pair.a.service.sync()


def open_settings(
    qtbot: Any, make_client: Callable[[Service], ServiceClient], laptop: Laptop
) -> tuple[SettingsWindow, ServiceClient]:
    """Laptop's settings window, and the client it reaches the service through (tests call the service by it)."""
    client = make_client(laptop.service)
    window = SettingsWindow(client, user_home=laptop.user_home)
    qtbot.addWidget(window)
    window.resize(980, 760)
    return window, client
