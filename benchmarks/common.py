"""What the benchmarks share: the generated memory files, the passphrase, and a stopwatch."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

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
