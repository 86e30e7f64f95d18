"""Laptops for the checkpoint tests: in-process services on one folder hub, checkpoints every few entries, and the
ways a test makes time pass or plays a hostile hub."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from memtray.paths import resolve_home
from memtray.sync import checkpoint, checkpoint_publish
from memtray.sync.checkpoint import parse_ckpt_key
from memtray.sync.compaction import DAY
from tests.prove.fleet import FOLDER, InProcessLaptop, UnpluggableService
from tests.servers import HubEndpoint
from tests.support.laptops import PASSPHRASE, Laptop, device_id, tree

EVERY = 4
"""Checkpoints every this many entries in these tests (64 in use), so a few syncs make several."""
PART = 16 * 1024
"""Bytes of content per checkpoint part in these tests (4 MiB in use), so checkpoints come in several parts."""


@contextmanager
def frequent_checkpoints(every: int = EVERY, part: int = PART) -> Iterator[None]:
    saved = checkpoint_publish.CHECKPOINT_EVERY, checkpoint.PART_TARGET
    checkpoint_publish.CHECKPOINT_EVERY, checkpoint.PART_TARGET = every, part
    try:
        yield
    finally:
        checkpoint_publish.CHECKPOINT_EVERY, checkpoint.PART_TARGET = saved


def new_laptop(workdir: Path, hub: HubEndpoint, name: str, *, founder: bool = False) -> InProcessLaptop:
    laptop = Laptop(name, workdir / name, hub)
    laptop.folder(FOLDER).mkdir(parents=True)
    service = UnpluggableService(resolve_home(laptop.home))
    if founder:
        service.init(hub.url, PASSPHRASE, device_name=name)
        service.add_folder(FOLDER, str(laptop.folder(FOLDER)))
    else:
        service.join(hub.url, PASSPHRASE, device_name=name)
        service.map_folder(FOLDER, str(laptop.folder(FOLDER)))
    service.sync()
    return InProcessLaptop(laptop, service)


def edit(member: InProcessLaptop, name: str, text: str) -> None:
    path = member.folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def age_history(member: InProcessLaptop | Laptop, days: float = 400) -> None:
    """Make every entry this laptop sent look ``days`` older: time passing, as far as retention can tell."""
    home = member.home if isinstance(member, Laptop) else member.laptop.home
    with sqlite3.connect(home / "data" / "index.sqlite3") as db:
        db.execute("UPDATE sent_entries SET time = time - ?", (days * DAY,))


def own_log(hub: HubEndpoint, member: InProcessLaptop) -> list[int]:
    """Sequence numbers of ``member``'s log entries on the hub."""
    me = device_id(member.laptop)
    return sorted(int(key.split("/")[2], 16) for key in hub.raw.keys(f"log/{me}/"))


def checkpoints(hub: HubEndpoint, member: InProcessLaptop) -> list[int]:
    """Numbers of ``member``'s complete checkpoints on the hub."""
    me = device_id(member.laptop)
    found = (parse_ckpt_key(key) for key in hub.raw.keys(f"ckpt/{me}/"))
    return sorted(parsed[1] for parsed in found if parsed and parsed[2] == 0)


def state(member: InProcessLaptop) -> tuple[dict[str, bytes], set[tuple[str, str, str, bool]]]:
    """What a laptop holds: its folder's files, and each file's version in its index."""
    with sqlite3.connect(member.laptop.home / "data" / "index.sqlite3") as db:
        rows = {(path, vv, sha, bool(deleted)) for path, vv, sha, deleted in db.execute(
            "SELECT path, vv, sha, deleted FROM files")}  # fmt: skip
    return tree(member.folder), rows


def cursor(member: InProcessLaptop, other: InProcessLaptop) -> int:
    with sqlite3.connect(member.laptop.home / "data" / "index.sqlite3") as db:
        row = db.execute("SELECT seq FROM cursors WHERE device = ?", (device_id(other.laptop),)).fetchone()
    return int(row[0]) if row else 0
