"""A ``memtray sync`` command with nothing to do is answered from the last quiet sync's record, without unlocking
(memtray/sync/quiet.py), and every kind of change still reaches a full sync. Real ``memtray`` processes, a real folder
hub shared by two laptops, a real memtray hub; "without unlocking" is shown by a keychain nobody can reach."""

from __future__ import annotations

import json
import os
import secrets
import stat
import string
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from memtray.model import SyncResult
from memtray.service.projects import SEARCH_EVERY
from memtray.sync.globs import TEMP_PREFIX
from memtray.sync.quiet import NOTHING_DONE, QUIET_FILE, QUIET_FOR
from tests.servers import HubEndpoint, folder_endpoint
from tests.servers.http_hub import http_hub_endpoint
from tests.support.laptops import REPO, Laptop, opened, paired

# No Secret Service and no passphrase: a sync that has to unlock fails; one answered from the record does not.
NO_KEYCHAIN = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/memtray-test-bus", "MEMTRAY_PASSPHRASE": ""}
NOTES = {"CLAUDE.md": "# Memory\n\n- run tests with uv run pytest\n", "notes/build.md": "- make, then make test\n"}


def record_of(laptop: Laptop) -> Path:
    return laptop.home / "data" / QUIET_FILE


def answered_without_unlocking(laptop: Laptop) -> bool:
    done = laptop.run("sync", check=False, extra_env=NO_KEYCHAIN)
    if done.returncode == 0:
        assert done.stdout.strip() == NOTHING_DONE, done.stdout
        return True
    assert "Traceback" not in done.stderr
    return False


def quiet_laptop(laptop: Laptop) -> Laptop:
    """``laptop`` after a sync with nothing to do, which left its record."""
    assert laptop.sync().strip() == NOTHING_DONE
    assert record_of(laptop).exists()
    return laptop


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Laptop, Laptop]:
    hub = folder_endpoint(tmp_path / "hub")

    def make(name: str, endpoint: HubEndpoint) -> Laptop:
        (tmp_path / name).mkdir()
        return Laptop(name, tmp_path / name, endpoint)

    a, b = paired(make, hub, NOTES)
    a.sync()  # hears of B
    return quiet_laptop(a), quiet_laptop(b)


def test_the_summary_is_the_one_a_full_sync_prints() -> None:
    assert SyncResult().summary() == NOTHING_DONE


def test_a_sync_after_a_quiet_one_is_answered_without_the_keychain(pair: tuple[Laptop, Laptop]) -> None:
    a, _ = pair
    before = time.time()
    assert answered_without_unlocking(a)
    assert answered_without_unlocking(a)
    assert a.status()["last_sync"] >= before - 0.01, "the answer stands for a sync: it is the last sync"
    assert stat.S_IMODE(record_of(a).stat().st_mode) == 0o600
    assert a.passphrase not in record_of(a).read_text()
    record_of(a).unlink()
    assert not answered_without_unlocking(a), "without the record, the same command has to unlock"


Change = Callable[[Laptop, Laptop], None]


def edit_here(a: Laptop, _: Laptop) -> None:
    (a.folder() / "CLAUDE.md").write_text(NOTES["CLAUDE.md"] + "- edited on A\n")


def edit_in_place_same_size(a: Laptop, _: Laptop) -> None:
    """Another text of the same length, written into the same file (same inode), dated a minute earlier (so only the
    walk's digest can tell, not the rule for files modified close to the last scan)."""
    path = a.folder() / "notes" / "build.md"
    before = path.stat()
    with path.open("r+") as stream:
        stream.write("- mAke, then make test\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns - 60_000_000_000))


def new_file_here(a: Laptop, _: Laptop) -> None:
    (a.folder() / "notes" / "new.md").write_text("- a new note\n")


def delete_here(a: Laptop, _: Laptop) -> None:
    (a.folder() / "notes" / "build.md").unlink()


def edit_on_the_other_laptop(_: Laptop, b: Laptop) -> None:
    (b.folder() / "CLAUDE.md").write_text(NOTES["CLAUDE.md"] + "- edited on B\n")
    b.sync()


def change_a_setting(a: Laptop, _: Laptop) -> None:
    a.run("settings", "interval_minutes", "7")


@pytest.mark.parametrize(
    ("change", "first_line"),
    [
        (edit_here, "Synced: 1 sent."),
        (edit_in_place_same_size, "Synced: 1 sent."),
        (new_file_here, "Synced: 1 sent."),
        (delete_here, "Synced: 1 sent."),
        (edit_on_the_other_laptop, "Synced: 1 received."),
        (change_a_setting, NOTHING_DONE),
    ],
)
def test_every_change_is_left_to_a_full_sync(pair: tuple[Laptop, Laptop], change: Change, first_line: str) -> None:
    a, b = pair
    change(a, b)
    assert not answered_without_unlocking(a)
    assert a.sync().splitlines()[0] == first_line


def test_a_folder_edited_in_the_app_goes_out_with_the_next_command(pair: tuple[Laptop, Laptop]) -> None:
    """Which files a folder syncs is kept in the index, not the config: changing it forgets the record."""
    a, b = pair
    with opened(a) as service:
        service.edit_folder("memory", exclude=["notes/**"])
    assert not answered_without_unlocking(a)
    a.sync()
    b.sync()
    (memory,) = json.loads(b.run("folder", "list", "--json").stdout)
    assert memory["exclude"] == ["notes/**"]


def test_a_file_changed_too_close_to_the_last_scan_is_read_again(pair: tuple[Laptop, Laptop]) -> None:
    """On a file system with coarse timestamps a file can change twice within one mtime: a stat taken that close
    to the recorded scan proves nothing, so the check reads the file, as the full sync's scan would."""
    a, b = pair
    path = a.folder() / "notes" / "build.md"
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000_000))  # "now" for the next scans
    assert a.sync().strip() == NOTHING_DONE  # the text is unchanged: the file just gets a new stamp
    assert answered_without_unlocking(a), "the file was read: its text is the one the sync saw"
    looked = path.stat()
    with path.open("r+") as stream:
        stream.write("- mAke, then make test\n")
    os.utime(path, ns=(looked.st_atime_ns, looked.st_mtime_ns))
    assert path.stat().st_ino == looked.st_ino and path.stat().st_size == looked.st_size
    assert not answered_without_unlocking(a)
    assert a.sync().strip() == "Synced: 1 sent."
    b.sync()
    assert (b.folder() / "notes" / "build.md").read_text() == "- mAke, then make test\n"


def test_a_write_under_way_is_left_alone(pair: tuple[Laptop, Laptop]) -> None:
    """The check holds no lock: a temp file may be a sync's write in progress (the running app's, say). It is never
    removed by the check, and the full sync, under the lock, tidies it away."""
    a, _ = pair
    in_flight = a.folder() / "notes" / f"{TEMP_PREFIX}0123456789abcdef"
    in_flight.write_text("- half a note")
    assert not answered_without_unlocking(a)
    assert in_flight.exists()
    assert a.sync().strip() == NOTHING_DONE
    assert not in_flight.exists()


def test_a_record_answers_for_five_minutes_at_most(pair: tuple[Laptop, Laptop]) -> None:
    """As often as a full sync searches for a parked project's checkout."""
    a, _ = pair
    fields = json.loads(record_of(a).read_text())
    assert QUIET_FOR == SEARCH_EVERY
    assert time.time() < fields["until"] <= time.time() + QUIET_FOR
    fields["until"] = time.time() - 1
    record_of(a).write_text(json.dumps(fields))
    assert not answered_without_unlocking(a)
    fields["at"], fields["until"] = time.time() + 3600, time.time() + 4000  # as if the clock was set back an hour
    record_of(a).write_text(json.dumps(fields))
    assert not answered_without_unlocking(a)


def test_a_missing_hub_folder_gets_the_full_sync_and_its_words(pair: tuple[Laptop, Laptop], tmp_path: Path) -> None:
    a, _ = pair
    (tmp_path / "hub").rename(tmp_path / "hub-unplugged")
    done = a.run("sync", check=False)
    assert done.returncode != 0 and "is not there" in done.stderr, done.stderr


def test_held_back_files_are_told_at_every_sync(pair: tuple[Laptop, Laptop]) -> None:
    a, _ = pair
    key = "gh" + "p_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(36))
    (a.folder() / "CLAUDE.md").write_text(NOTES["CLAUDE.md"] + f"- token {key}\n")
    for _ in range(2):
        synced = a.run("sync")
        assert "held back: memory/CLAUDE.md" in synced.stderr
        assert key not in synced.stdout + synced.stderr
    assert not record_of(a).exists()


def test_only_a_folder_hub_is_answered_for(tmp_path: Path) -> None:
    """Listing the other hubs takes their credential from the keychain, which the quick answer is there to avoid."""
    with http_hub_endpoint(tmp_path / "server") as endpoint:
        laptop = Laptop("Laptop-A", tmp_path / "a", endpoint)
        laptop.root.mkdir()
        laptop.init()
        laptop.folder().mkdir()
        (laptop.folder() / "CLAUDE.md").write_text(NOTES["CLAUDE.md"])
        laptop.run("folder", "add", "memory", str(laptop.folder()))
        laptop.sync()
        assert laptop.sync().strip() == NOTHING_DONE
        assert not record_of(laptop).exists()


def test_a_watching_sync_forgets_the_record(pair: tuple[Laptop, Laptop]) -> None:
    """``sync --watch`` looks at what its watcher reports: it leaves no record, and forgets the one it found."""
    a, _ = pair
    env = {**os.environ, "PYTHONPATH": str(REPO), "MEMTRAY_PASSPHRASE": a.passphrase}
    command = [sys.executable, "-m", "memtray", "--home", str(a.home), "sync", "--watch"]
    watcher = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while record_of(a).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # its first sync done, and the next ones too: still no record
        assert watcher.poll() is None
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
    assert not record_of(a).exists()
    assert not answered_without_unlocking(a)
