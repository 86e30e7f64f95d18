"""Finding, in the home folder, the checkouts of projects the vault knows but Claude has no folder for here yet.

The search is breadth-first and bounded: at most ``max_depth`` folders deep, ``max_dirs`` folders listed and
``max_seconds`` spent. It skips hidden folders and folders that hold no projects (dependencies, caches, system
folders), does not follow links, and does not look inside a checkout for further checkouts (except the home
folder itself, which may hold a dotfiles repository). A project found in two places is left out: which one is
meant is the person's choice (a link), never memtray's guess.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from memtray.projects.git import repository_of
from memtray.projects.identity import ProjectIdentity

SKIPPED_FOLDERS = frozenset(
    {
        "node_modules",
        "Library",
        "AppData",
        "Applications",
        "Application Data",
        "Program Files",
        "Pictures",
        "Music",
        "Movies",
        "Videos",
        "venv",
        "__pycache__",
        "site-packages",
        "snap",
    }
)


def find_checkouts(
    identities: Iterable[ProjectIdentity],
    home: Path,
    *,
    max_depth: int = 4,
    max_dirs: int = 20_000,
    max_seconds: float = 5.0,
) -> dict[str, Path]:
    """Identity key -> the one folder on this laptop that is that project (home-relative and git identities)."""
    found: dict[str, dict[str, Path]] = {}
    by_remote: dict[str, list[ProjectIdentity]] = {}
    for identity in identities:
        if identity.kind == "home":
            place = home / identity.value if identity.value else home
            if place.is_dir():
                found.setdefault(identity.key, {})[_same_place(place)] = place
        elif identity.kind == "git":
            by_remote.setdefault(identity.value, []).append(identity)
    if by_remote:
        for checkout in _checkouts(home, max_depth, max_dirs, time.monotonic() + max_seconds):
            repository = repository_of(checkout)
            if repository is None or repository.remote not in by_remote:
                continue
            for identity in by_remote[repository.remote]:
                place = repository.root / identity.subdir if identity.subdir else repository.root
                if place.is_dir():
                    found.setdefault(identity.key, {})[_same_place(place)] = place
    return {key: next(iter(places.values())) for key, places in found.items() if len(places) == 1}


def _checkouts(home: Path, max_depth: int, max_dirs: int, deadline: float) -> Iterable[Path]:
    queue: deque[tuple[Path, int]] = deque([(home, 0)])
    listed = 0
    while queue and listed < max_dirs and time.monotonic() < deadline:
        folder, depth = queue.popleft()
        listed += 1
        try:
            with os.scandir(folder) as entries:
                children = sorted(entry.name for entry in entries if _worth_entering(entry))
        except OSError:
            continue
        if (folder / ".git").exists():
            yield folder
            if depth > 0:
                continue
        if depth < max_depth:
            queue.extend((folder / name, depth + 1) for name in children)


def _worth_entering(entry: os.DirEntry[str]) -> bool:
    if entry.name.startswith(".") or entry.name in SKIPPED_FOLDERS:
        return False
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _same_place(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))
