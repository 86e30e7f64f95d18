"""Two laptops with different home folders and project paths, each a real ``memtray`` process with its own
``HOME``, sharing a folder hub; while one runs, the other's disk is out of sight, so nothing can work by
accident from a path that only exists on the other laptop."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers import HubEndpoint, folder_endpoint
from tests.support.claude_home import bare_remote, clone, hosted_as
from tests.support.laptops import Laptop

REMOTE = "git@github.com:alice/webapp.git"


@contextmanager
def out_of_sight(disks: list[Path]) -> Iterator[None]:
    hidden = [(disk, disk.with_name(f".{disk.name}-elsewhere")) for disk in disks]
    for disk, away in hidden:
        disk.rename(away)
    try:
        yield
    finally:
        for disk, away in hidden:
            away.rename(disk)


@dataclass
class SeparateLaptop(Laptop):
    disk: Path = Path()
    others: list[Path] = field(default_factory=list)

    @property
    def user_home(self) -> Path:
        return Path(self.env["HOME"])

    @property
    def staging(self) -> Path:
        return self.home / "data" / "sessions"

    def run(self, *args: str, **options: object) -> subprocess.CompletedProcess[str]:
        with out_of_sight(self.others):
            return super().run(*args, **options)  # type: ignore[arg-type]


@dataclass
class World:
    root: Path
    hub: HubEndpoint
    a: SeparateLaptop
    b: SeparateLaptop
    webapp_a: Path
    webapp_b: Path


@pytest.fixture
def world(tmp_path: Path) -> World:
    """A (home /Users/alice, the project at ~/code/webapp) and B (home /home/alice.smith, the project at
    ~/src/work/webapp): one repository, cloned on each; both laptops in one vault, sessions turned on."""
    homes = {"A": Path("Users") / "alice", "B": Path("home") / "alice.smith"}
    hub = folder_endpoint(tmp_path / "hub")
    laptops = {}
    for name, home in homes.items():
        disk = tmp_path / name
        (disk / home).mkdir(parents=True)
        root = tmp_path / f"laptop-{name}"
        root.mkdir()
        laptops[name] = SeparateLaptop(f"Laptop-{name}", root, hub, env={"HOME": str(disk / home)}, disk=disk)
    a, b = laptops["A"], laptops["B"]
    a.others, b.others = [b.disk], [a.disk]
    remote = bare_remote(tmp_path / "remotes" / "alice", "webapp")
    webapp_a = hosted_as(clone(remote, a.user_home / "code" / "webapp"), REMOTE)
    webapp_b = hosted_as(clone(remote, b.user_home / "src" / "work" / "webapp"), REMOTE)
    a.init()
    a.run("settings", "claude_sessions", "yes")
    b.join_from(a)
    b.run("settings", "claude_sessions", "yes")
    return World(tmp_path, hub, a, b, webapp_a, webapp_b)
