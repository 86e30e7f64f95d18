"""Orphan blobs (sent by a push that never sent its entry) and a folder hub's stale temp files are removed, and
nothing another laptop may need ever is: not within the grace, not a blob an entry names, not another laptop's."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from memtray.hubs.folder import FolderHub
from memtray.hubs.keys import blob_key, log_key
from memtray.sync import blob_gc
from memtray.sync.blob_gc import BLOB_GRACE, TEMP_GRACE, UploadedBlobs, collect_orphans, tidy_hub
from tests.servers import HubEndpoint
from tests.servers.kinds import HUB_KINDS
from tests.support.laptops import Laptop, device_id, opened, paired, tree

MakeLaptop = Callable[[str, HubEndpoint], Laptop]
LATER = BLOB_GRACE + 3600
BIG = 600 * 1024


@pytest.fixture
def memtray_hub(tmp_path: Path) -> Iterator[HubEndpoint]:
    with HUB_KINDS["memtray-hub"](tmp_path / "server") as endpoint:
        yield endpoint


def blobs(hub: HubEndpoint) -> set[str]:
    return {key.removeprefix("blob/") for key in hub.raw.keys("blob/")}


def collect(laptop: Laptop, after: float) -> int:
    with opened(laptop) as service:
        return collect_orphans(
            service.hub(), service.index, service.epoch_keys, service.config.device_id, now=time.time() + after
        )


def killed_push(a: Laptop, hub: HubEndpoint) -> None:
    """A push whose blob reached the folder hub but whose entry could not be written (a folder sits where the entry
    goes), as when a sync is killed between the two."""
    with a.index() as db:
        seq = int(db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0])
    blocker = Path(hub.raw.root, *log_key(device_id(a), seq + 1).split("/"))  # type: ignore[attr-defined]
    blocker.mkdir(parents=True)
    assert a.run("sync", check=False).returncode != 0
    blocker.rmdir()


def test_an_orphan_is_deleted_after_the_grace_and_nothing_else(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop
) -> None:
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "small\n"})
    (a.folder() / "first.bin").write_bytes(os.urandom(BIG))
    a.sync()
    published = blobs(folder_hub)
    (a.folder() / "second.bin").write_bytes(os.urandom(BIG))
    killed_push(a, folder_hub)
    orphans = blobs(folder_hub) - published
    assert len(orphans) == 1
    a.sync()  # sends second.bin again, in a new blob
    assert len(blobs(folder_hub)) == 3

    assert collect(a, after=0) == 0, "within the grace a blob is never touched"
    assert collect(b, after=LATER) == 0, "a laptop deletes only blobs it sent itself"
    assert collect(a, after=LATER) == 1
    assert orphans.isdisjoint(blobs(folder_hub)) and len(blobs(folder_hub)) == 2
    with opened(a) as service:
        assert UploadedBlobs(service.index).all() == []

    b.sync()
    c = make_laptop("Laptop-C", folder_hub)
    c.join_from(a)
    c.run("folder", "map", "memory", str(c.folder()))
    c.sync()
    assert tree(c.folder()) == tree(a.folder()) == tree(b.folder())


@pytest.mark.parametrize("index_caught_up", [True, False], ids=["index-recorded", "index-lost-the-entry"])
def test_a_blob_an_entry_names_is_kept_even_if_its_record_stayed(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop, index_caught_up: bool
) -> None:
    """As after a sync killed once its entry was on the hub but before the index noted it (adopted next time)."""
    a, _ = paired(make_laptop, folder_hub, {"CLAUDE.md": "small\n"})
    (a.folder() / "named.bin").write_bytes(os.urandom(BIG))
    a.sync()
    (named,) = blobs(folder_hub)
    with a.index() as db:
        seq = int(db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0])
        db.execute("UPDATE files SET blob = NULL")
        db.execute("UPDATE versions SET blob = NULL")
        if not index_caught_up:
            db.execute("UPDATE meta SET value = ? WHERE key = 'seq'", (str(seq - 1),))
    with opened(a) as service:
        UploadedBlobs(service.index).note(named, device_id(a), seq - 1, now=time.time() - LATER)
    assert collect(a, after=0) == 0
    assert blobs(folder_hub) == {named}
    with opened(a) as service:
        assert UploadedBlobs(service.index).all() == ([] if index_caught_up else [named])


def test_a_record_of_an_identity_this_laptop_left_deletes_nothing(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop
) -> None:
    a, _ = paired(make_laptop, folder_hub, {"CLAUDE.md": "small\n"})
    folder_hub.raw.write("blob/" + "e" * 32, b"sealed under an old identity")
    with opened(a) as service:
        UploadedBlobs(service.index).note("e" * 32, "0" * 32, 0, now=time.time() - LATER)
    assert collect(a, after=0) == 0
    assert blobs(folder_hub) == {"e" * 32}
    with opened(a) as service:
        assert UploadedBlobs(service.index).all() == []


def test_the_memtray_hub_lets_a_laptop_delete_only_its_own_orphans(
    memtray_hub: HubEndpoint, make_laptop: MakeLaptop
) -> None:
    a, b = paired(make_laptop, memtray_hub, {"CLAUDE.md": "small\n"})
    mine, theirs = "a" * 32, "b" * 32
    with opened(a) as service:
        service.hub().put_new(blob_key(mine), b"sealed, never named")
        UploadedBlobs(service.index).note(mine, device_id(a), 0, now=time.time() - LATER)
    with opened(b) as service:
        service.hub().put_new(blob_key(theirs), b"B's own, never named")
        # A forged record in A's index naming B's blob: the server still refuses to let A delete it.
        with opened(a) as a_service:
            UploadedBlobs(a_service.index).note(theirs, device_id(a), 0, now=time.time() - LATER)
    with opened(a) as service:
        tidied = tidy_hub(service.hub(), service.index, service.epoch_keys, device_id(a), now=time.time())
    assert tidied.orphan_blobs == 0, "the refusal stops the clean-up, which the log tells"
    assert blobs(memtray_hub) == {theirs}, "A's own orphan went, B's blob stayed"
    with opened(a) as service:
        assert UploadedBlobs(service.index).all() == [theirs]
    a.sync()
    b.sync()


def test_stale_temp_files_go_and_fresh_ones_and_links_stay(tmp_path: Path) -> None:
    root = tmp_path / "hub"
    hub = FolderHub(str(root))
    hub.create_root()
    hub.put_new("log/" + "1" * 32 + "/" + "0" * 15 + "1", b"an entry")
    outside = tmp_path / "outside.txt"
    outside.write_text("not the hub's")
    stale = [root / "blob" / ".tmp-killed", root / "log" / ("1" * 32) / ".tmp-killed"]
    fresh = root / "blob" / ".tmp-writing"
    for path in [*stale, fresh]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    link = root / "blob" / ".tmp-link"
    link.symlink_to(outside)
    old = time.time() - TEMP_GRACE - 60
    for path in stale:
        os.utime(path, (old, old))
    os.utime(link, (old, old), follow_symlinks=False)
    os.utime(outside, (old, old))

    assert blob_gc.remove_stale_temps(hub) == 2
    assert not any(path.exists() for path in stale)
    assert fresh.exists() and link.is_symlink() and outside.exists()
    assert hub.list("log/") == ["log/" + "1" * 32 + "/" + "0" * 15 + "1"]
    shutil.rmtree(root)


def test_a_sync_tidies_the_hub_once_a_day(folder_hub: HubEndpoint, make_laptop: MakeLaptop) -> None:
    a, _ = paired(make_laptop, folder_hub, {"CLAUDE.md": "small\n"})
    (a.folder() / "big.bin").write_bytes(os.urandom(BIG))
    killed_push(a, folder_hub)
    (orphan,) = blobs(folder_hub)
    stale = Path(folder_hub.raw.root) / "blob" / ".tmp-killed"  # type: ignore[attr-defined]
    stale.write_bytes(b"half")
    old = time.time() - LATER
    os.utime(stale, (old, old))
    with a.index() as db:
        db.execute("UPDATE uploaded_blobs SET uploaded = ?", (old,))
        db.execute("UPDATE meta SET value = ? WHERE key = 'last_tidy'", (str(time.time()),))
    a.sync()
    assert orphan in blobs(folder_hub) and stale.exists(), "tidied at most once a day"
    with a.index() as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'last_tidy'", (str(old),))
    a.sync()
    assert orphan not in blobs(folder_hub) and len(blobs(folder_hub)) == 1
    assert not stale.exists()
