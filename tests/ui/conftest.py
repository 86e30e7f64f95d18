"""Shared UI fixtures: a real X server with a tray host, a Qt app on it, and real vaults.

Every test under ``tests/ui`` runs its Qt widgets on a real Xvfb display (platform ``xcb``) with
``trayer`` as the tray host, so tray tests and widget tests share one ``QApplication``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from memtray.paths import Home, resolve_home
from memtray.service import Service
from tests.support.display import Desktop, start_desktop

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
