"""Shared UI fixtures: a real X server with a tray host, a Qt app on it, and real vaults.

Every test under ``tests/ui`` runs its Qt widgets on a real Xvfb display (platform ``xcb``) with
``trayer`` as the tray host, so tray tests and widget tests share one ``QApplication``.

Every test also runs with the UI-thread guard on (``memtray.ui.thread_guard``): a service call the
window makes on the UI thread fails the test that made it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from memtray.errors import MemtrayError
from memtray.paths import Home, resolve_home
from memtray.service import Service
from memtray.ui import thread_guard
from memtray.ui.client import ServiceClient
from tests.support.display import Desktop, start_desktop
from tests.ui.tray_apps import start_app  # noqa: F401  (a fixture: tests that use it name it as a parameter)

Result = TypeVar("Result")

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="session", autouse=True)
def desktop() -> Iterator[Desktop]:
    """Xvfb + trayer for the whole UI session; Qt is pointed at it before the QApplication exists."""
    session = start_desktop()
    saved = {key: os.environ.get(key) for key in ("DISPLAY", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    os.environ.pop("WAYLAND_DISPLAY", None)
    os.environ["DISPLAY"] = session.display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    yield session
    session.stop_tray_host()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["memtray-tests"]


@pytest.fixture(scope="session", autouse=True)
def ui_thread_guard() -> Iterator[None]:
    """Every ``ServiceClient`` made in these tests (and every memtray process they start) guards its service."""
    saved = os.environ.get(thread_guard.GUARD_ENV)
    os.environ[thread_guard.GUARD_ENV] = "1"
    yield
    if saved is None:
        os.environ.pop(thread_guard.GUARD_ENV, None)
    else:
        os.environ[thread_guard.GUARD_ENV] = saved


@pytest.fixture(autouse=True)
def own_autostart_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The setup wizard registers "start at sign-in" at Finish: never in the real ~/.config/autostart."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture(autouse=True)
def no_notice_outlives_its_test() -> Iterator[None]:
    """Close the notices a test's tray app left open (they are windows when there is no tray icon), so the
    next test counts only its own."""
    yield
    if QApplication.instance() is not None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                widget.close()


@pytest.fixture(autouse=True)
def no_service_call_on_the_ui_thread(ui_thread_guard: None) -> Iterator[thread_guard.GuardLog]:
    thread_guard.LOG.clear()
    yield thread_guard.LOG
    assert thread_guard.LOG.ui_thread_calls == [], "the window called the service on the UI thread"


@pytest.fixture
def make_client(qtbot: Any) -> Iterator[Callable[[Service], ServiceClient]]:
    """``make_client(service)``: the window's client to ``service``, its first snapshot read."""
    clients: list[ServiceClient] = []

    def make(service: Service) -> ServiceClient:
        client = ServiceClient(service)
        clients.append(client)
        with qtbot.waitSignal(client.snapshot_changed, timeout=30_000):
            client.refresh()
        return client

    yield make
    for client in clients:
        assert client.wait(60_000), "a service call did not finish"


def on_worker(qtbot: Any, client: ServiceClient, work: Callable[[Service], Result]) -> Result:
    """Run ``work`` through ``client`` (on its worker, as the window would) and wait for its result."""
    outcome: list[Any] = []
    client.call(work, outcome.append, outcome.append, refresh=True)
    qtbot.waitUntil(lambda: bool(outcome), timeout=60_000)
    if isinstance(outcome[0], MemtrayError):
        raise outcome[0]
    return outcome[0]


@pytest.fixture
def make_home(tmp_path: Path) -> Callable[[str], Home]:
    """``make_home("laptop-b")``: a fresh, empty memtray home (config, data, logs) under tmp_path."""

    def make(name: str) -> Home:
        home = resolve_home(tmp_path / "homes" / name)
        home.ensure()
        return home

    return make


@dataclass
class VaultHome:
    """A laptop with a real vault on a folder hub and one mapped folder holding ``CLAUDE.md``, synced once."""

    home: Home
    service: Service
    hub: Path
    folder: Path
    passphrase: str

    def log_objects(self) -> list[Path]:
        """Every log entry on the hub, from any laptop."""
        return sorted(
            path for path in (self.hub / "log").rglob("*") if path.is_file() and not path.name.startswith(".")
        )


@pytest.fixture
def vault_home(tmp_path: Path, make_home: Callable[[str], Home]) -> Iterator[VaultHome]:
    hub = tmp_path / "hub"
    folder = tmp_path / "laptop-a" / "notes"
    folder.mkdir(parents=True)
    (folder / "CLAUDE.md").write_text("# Memory\n\nPrefer small functions.\n", encoding="utf-8")
    home = make_home("laptop-a")
    service = Service(home)
    service.init(str(hub), PASSPHRASE, device_name="Laptop A")
    service.add_folder("notes", str(folder), include=("*.md",))
    service.sync()
    yield VaultHome(home, service, hub, folder, PASSPHRASE)
    service.close()


@pytest.fixture
def join_laptop(
    tmp_path: Path, vault_home: VaultHome, make_home: Callable[[str], Home]
) -> Iterator[Callable[[str], VaultHome]]:
    """``join_laptop("laptop-b")``: a second laptop joined to ``vault_home``'s vault, its folder mapped."""
    services: list[Service] = []

    def join(name: str) -> VaultHome:
        folder = tmp_path / name / "notes"
        folder.mkdir(parents=True)
        service = Service(make_home(name))
        service.join(vault_home.service.setup_code(), PASSPHRASE, device_name=name.replace("-", " ").title())
        service.map_folder("notes", str(folder))
        services.append(service)
        return VaultHome(service.home, service, vault_home.hub, folder, PASSPHRASE)

    yield join
    for service in services:
        service.close()
