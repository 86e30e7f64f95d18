"""The release before membership, taken from git history, for laptops that still run it next to this one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.laptops import REPO, Laptop

PREVIOUS_RELEASE = "7657b69194862eddd32256523570616f2addf741"
"""The last commit before laptops signed their entries: what laptops on the previous memtray run."""


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's ``memtray`` package, extracted from git history; a clear failure without it."""
    found = subprocess.run(
        ["git", "-C", str(REPO), "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"], capture_output=True, check=False
    )
    if found.returncode != 0:
        pytest.fail(
            f"The previous release (commit {PREVIOUS_RELEASE}) is not in this checkout's git history, so the "
            "upgrade test cannot run it. Fetch the full history (git fetch --unshallow) and run the test again."
        )
    target = tmp_path_factory.mktemp("previous-release")
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", PREVIOUS_RELEASE, "memtray"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def on_previous_release(laptop: Laptop, release: Path) -> Laptop:
    """``laptop`` runs the previous release: its package first on the path, never this checkout's (the current
    folder, which Python would put first, is left out)."""
    laptop.env.update({"PYTHONPATH": str(release), "PYTHONSAFEPATH": "1"})
    imported = subprocess.run(
        [sys.executable, "-c", "import memtray; print(memtray.__file__)"],
        env={**os.environ, **laptop.env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.startswith(str(release)), imported.stdout
    return laptop


def upgrade(laptop: Laptop) -> None:
    """``laptop`` runs this checkout from now on."""
    for name in ("PYTHONPATH", "PYTHONSAFEPATH"):
        laptop.env.pop(name, None)
