"""Simulated laptops: one memtray home each, driven through the real CLI in real processes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from memtray.paths import resolve_home
from memtray.service import Service
from tests.servers import HubEndpoint

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple 42"


@dataclass
class Laptop:
    name: str
    root: Path
    hub: HubEndpoint
    passphrase: str = PASSPHRASE
    env: dict[str, str] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        return self.root / "home"

    def folder(self, name: str = "memory") -> Path:
        return self.root / name

    def run(
        self, *args: str, check: bool = True, extra_env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "MEMTRAY_PASSPHRASE": self.passphrase,
            **self.env,
            **(extra_env or {}),
        }
        if self.hub.secret:
            env.setdefault("MEMTRAY_HUB_SECRET", self.hub.secret)
        done = subprocess.run(
            [sys.executable, "-m", "memtray", "--home", str(self.home), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{self.name}: memtray {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
        return done

    def init(self, *extra: str) -> str:
        invite = self.hub.new_invite()
        args = ["init", self.hub.url, "--device-name", self.name, *(["--invite", invite] if invite else []), *extra]
        return self.run(*args).stdout

    def join_from(self, other: Laptop) -> None:
        code = other.run("setup-code").stdout.strip().splitlines()[-1]
        self.run("join", code, "--device-name", self.name)

    def sync(self, *extra: str) -> str:
        return self.run("sync", *extra).stdout

    def index(self) -> sqlite3.Connection:
        return sqlite3.connect(self.home / "data" / "index.sqlite3")

    def status(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.run("status", "--json").stdout)


def tree(root: Path) -> dict[str, bytes]:
    """Every tracked file under ``root`` (memtray's conflicts folder left out), by relative path."""
    found = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not relative.startswith(".memtray-conflicts"):
            found[relative] = path.read_bytes()
    return found


def assert_synced(laptops: list[Laptop], hub: HubEndpoint, folder: str = "memory") -> None:
    """Disk, index and hub agree: identical trees, nothing waiting to be sent, every entry acknowledged."""
    trees = [tree(laptop.folder(folder)) for laptop in laptops]
    for laptop, other in zip(laptops[1:], trees[1:], strict=True):
        differing = sorted(path for path in set(other) | set(trees[0]) if other.get(path) != trees[0].get(path))
        assert not differing, f"{laptop.name} differs from {laptops[0].name} in {differing[:10]}"
    log_heads: dict[str, int] = {}
    for key in hub.raw.keys("log/"):
        _, device, seq = key.split("/")
        log_heads[device] = max(log_heads.get(device, 0), int(seq, 16))
    for laptop in laptops:
        with laptop.index() as db:
            pending = db.execute("SELECT COUNT(*) FROM files WHERE pending = 1").fetchone()[0]
            assert pending == 0, f"{laptop.name} still has {pending} unsent changes"
            live = {row[0] for row in db.execute("SELECT path FROM files WHERE deleted = 0")}
            assert live == set(trees[0]), f"{laptop.name}'s index disagrees with its disk"
            cursors = dict(db.execute("SELECT device, seq FROM cursors").fetchall())
            own = db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
            device_id = json.loads((laptop.home / "config" / "config.json").read_text())["device_id"]
        for device, head in log_heads.items():
            seen = int(own[0]) if device == device_id else cursors.get(device, 0)
            assert seen == head, f"{laptop.name} has applied {seen} of {head} entries from {device}"


def paired(
    make_laptop: Callable[[str, HubEndpoint], Laptop], hub: HubEndpoint, files: dict[str, str]
) -> tuple[Laptop, Laptop]:
    """Laptop A starts a vault with ``files`` in folder 'memory'; laptop B joins, places it and syncs."""
    a, b = make_laptop("Laptop-A", hub), make_laptop("Laptop-B", hub)
    a.init()
    a.folder().mkdir()
    for name, text in files.items():
        (a.folder() / name).parent.mkdir(parents=True, exist_ok=True)
        (a.folder() / name).write_text(text)
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    b.join_from(a)
    b.run("folder", "map", "memory", str(b.folder()))
    b.sync()
    return a, b


@contextmanager
def opened(laptop: Laptop) -> Iterator[Service]:
    """The laptop's own service, in this process, so a refusal arrives as the exception the tray app sees."""
    service = Service(resolve_home(laptop.home), ask_passphrase=lambda _reason: laptop.passphrase)
    try:
        yield service
    finally:
        service.close()


def device_id(laptop: Laptop) -> str:
    return str(json.loads((laptop.home / "config" / "config.json").read_text())["device_id"])
