"""Bugs the proofs found, each pinned by the smallest test that showed it."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from memtray.errors import HubFullError, IntegrityError
from memtray.paths import resolve_home
from memtray.service import Service
from tests.prove.crash_trials import check_trial, count_files, killed_sync, make_template, pair, timed_sync
from tests.prove.fleet import FOLDER, assert_converged, close_fleet, make_fleet
from tests.servers import folder_endpoint
from tests.support.disks import tiny_disk
from tests.support.laptops import PASSPHRASE, tree


def test_a_torn_blob_stops_the_sync_before_any_local_write(tmp_path: Path):
    """Found by test_faulty_hub: blobs were fetched while writing, so a torn one left half a sync on disk."""
    hub, (a, b) = make_fleet(tmp_path, 2)
    try:
        for name in ("a.md", "z.md"):
            (a.folder / name).write_text(f"{name} from A\n")
        (a.folder / "m.bin").write_bytes(os.urandom(600 * 1024))
        a.sync()
        (blob,) = hub.raw.keys("blob/")
        complete = hub.raw.read(blob)
        hub.raw.write(blob, complete[: len(complete) // 2])
        with pytest.raises(IntegrityError, match="did not use it"):
            b.service.sync()
        assert tree(b.folder) == {}
        hub.raw.write(blob, complete)
        assert_converged(hub, [a, b])
    finally:
        close_fleet([a, b])


def test_a_large_version_that_never_reached_a_full_hub_stays_recoverable(tmp_path: Path):
    """Found by test_faulty_hub: a large file's unsent version kept no content, so a later edit lost it."""
    with tiny_disk(tmp_path / "tiny", "256k") as disk:
        hub = folder_endpoint(disk / "hub")
        service = Service(resolve_home(tmp_path / "home"))
        try:
            service.init(hub.url, PASSPHRASE, device_name="Laptop-A")
            folder = tmp_path / FOLDER
            folder.mkdir()
            service.add_folder(FOLDER, str(folder))
            service.sync()
            first = os.urandom(600 * 1024)
            (folder / "big.bin").write_bytes(first)
            with pytest.raises(HubFullError, match="is full"):
                service.sync()
            (folder / "big.bin").write_bytes(os.urandom(600 * 1024))
            with pytest.raises(HubFullError):
                service.sync()
            history = service.history.versions(FOLDER, "big.bin")
            texts = {service.history.read_version(version.version_id) for version in history}
            assert first in texts
        finally:
            service.close()


def test_a_sync_killed_while_writing_resumes_without_sending_back_what_it_received(tmp_path: Path):
    """Found by the crash trials: files written before the kill looked like local edits and were sent again."""
    template = tmp_path / "template"
    make_template(template, small=400, large=0, large_mb=0)
    a, b, hub = pair(tmp_path / "trial")
    shutil.copytree(template, a.folder(FOLDER), dirs_exist_ok=True)
    expected = tree(a.folder(FOLDER))
    timed_sync(a)
    kill = killed_sync(b, 120, ready=lambda: count_files(b.folder(FOLDER)) >= 20)
    assert not kill.finished_first
    assert 20 <= len(tree(b.folder(FOLDER))) < len(expected)
    timed_sync(b)
    timed_sync(a)
    assert check_trial(a, b, hub, expected) == 0


@contextmanager
def coarse_clock_disk(mount_point: Path) -> Iterator[Path]:
    """A real file system whose timestamps have whole-second resolution (ext2 with 128-byte inodes, as on
    FAT, HFS+ or ext3): a file can change twice within a second and keep its size and mtime."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a file system image needs root on Linux (CI runs as root)")
    if shutil.which("mkfs.ext2") is None:
        pytest.skip("mkfs.ext2 is missing (apt-get install e2fsprogs)")
    image = mount_point.with_suffix(".img")
    mount_point.mkdir(parents=True)
    subprocess.run(["truncate", "-s", "8M", str(image)], check=True)
    subprocess.run(["mkfs.ext2", "-q", "-F", "-I", "128", str(image)], check=True, capture_output=True)
    subprocess.run(["mount", "-o", "loop", str(image), str(mount_point)], check=True, capture_output=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_an_edit_in_the_same_second_as_memtray_wrote_the_file_is_sent(tmp_path: Path):
    """Found by review, shown on a real one-second file system: a same-size edit within the second memtray wrote
    the file kept size, mtime and inode, so the scan skipped it and the next update from another laptop
    overwrote it."""
    _, (a, b) = make_fleet(tmp_path, 2)
    try:
        with coarse_clock_disk(tmp_path / "coarse") as disk:
            b.service.map_folder(FOLDER, str(disk / FOLDER))
            target = disk / FOLDER / "note.md"
            for attempt in range(10):
                (a.folder / "note.md").write_text(f"v{attempt:02d}\n")
                a.service.sync()
                b.service.sync()
                written = target.stat()
                target.write_text("ab!\n")
                edited = target.stat()
                if (written.st_mtime_ns, written.st_size) == (edited.st_mtime_ns, edited.st_size):
                    break
            else:
                pytest.fail("could not edit within the second memtray wrote the file")
            assert b.service.sync().uploaded == 1
            a.service.sync()
            assert (a.folder / "note.md").read_text() == "ab!\n"
            b.service.map_folder(FOLDER, str(b.folder))
    finally:
        close_fleet([a, b])
