"""Checkpoints and compaction through a real memtray server: a laptop may write and delete its own checkpoints
and log entries there (and nothing else), and a laptop that joins after compaction gets everything."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from memtray.sync.checkpoint import parse_ckpt_key
from tests.core.checkpoint_fleet import age_history
from tests.servers import HubEndpoint
from tests.servers.http_hub import http_hub_endpoint
from tests.support.laptops import REPO, Laptop, device_id, paired, tree

WITH_A_CHECKPOINT_EVERY_ENTRY = (
    "import sys; import memtray.sync.checkpoint_publish as due; due.CHECKPOINT_EVERY = 1; "
    "from memtray.cli import main; sys.argv = ['memtray', *sys.argv[1:]]; raise SystemExit(main())"
)


@pytest.fixture
def memtray_hub(tmp_path: Path) -> Iterator[HubEndpoint]:
    with http_hub_endpoint(tmp_path / "server") as endpoint:
        yield endpoint


def sync_checkpointing(laptop: Laptop) -> None:
    """``memtray sync`` in its own process, with a checkpoint due after every entry."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "MEMTRAY_PASSPHRASE": laptop.passphrase}
    command = [sys.executable, "-c", WITH_A_CHECKPOINT_EVERY_ENTRY, "--home", str(laptop.home), "sync"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr


def test_compaction_through_a_memtray_server(make_laptop, memtray_hub: HubEndpoint):
    a, b = paired(make_laptop, memtray_hub, {"CLAUDE.md": "start\n"})
    for number in range(6):
        (a.folder() / "CLAUDE.md").write_text(f"edit {number}\n")
        sync_checkpointing(a)
        sync_checkpointing(b)
        age_history(a)
        age_history(b)
    me = device_id(a)
    log = sorted(int(key.split("/")[2], 16) for key in memtray_hub.raw.keys(f"log/{me}/"))
    heads = [parsed for key in memtray_hub.raw.keys(f"ckpt/{me}/") if (parsed := parse_ckpt_key(key))]
    assert log[0] > 1, "A's old entries are still on the server"
    assert len({parsed[1] for parsed in heads if parsed[2] == 0}) == 2, "A kept other than its newest two checkpoints"
    c = make_laptop("Laptop-C", memtray_hub)
    c.join_from(a)
    c.run("folder", "map", "memory", str(c.folder()))
    c.sync()
    assert tree(c.folder()) == tree(a.folder()) == {"CLAUDE.md": b"edit 5\n"}
