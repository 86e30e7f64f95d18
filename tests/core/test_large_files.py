"""A file too large to sync is skipped with a message; it never stops the sync, fills memory, or looks deleted."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from memtray.sync.entry import PLAIN_CAPS
from tests.core.test_bounded_objects import PEAK_RSS_MB, laptop_env, run_measured
from tests.servers import HubEndpoint
from tests.support.laptops import Laptop, paired

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the measured launcher uses posix_spawn")

MakeLaptop = Callable[[str, HubEndpoint], Laptop]


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as stream:
        stream.truncate(size)


def test_an_oversized_file_is_skipped_and_the_rest_syncs(folder_hub: HubEndpoint, make_laptop: MakeLaptop) -> None:
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "small and synced\n"})
    _sparse(a.folder() / "huge.bin", PLAIN_CAPS["blob"] + 1)
    (a.folder() / "notes.md").write_text("sent beside the huge file\n")

    done = run_measured([sys.executable, "-m", "memtray", "--home", str(a.home), "sync"], laptop_env(a))
    assert done.returncode == 0, done.stderr
    assert "huge.bin" in done.stderr and "too large to sync" in done.stderr, done.stderr
    assert done.peak_mb < PEAK_RSS_MB
    b.sync()
    assert (b.folder() / "notes.md").read_text() == "sent beside the huge file\n"
    assert not (b.folder() / "huge.bin").exists()
    assert folder_hub.raw.keys("blob/") == []


def test_a_synced_file_that_grows_too_large_is_not_sent_as_deleted(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop
) -> None:
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "small\n", "data.bin": "was small once\n"})
    _sparse(a.folder() / "data.bin", PLAIN_CAPS["blob"] + 4096)
    os.utime(a.folder() / "data.bin", (1, 1))

    assert "too large to sync" in a.run("sync").stderr
    b.sync()
    assert (b.folder() / "data.bin").read_text() == "was small once\n"
    assert a.status()["problems"], "the skipped file is listed as a problem in status"
