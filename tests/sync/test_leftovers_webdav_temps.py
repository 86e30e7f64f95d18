"""A WebDAV storage's hidden temporary objects that killed uploads left go in the daily tidy, against a real Apache
mod_dav server; fresh ones (an upload in progress on another laptop), other hidden files and real objects stay."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from memtray.hubs import open_hub
from memtray.hubs.webdav import HIDDEN_PREFIX, WebDavHub
from memtray.sync.blob_gc import TEMP_GRACE
from tests.servers import FolderRawStore, HubEndpoint
from tests.servers.webdav_apache import webdav_apache_endpoint
from tests.support.laptops import Laptop, device_id

LOG = "log/" + "1" * 32 + "/" + "0" * 15 + "1"


@pytest.fixture
def apache(tmp_path: Path) -> Iterator[HubEndpoint]:
    with webdav_apache_endpoint(tmp_path / "apache") as endpoint:
        yield endpoint


def write_behind(endpoint: HubEndpoint, key: str, age: float) -> Path:
    """``key`` written on the server's disk, last changed ``age`` seconds ago, as a killed upload leaves it."""
    assert isinstance(endpoint.raw, FolderRawStore)
    endpoint.raw.write(key, b"half an upload")
    path = endpoint.raw.root / key
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_stale_temp_objects_go_and_fresh_ones_stay(apache: HubEndpoint) -> None:
    hub = open_hub(apache.url, secret=apache.secret)
    assert isinstance(hub, WebDavHub)
    hub.put_new(LOG, b"an entry")
    stale_age, fresh_age = TEMP_GRACE + 120, TEMP_GRACE - 600
    device = "2" * 32
    stale = [
        write_behind(apache, f"{HIDDEN_PREFIX}probe-killed", stale_age),
        write_behind(apache, f"blob/{HIDDEN_PREFIX}killed", stale_age),
        write_behind(apache, f"log/{device}/{HIDDEN_PREFIX}killed", stale_age),
        write_behind(apache, f"ckpt/{device}/{1:016x}/{HIDDEN_PREFIX}killed", stale_age),
    ]
    kept = [
        write_behind(apache, f"blob/{HIDDEN_PREFIX}uploading", fresh_age),
        write_behind(apache, "blob/.another-programs-file", stale_age),
        write_behind(apache, "blob/" + "3" * 32, stale_age),
    ]
    try:
        assert hub.remove_stale_temps(TEMP_GRACE) == len(stale)
        assert [path for path in stale if path.exists()] == []
        assert [path for path in kept if not path.exists()] == []
        assert hub.get(LOG) == b"an entry"
        assert hub.remove_stale_temps(TEMP_GRACE, time.time() + 10 * TEMP_GRACE) == 0, (
            "a laptop whose clock runs ahead took a fresh upload for a stale one"
        )
        assert kept[0].exists()
    finally:
        hub.close()


def test_a_sync_on_a_webdav_storage_tidies_its_temp_objects(apache: HubEndpoint, tmp_path: Path) -> None:
    laptop = Laptop("Laptop-A", tmp_path / "Laptop-A", apache)
    laptop.init()
    laptop.folder().mkdir()
    (laptop.folder() / "CLAUDE.md").write_text("notes\n")
    laptop.run("folder", "add", "memory", str(laptop.folder()))
    laptop.sync()
    stale = write_behind(apache, f"log/{device_id(laptop)}/{HIDDEN_PREFIX}killed", TEMP_GRACE + 120)
    with laptop.index() as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'last_tidy'", (str(time.time() - 2 * 86400),))
    laptop.sync()
    assert not stale.exists()
