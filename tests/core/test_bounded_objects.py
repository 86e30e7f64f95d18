"""Hostile objects in a real folder hub end a real sync quickly, in bounded memory, naming the object.

A 2 GiB sparse file, a FIFO or a link to /dev/zero where a log entry or blob belongs, and compression
bombs sealed with the real vault key (so they pass authentication): each sync of the receiving laptop
must stop within seconds with an error naming the hub object, with a peak RSS (measured with
``wait4`` on the real ``memtray`` process) under 300 MB, and with no local file changed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from memtray.errors import HubPayloadTooLargeError, IntegrityError, ObjectTooLargeError
from memtray.hubs.keys import blob_key, log_key
from memtray.membership.laptop_key import LaptopSigner
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.sync import entry as entry_module
from memtray.sync.entry import FileChange, LogEntry, open_blob, seal_blob, seal_entry
from memtray.sync.records import FileVersion
from memtray.vault.envelope import object_aad, seal
from memtray.vault.keys import VaultKeys
from tests.servers import folder_endpoint
from tests.support.laptops import REPO, Laptop, paired, tree

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, /dev/zero and posix_spawn are POSIX")

# The issue asks for under 300 MB. A plain sync peaks near 50 MB and every hostile case here under 120 MB;
# 200 MB still fails a bomb that may grow to the per-kind caps (240-256 MiB) instead of the ratio.
PEAK_RSS_MB = 200
SYNC_DEADLINE = 60.0
BOMB_MEGABYTES = 1024
SPARSE_SIZE = 2 * 1024 * 1024 * 1024
ZEROS = bytes(1024 * 1024)


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    peak_mb: float
    seconds: float


# A small process starts the one measured and reports its peak RSS: the kernel carries the RSS high-water
# mark of the process that starts a program into the program, so started from pytest it would count pytest's.
LAUNCHER = """
import os, sys
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], dict(os.environ))
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(f"{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_measured(command: list[str], env: dict[str, str], deadline: float = SYNC_DEADLINE) -> Measured:
    """Run ``command`` to its end (killed after ``deadline``) and report its own peak RSS, taken from ``wait4``."""
    with tempfile.TemporaryDirectory() as scratch:
        report, out, err = (Path(scratch) / name for name in ("report", "out", "err"))
        started = time.monotonic()
        with open(out, "w") as stdout, open(err, "w") as stderr:
            launcher = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, str(report), *command],
                stdout=stdout,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
            try:
                launcher.wait(timeout=deadline)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)
                launcher.wait()
        seconds = time.monotonic() - started
        if not report.exists():
            return Measured(-signal.SIGKILL, out.read_text(), err.read_text(), math.inf, seconds)
        peak_kib, returncode = (int(field) for field in report.read_text().split())
        return Measured(returncode, out.read_text(), err.read_text(), peak_kib / 1024, seconds)


def laptop_env(laptop: Laptop) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "MEMTRAY_PASSPHRASE": laptop.passphrase}


def zlib_bomb(prefix: bytes, megabytes: int, *, gzip: bool = False) -> bytes:
    """A zlib (or gzip) stream of ``prefix`` then ``megabytes`` MiB of zeros, about 1 KB per MiB.

    After a full flush the compressor's state is reset, so every further MiB of zeros packs to the same
    bytes: the stream is built by repeating them, closed with an empty final block and its checksum.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, 31 if gzip else 15)
    first = packer.compress(prefix + ZEROS) + packer.flush(zlib.Z_FULL_FLUSH)
    piece = packer.compress(ZEROS) + packer.flush(zlib.Z_FULL_FLUSH)
    check = zlib.crc32(prefix) if gzip else zlib.adler32(prefix)
    for _ in range(megabytes):
        check = zlib.crc32(ZEROS, check) if gzip else zlib.adler32(ZEROS, check)
    size = len(prefix) + megabytes * len(ZEROS)
    trailer = struct.pack("<II", check, size & 0xFFFFFFFF) if gzip else struct.pack(">I", check)
    return first + piece * (megabytes - 1) + b"\x03\x00" + trailer


@dataclass
class Pair:
    a: Laptop
    b: Laptop
    hub_root: Path
    keys: VaultKeys
    device_a: str
    folder_id: str
    seq: int
    prev: str
    signer: LaptopSigner | None

    @property
    def next_entry(self) -> str:
        return log_key(self.device_a, self.seq + 1)

    def path(self, key: str) -> Path:
        return self.hub_root.joinpath(*key.split("/"))

    def seal_blob_entry(self, blob_id: str) -> bytes:
        """A genuine next entry of laptop A (signed with its key) announcing a new file whose content is the blob
        ``blob_id``."""
        version = FileVersion(
            self.folder_id, "large.md", {self.device_a: 1}, False, "0" * 64, 1, time.time(), self.device_a, blob=blob_id
        )
        entry = LogEntry(
            self.device_a, self.seq + 1, self.prev, "Laptop-A", "linux", time.time(), {}, [], [FileChange(version)]
        )
        return seal_entry(self.keys, entry, signer=self.signer)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("bounded")
    hub = folder_endpoint(root / "hub")

    def make(name: str, endpoint: object) -> Laptop:
        (root / name).mkdir()
        return Laptop(name, root / name, hub)

    a, b = paired(make, hub, {"notes.md": "kept\n", "sub/deep.md": "also kept\n"})
    service = Service(resolve_home(a.home))
    try:
        keys = service.vault_keys()
        device_a = json.loads((a.home / "config" / "config.json").read_text())["device_id"]
        folder_id = service.folders()[0].folder_id
        seq = int(service.index.get_meta("seq") or 0)
        prev = service.index.get_meta("hash") or ""
        signer = service.members.signer()
    finally:
        service.close()
    yield Pair(a, b, root / "hub", keys, device_a, folder_id, seq, prev, signer)


@pytest.fixture(scope="module")
def zero_bomb() -> bytes:
    """A zlib stream that expands to 1 GiB of zeros."""
    return zlib_bomb(b"", BOMB_MEGABYTES)


def _sparse(path: Path) -> None:
    with open(path, "wb") as stream:
        stream.truncate(SPARSE_SIZE)


def _entry_bomb(pair: Pair) -> bytes:
    """A sealed next entry of A whose header is sound and whose one inline file unpacks to 1 GiB."""
    header = {
        "v": 1,
        "device": pair.device_a,
        "seq": pair.seq + 1,
        "prev": pair.prev,
        "name": "Laptop-A",
        "platform": "linux",
        "time": time.time(),
        "acks": {},
        "folders": [],
        "changes": [
            {
                "f": pair.folder_id,
                "p": "bomb.md",
                "vv": {pair.device_a: 1},
                "del": False,
                "h": "0" * 64,
                "n": BOMB_MEGABYTES * len(ZEROS),
                "m": time.time(),
                "o": pair.device_a,
                "r": False,
                "b": None,
                "off": 0,
                "len": BOMB_MEGABYTES * len(ZEROS),
            }
        ],
    }
    header_bytes = json.dumps(header).encode()
    packed = zlib_bomb(struct.pack(">I", len(header_bytes)) + header_bytes, BOMB_MEGABYTES)
    return seal(pair.keys.log_key, packed, object_aad(pair.keys.vault_id, "log", pair.device_a, pair.seq + 1))


Plant = Callable[[Pair, bytes], list[str]]


def plant_sparse_entry(pair: Pair, bomb: bytes) -> list[str]:
    _sparse(pair.path(pair.next_entry))
    return [pair.next_entry]


def plant_fifo_entry(pair: Pair, bomb: bytes) -> list[str]:
    os.mkfifo(pair.path(pair.next_entry))
    return [pair.next_entry]


def plant_dev_zero_entry(pair: Pair, bomb: bytes) -> list[str]:
    os.symlink("/dev/zero", pair.path(pair.next_entry))
    return [pair.next_entry]


def plant_bomb_entry(pair: Pair, bomb: bytes) -> list[str]:
    pair.path(pair.next_entry).write_bytes(_entry_bomb(pair))
    return [pair.next_entry]


def _with_blob(pair: Pair, place: Callable[[Path, str], None]) -> list[str]:
    blob_id = uuid.uuid4().hex
    pair.path(pair.next_entry).write_bytes(pair.seal_blob_entry(blob_id))
    pair.path(blob_key(blob_id)).parent.mkdir(parents=True, exist_ok=True)
    place(pair.path(blob_key(blob_id)), blob_id)
    return [blob_key(blob_id), pair.next_entry]


def plant_sparse_blob(pair: Pair, bomb: bytes) -> list[str]:
    return _with_blob(pair, lambda path, _: _sparse(path))


def plant_dev_zero_blob(pair: Pair, bomb: bytes) -> list[str]:
    return _with_blob(pair, lambda path, _: os.symlink("/dev/zero", path))


def plant_bomb_blob(pair: Pair, bomb: bytes) -> list[str]:
    def place(path: Path, blob_id: str) -> None:
        path.write_bytes(seal(pair.keys.blob_key, bomb, object_aad(pair.keys.vault_id, "blob", blob_id)))

    return _with_blob(pair, place)


TOO_LARGE = "larger than memtray accepts"
NOT_A_FILE = "not an ordinary file"
UNPACKS = "unpacks to more than memtray accepts"
CASES: dict[str, tuple[Plant, str]] = {
    "sparse-2GiB-entry": (plant_sparse_entry, TOO_LARGE),
    "fifo-entry": (plant_fifo_entry, NOT_A_FILE),
    "dev-zero-entry": (plant_dev_zero_entry, NOT_A_FILE),
    "bomb-entry": (plant_bomb_entry, UNPACKS),
    "sparse-2GiB-blob": (plant_sparse_blob, TOO_LARGE),
    "dev-zero-blob": (plant_dev_zero_blob, NOT_A_FILE),
    "bomb-blob": (plant_bomb_blob, UNPACKS),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_object_ends_the_sync_quickly_in_bounded_memory(pair: Pair, zero_bomb: bytes, case: str) -> None:
    plant, words = CASES[case]
    before = tree(pair.b.folder())
    outside = sorted(path.name for path in pair.b.root.iterdir())
    planted = plant(pair, zero_bomb)
    try:
        done = run_measured([sys.executable, "-m", "memtray", "--home", str(pair.b.home), "sync"], laptop_env(pair.b))
    finally:
        for key in planted:
            pair.path(key).unlink()
    assert done.seconds < SYNC_DEADLINE, f"the sync was still running after {done.seconds:.0f} s"
    assert done.returncode != 0, done.stdout
    message = done.stderr.strip()
    assert planted[0] in message, message
    assert words in message, message
    assert "Traceback" not in done.stderr
    assert done.peak_mb < PEAK_RSS_MB, f"peak RSS {done.peak_mb:.0f} MB"
    assert tree(pair.b.folder()) == before
    assert sorted(path.name for path in pair.b.root.iterdir()) == outside


def test_after_the_hostile_objects_are_gone_the_laptops_sync_on(pair: Pair) -> None:
    (pair.a.folder() / "notes.md").write_text("edited after the attacks\n")
    pair.a.sync()
    pair.b.sync()
    assert (pair.b.folder() / "notes.md").read_text() == "edited after the attacks\n"


def test_a_large_highly_compressible_file_still_syncs(pair: Pair) -> None:
    """memtray never writes what it refuses to read: past the unpacking ratio it stores the file uncompressed."""
    data = b"\n" * (24 * 1024 * 1024)
    (pair.a.folder() / "blank.md").write_bytes(data)
    pair.a.sync()
    pair.b.sync()
    assert hashlib.sha256((pair.b.folder() / "blank.md").read_bytes()).digest() == hashlib.sha256(data).digest()


@pytest.fixture
def keys() -> VaultKeys:
    return VaultKeys.derive(uuid.uuid4().hex, os.urandom(32))


def test_unpacking_stops_at_the_cap_for_its_kind(keys: VaultKeys, monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the ratio, the output cap still holds (at its real size it would take 240 MiB to show)."""
    monkeypatch.setitem(entry_module.PLAIN_CAPS, "blob", 1024 * 1024)
    data = os.urandom(1024 * 1024 + 1)
    sealed = seal(keys.blob_key, zlib.compress(data), object_aad(keys.vault_id, "blob", "b1"))
    with pytest.raises(ObjectTooLargeError, match="blob/b1"):
        open_blob(keys, "b1", sealed, hashlib.sha256(data).hexdigest())
    assert open_blob(keys, "b1", seal_blob(keys, "b1", data[:-1]), hashlib.sha256(data[:-1]).hexdigest()) == data[:-1]


def test_a_file_other_laptops_would_refuse_is_never_sealed(keys: VaultKeys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(entry_module.PLAIN_CAPS, "blob", 1024 * 1024)
    with pytest.raises(HubPayloadTooLargeError, match="larger than memtray syncs"):
        seal_blob(keys, "b1", os.urandom(1024 * 1024 + 1))


@pytest.mark.timeout(60)
def test_a_cut_short_or_tampered_blob_is_refused_naming_it(keys: VaultKeys) -> None:
    data = os.urandom(4096)
    aad = object_aad(keys.vault_id, "blob", "b1")
    cut_short = seal(keys.blob_key, zlib.compress(data)[:-100], aad)
    with pytest.raises(IntegrityError, match="blob/b1 could not be read"):
        open_blob(keys, "b1", cut_short, hashlib.sha256(data).hexdigest())
    tampered = bytearray(seal_blob(keys, "b1", data))
    tampered[-1] ^= 1
    with pytest.raises(IntegrityError, match="blob/b1 failed its integrity check"):
        open_blob(keys, "b1", bytes(tampered), hashlib.sha256(data).hexdigest())
