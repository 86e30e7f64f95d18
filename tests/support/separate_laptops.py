"""Two laptops with different home folders, each a real ``memtray`` process with its own ``HOME``, sharing a hub.

While one runs, the other's disk is out of sight, so nothing can work by accident from a path that only exists on
the other laptop.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers import HubEndpoint
from tests.support.laptops import Laptop

HOMES = {"A": Path("Users") / "alice", "B": Path("home") / "alice.smith"}


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
    """A laptop with a disk of its own (``disk``, holding its home folder) that the other laptops cannot see."""

    disk: Path = Path()
    others: list[Path] = field(default_factory=list)

    @property
    def user_home(self) -> Path:
        return Path(self.env["HOME"])

    @property
    def staging(self) -> Path:
        """Where this laptop's memtray keeps the session chunks it sends and receives."""
        return self.home / "data" / "sessions"

    def run(self, *args: str, **options: object) -> subprocess.CompletedProcess[str]:
        with out_of_sight(self.others):
            return super().run(*args, **options)  # type: ignore[arg-type]


@dataclass
class TwoLaptopWorld:
    """Two separate laptops on one hub, their scratch folders under ``root``."""

    root: Path
    hub: HubEndpoint
    a: SeparateLaptop
    b: SeparateLaptop


def two_separate_laptops(root: Path, hub: HubEndpoint) -> tuple[SeparateLaptop, SeparateLaptop]:
    """A (home /Users/alice) and B (home /home/alice.smith), each on its own disk under ``root``."""
    laptops = {}
    for name, home in HOMES.items():
        disk = root / name
        (disk / home).mkdir(parents=True)
        laptop_root = root / f"laptop-{name}"
        laptop_root.mkdir()
        laptops[name] = SeparateLaptop(f"Laptop-{name}", laptop_root, hub, env={"HOME": str(disk / home)}, disk=disk)
    a, b = laptops["A"], laptops["B"]
    a.others, b.others = [b.disk], [a.disk]
    return a, b
