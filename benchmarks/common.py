"""What the benchmarks share: the generated memory files, the passphrase, and a stopwatch."""

from __future__ import annotations

import random
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from memtray.service import Service
    from tests.servers import HubEndpoint

PASSPHRASE = "correct horse battery staple benchmark"
WORDS = [
    "memory",
    "agent",
    "prefers",
    "tabs",
    "tests",
    "run",
    "with",
    "pytest",
    "never",
    "push",
    "to",
    "main",
    "use",
    "uv",
    "ruff",
    "keep",
    "modules",
    "small",
]


def generate(folder: Path, count: int, size: int = 2048, seed: int = 3) -> None:
    """``count`` markdown notes of ``size`` bytes in 100 project folders, the same on every run."""
    rng = random.Random(seed)
    for number in range(count):
        target = folder / f"project-{number % 100:03d}" / "memory" / f"note-{number:05d}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = f"# note {number}\n"
        while len(text) < size:
            text += " ".join(rng.choices(WORDS, k=10)) + "\n"
        target.write_text(text[:size])


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def rclone_crypt_sync(work: Path, source: Path) -> list[str]:
    """The command that syncs ``source`` into an rclone crypt remote under ``work`` (made here, with its config)."""

    def obscure(secret: str) -> str:
        return subprocess.run(["rclone", "obscure", secret], capture_output=True, text=True, check=True).stdout.strip()

    work.mkdir(parents=True)
    config = work / "rclone.conf"
    config.write_text(
        "[vault]\ntype = crypt\n"
        f"remote = {work / 'crypt'}\n"
        f"password = {obscure(PASSPHRASE)}\npassword2 = {obscure('salt ' + PASSPHRASE)}\n"
    )
    return ["rclone", "sync", str(source), "vault:", "--config", str(config)]


def vault_of_two(
    endpoint: HubEndpoint, first_home: Path, folder: str, source: Path, second_home: Path
) -> tuple[Service, Service]:
    """Laptop A starts a vault on ``endpoint`` with ``source`` as ``folder`` and syncs it once; a second laptop
    joins with A's setup code (its folders not placed yet)."""
    from memtray.paths import resolve_home
    from memtray.service import Service

    first = Service(resolve_home(first_home))
    first.init(endpoint.url, PASSPHRASE, invite=endpoint.new_invite(), hub_secret=endpoint.secret)
    first.add_folder(folder, str(source))
    first.sync()
    second = Service(resolve_home(second_home))
    second.join(first.setup_code(), PASSPHRASE, hub_secret=endpoint.secret)
    return first, second
