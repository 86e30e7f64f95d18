"""memtray's own files on the laptop are private: folders 0700 and files 0600 whatever the umask (issue 10, #5).

The index holds plaintext copies of synced files, the pinned key file invites offline passphrase
guessing, and the log names files: with the common umask 022 none of them may be readable by others.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from memtray.paths import resolve_home
from memtray.service import Service
from tests.servers import HubEndpoint
from tests.support.laptops import PASSPHRASE

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows keeps them in the profile")


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    """This process and every memtray process it starts create files with the usual umask 022."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def loose_modes(home: Path) -> dict[str, str]:
    """Everything under ``home`` whose mode is not 0700 (folders) or 0600 (files), by relative path."""
    loose = {}
    for path in sorted(home.rglob("*")):
        mode = stat.S_IMODE(path.lstat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if mode != wanted:
            loose[path.relative_to(home).as_posix()] = oct(mode)
    return loose


def names(home: Path) -> set[str]:
    return {path.relative_to(home).as_posix() for path in home.rglob("*")}


def test_every_step_leaves_only_private_files_and_folders(
    make_laptop, folder_hub: HubEndpoint, monkeypatch: pytest.MonkeyPatch
):
    a, b = make_laptop("Laptop-A", folder_hub), make_laptop("Laptop-B", folder_hub)
    a.status()
    assert names(a.home) == {"logs", "logs/memtray.log"}
    assert loose_modes(a.home) == {}

    a.init()
    assert {"config/config.json", "data/keyfile.json", "data/index.sqlite3"} <= names(a.home)
    assert loose_modes(a.home) == {}
    a.folder().mkdir()
    (a.folder() / "notes.md").write_text("private notes\n")
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    assert loose_modes(a.home) == {}

    b.join_from(a)
    assert {"config/config.json", "data/keyfile.json", "data/index.sqlite3", "logs/memtray.log"} <= names(b.home)
    assert loose_modes(b.home) == {}
    b.run("folder", "map", "memory", str(b.folder()))
    b.sync()
    assert loose_modes(b.home) == {}

    (a.folder() / "notes.md").write_text("changed\n")
    a.sync()
    monkeypatch.setenv("MEMTRAY_PASSPHRASE", PASSPHRASE)
    service = Service(resolve_home(b.home))
    try:
        service.sync()
        # While the index is open SQLite keeps its write-ahead log and shared memory next to it.
        assert {"data/index.sqlite3-wal", "data/index.sqlite3-shm"} <= names(b.home)
        assert loose_modes(b.home) == {}
    finally:
        service.close()
    assert (b.folder() / "notes.md").read_text() == "changed\n"

    # Commands that rewrite the config or the pinned key file without opening the index.
    a.run("settings", "conflict_policy", "prefer_recent")
    a.run("passphrase", "change", extra_env={"MEMTRAY_NEW_PASSPHRASE": "another passphrase 43"})
    assert loose_modes(a.home) == {}


def test_a_home_left_readable_by_others_is_tightened_on_start(make_laptop, folder_hub: HubEndpoint):
    a = make_laptop("Laptop-A", folder_hub)
    a.init()
    loosened = ["config/config.json", "data/keyfile.json", "data/index.sqlite3", "logs/memtray.log"]
    for name in loosened:
        (a.home / name).chmod(0o644)
    for folder in ("config", "data", "logs"):
        (a.home / folder).chmod(0o755)
    assert set(loose_modes(a.home)) == {*loosened, "config", "data", "logs"}

    a.status()
    assert loose_modes(a.home) == {}
