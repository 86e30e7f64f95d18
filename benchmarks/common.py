"""What the benchmarks share: the generated memory files, the passphrase, and a stopwatch."""

from __future__ import annotations

import atexit
import compileall
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from memtray.service import Service
    from tests.servers import HubEndpoint

REPO = Path(__file__).resolve().parents[1]
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


_LEFT_FOR_LATER: list[Path] = []


def scratch_folder(prefix: str) -> Path:
    """A new folder for one run's files, removed by ``remove_scratch`` (at the latest when this process ends), not
    when the run ends. On an ext4 file system without a journal, as on the machine these figures come from, a file
    created within a minute of many deletions costs about 15 times as much (the kernel steps over every inode deleted
    in the last 60 s to 6 min; 24 µs a file became 346 µs right after 6,000 were deleted): a run that removed its
    files would slow down the file creation of the next run, whichever program came first."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    _LEFT_FOR_LATER.append(folder)
    return folder


def creation_cost(folder: Path, files: int = 500) -> float:
    """Seconds the file system takes to create one empty file in a new folder inside ``folder``, over ``files``
    files (left in place, like the rest of a run's files): what each side of a comparison pays per file it writes."""
    probe = Path(tempfile.mkdtemp(prefix="creation-probe-", dir=folder))
    started = time.perf_counter()
    for number in range(files):
        os.close(os.open(probe / f"{number}.md", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return (time.perf_counter() - started) / files


def remove_scratch() -> None:
    """Remove every folder ``scratch_folder`` gave out; each benchmark calls it once its timing is done."""
    while _LEFT_FOR_LATER:
        shutil.rmtree(_LEFT_FOR_LATER.pop(), ignore_errors=True)


atexit.register(remove_scratch)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def process_env(base: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment of a timed memtray process: ``base`` (this process's by default) without ``drop`` and without
    PYTHONDONTWRITEBYTECODE, which would make every start compile each module changed since its bytecode was written;
    an installed memtray has its bytecode."""
    env = dict(os.environ if base is None else base)
    for variable in (*drop, "PYTHONDONTWRITEBYTECODE"):
        env.pop(variable, None)
    return env


def write_bytecode(code: Path = REPO) -> None:
    """Bytecode for every module of the memtray in ``code``, so no timed process compiles what was edited since."""
    compileall.compile_dir(code / "memtray", quiet=1)


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


def rclone_crypt_copy(work: Path, target: Path) -> list[str]:
    """The command that decrypts everything in the crypt remote ``rclone_crypt_sync`` made under ``work`` into
    ``target``: a second laptop's full pull."""
    return ["rclone", "copy", "vault:", str(target), "--config", str(work / "rclone.conf")]


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
