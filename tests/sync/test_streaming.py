"""A large sync holds its files' bytes a batch at a time (memtray/sync/contents.py, publish.py, materialise.py),
and keeps its two promises while it does: a file that changes between the scan and sending is never sent with
bytes other than those of the version recorded for it, and a pull that cannot fetch everything it needs from the
hub writes nothing. Real laptops in-process on a real folder hub."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from memtray.errors import MemtrayError
from memtray.hubs.keys import blob_key, parse_log_key
from memtray.model import SyncProgress
from memtray.paths import resolve_home
from memtray.sync.entry import INLINE_MAX, open_blob, open_entry
from memtray.sync.index import SQL_VARIABLES
from memtray.sync.localfs import WRITE_BATCH_BYTES
from tests.core.checkpoint_fleet import edit, new_laptop
from tests.prove.fleet import FOLDER, InProcessLaptop, UnpluggableService, close_fleet
from tests.servers import HubEndpoint, folder_endpoint
from tests.support.laptops import PASSPHRASE, Laptop, tree

LARGE = INLINE_MAX + 100_000
"""A file this size travels as a blob of its own."""


@pytest.fixture
def hub(tmp_path: Path) -> HubEndpoint:
    return folder_endpoint(tmp_path / "hub")


@pytest.fixture
def pair(tmp_path: Path, hub: HubEndpoint) -> Iterator[tuple[InProcessLaptop, InProcessLaptop]]:
    members = [new_laptop(tmp_path, hub, "Laptop-A", founder=True), new_laptop(tmp_path, hub, "Laptop-B")]
    try:
        yield members[0], members[1]
    finally:
        close_fleet(members)


def large_text(seed: int) -> str:
    line = f"note {seed}: the agent keeps its memory in small files\n"
    return (line * (LARGE // len(line) + 1))[:LARGE]


def test_a_file_changed_between_the_scan_and_sending_is_never_sent_with_other_bytes(
    hub: HubEndpoint, pair: tuple[InProcessLaptop, InProcessLaptop]
) -> None:
    a, b = pair
    (a.folder / "big.md").write_text(large_text(1))
    a.service.sync()
    b.service.sync()
    # B sends everything again (as a repair does): the large file's bytes are on the hub only, so B reads them
    # from its folder, where the person saves a new text after the scan and before the sending.
    b.service.set_secret_guard(FOLDER, False)
    b.service.index.republish_all()
    edited = large_text(2)

    def save_while_sending(progress: SyncProgress) -> None:
        if progress.phase == "uploading":
            (b.folder / "big.md").write_text(edited)

    b.service.sync(progress=save_while_sending)
    keys = b.service.vault_keys()
    for key in hub.raw.keys("log/"):
        device, seq = parse_log_key(key) or ("", 0)
        for change in open_entry(keys, hub.raw.read(key), device, seq).changes:
            blob = change.version.blob
            if blob is not None:  # refused if its bytes are not those the version names
                open_blob(keys, blob, hub.raw.read(blob_key(blob)), change.version.sha)
    b.service.sync()
    a.service.sync()
    assert (a.folder / "big.md").read_text() == edited


def test_a_pull_in_batches_writes_nothing_when_the_hub_lacks_a_file(
    hub: HubEndpoint, pair: tuple[InProcessLaptop, InProcessLaptop]
) -> None:
    a, b = pair
    count = 3 * WRITE_BATCH_BYTES // LARGE + 1  # more than two batches of writes
    for number in range(count):
        (a.folder / f"note-{number:03d}.md").write_text(large_text(number))
    a.service.sync()
    keys = a.service.vault_keys()
    sent = []
    for key in sorted(hub.raw.keys("log/"), key=lambda key: parse_log_key(key) or ("", 0)):
        device, seq = parse_log_key(key) or ("", 0)
        sent += [change.version.blob for change in open_entry(keys, hub.raw.read(key), device, seq).changes]
    hub.raw.delete(blob_key(next(blob for blob in reversed(sent) if blob)))  # the file B comes to last
    with pytest.raises(MemtrayError):
        b.service.sync()
    assert tree(b.folder) == {}, "a pull that stopped wrote files"


def test_a_joining_laptop_reads_the_texts_it_writes_many_at_a_time(tmp_path: Path, hub: HubEndpoint) -> None:
    """A laptop that joined before its folder was placed holds the folder's texts in its index; placing the folder
    writes them all, reading them back a few hundred per query (one query per file cost more than the writing)."""
    a = new_laptop(tmp_path, hub, "Laptop-A", founder=True)
    notes = {f"project-{number % 7}/note-{number:04d}.md": f"# note {number}\nkeep it\n" for number in range(1200)}
    for name, text in notes.items():
        edit(a, name, text)
    a.service.sync()
    laptop = Laptop("Laptop-B", tmp_path / "Laptop-B", hub)
    service = UnpluggableService(resolve_home(laptop.home))
    try:
        service.join(hub.url, PASSPHRASE, device_name="Laptop-B")
        service.map_folder(FOLDER, str(laptop.folder(FOLDER)))
        reads: list[str] = []
        service.index.db.set_trace_callback(lambda sql: reads.append(sql) if "FROM content" in sql else None)
        result = service.sync()
        service.index.db.set_trace_callback(None)
        assert result.downloaded == len(notes)
        assert tree(laptop.folder(FOLDER)) == {name: text.encode() for name, text in notes.items()}
        assert 0 < len(reads) <= 2 * -(-len(notes) // SQL_VARIABLES), reads[:3]
    finally:
        close_fleet([a, InProcessLaptop(laptop, service)])
