"""A laptop joining through a real memtray server reads the checkpoint's parts and the roster's entries in batches:
its number of requests does not grow with how many parts or entries there are."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from memtray.hubs.folder import FolderHub
from memtray.hubs.keys import epoch_key
from memtray.service.membership import _present
from tests.servers import HubEndpoint
from tests.servers.http_hub import LOG_NAME, http_hub_endpoint
from tests.support.laptops import REPO, Laptop, device_id

PARTS = 80
WITH_SMALL_CHECKPOINT_PARTS = (
    "import sys; import memtray.sync.checkpoint as parts; parts.PART_TARGET = 1024; "
    "import memtray.sync.checkpoint_publish as due; due.CHECKPOINT_EVERY = 1; "
    "from memtray.cli import main; sys.argv = ['memtray', *sys.argv[1:]]; raise SystemExit(main())"
)
REQUEST = re.compile(r'"(GET|POST|PUT|DELETE|HEAD) (/\S*) HTTP/[0-9.]+"')


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[HubEndpoint, Path]]:
    with http_hub_endpoint(tmp_path / "server") as endpoint:
        yield endpoint, tmp_path / "server" / LOG_NAME


def sync_in_small_parts(laptop: Laptop) -> None:
    """``memtray sync`` in its own process, writing a checkpoint in parts of about 1 KiB of content."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "MEMTRAY_PASSPHRASE": laptop.passphrase}
    command = [sys.executable, "-c", WITH_SMALL_CHECKPOINT_PARTS, "--home", str(laptop.home), "sync"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr


def requests_during(log: Path, action: Callable[[], object]) -> list[tuple[str, str]]:
    """The (method, path) of every request the server logged while ``action`` ran."""
    start = log.stat().st_size
    action()
    with log.open("rb") as read:
        read.seek(start)
        text = read.read().decode(errors="replace")
    return REQUEST.findall(text)


def test_a_join_reads_checkpoint_parts_and_roster_entries_in_batches(server, tmp_path: Path) -> None:
    endpoint, log = server
    a, b = (Laptop(name, tmp_path / name, endpoint) for name in ("Laptop-A", "Laptop-B"))
    a.init()
    a.folder().mkdir()
    for number in range(PARTS):
        (a.folder() / f"note-{number:02d}.md").write_bytes(os.urandom(1200).hex().encode())
    a.run("folder", "add", "memory", str(a.folder()))
    sync_in_small_parts(a)
    b.join_from(a)
    a_id = device_id(a)
    parts = [key for key in endpoint.raw.keys(f"ckpt/{a_id}/") if not key.endswith("/0000")]
    assert len(parts) >= PARTS, "the checkpoint came in fewer parts than the test needs"
    assert len(endpoint.raw.keys("roster/")) == 2

    c = Laptop("Laptop-C", tmp_path / "Laptop-C", endpoint)
    code = a.run("setup-code").stdout.strip().splitlines()[-1]
    asked = requests_during(log, lambda: c.run("join", code, "--device-name", c.name))

    one_by_one = [path for method, path in asked if method == "GET" and re.search(r"/objects/(ckpt|roster|log)/", path)]
    heads = [path for path in one_by_one if re.search(r"/objects/ckpt/.*/0000$", path)]
    assert [path for path in one_by_one if path not in heads] == [], "parts, roster or log entries read one at a time"
    assert len(asked) < PARTS // 2, f"joining took {len(asked)} requests: {asked}"


def test_objects_gone_since_they_were_listed_are_left_out(tmp_path: Path) -> None:
    hub = FolderHub(str(tmp_path / "hub"))
    hub.create_root()
    keys = [epoch_key(epoch) for epoch in range(2, 12)]
    for key in keys:
        hub.put_new(key, key.encode())
    for gone in (keys[0], keys[4], keys[5], keys[-1]):
        hub.delete(gone)
    kept = [key for key in keys if key not in (keys[0], keys[4], keys[5], keys[-1])]
    assert list(_present(hub, keys)) == [(key, key.encode()) for key in kept]
