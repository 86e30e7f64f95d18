"""The sync engine applies an entry only when the roster says its laptop wrote it and may still write.

Laptops are real (the CLI in real processes, a real folder hub); each check runs the engine of one laptop in this
process with a ``Membership`` and signers made here, so what is tested is the engine's side of the roster (the
roster itself is memtray/membership/roster.py's). The attacker holds the vault key and writes to the hub directly.
Each test fails when the check it covers is removed (verified in a copy of the code).
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import time
import types
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from memtray.errors import IntegrityError, MembershipError
from memtray.hubs.keys import log_key
from memtray.membership.laptop_key import LaptopKey, LaptopSigner
from memtray.membership.view import MemberRecord, Membership
from memtray.model import SyncResult
from memtray.sync.engine import SyncContext, SyncEngine
from memtray.sync.entry import (
    SIGNATURE_MARKER,
    FileChange,
    LogEntry,
    encode,
    entry_hash,
    open_entry,
    seal_entry,
)
from memtray.sync.osrules import current_rules
from memtray.sync.reconcile import ConflictPolicy
from memtray.sync.records import FileVersion
from memtray.vault.envelope import key_generation_of, object_aad, open_sealed, seal
from memtray.vault.epochs import EpochKeys
from memtray.vault.keys import VaultKeys
from tests.servers import HubEndpoint
from tests.support.laptops import REPO, Laptop, device_id, opened, paired, tree
from tests.support.previous_release import PREVIOUS_RELEASE

MakeLaptop = Callable[[str, HubEndpoint], Laptop]
FILES = {"keep.md": "original\n", "other.md": "untouched\n"}


def epoch_keys(laptop: Laptop) -> EpochKeys:
    with opened(laptop) as service:
        return service.epoch_keys()


def log_seqs(hub: HubEndpoint, device: str) -> list[int]:
    return sorted(int(key.rsplit("/", 1)[1], 16) for key in hub.raw.keys(f"log/{device}/"))


def sync_engine(
    laptop: Laptop, membership: Membership, signer: LaptopSigner | None = None, keys: EpochKeys | None = None
) -> SyncResult:
    """One sync of ``laptop`` by the engine itself, with this roster view, signer and keys."""
    with opened(laptop) as service:
        config = service.config
        context = SyncContext(
            hub=service.hub(),
            index=service.index,
            me=config.device_id,
            device_name=config.device_name,
            folder_roots={folder: Path(path) for folder, path in config.folder_paths.items()},
            policy=ConflictPolicy(config.setting("conflict_policy")),
            rules=current_rules(),
            keys=(lambda: keys) if keys is not None else service.epoch_keys,
            membership=lambda: membership,
            signer=signer,
        )
        return SyncEngine(context).run()


def member(
    laptop_id: str, name: str, key: LaptopKey, first_signed_seq: int, removed_after: int | None = None
) -> MemberRecord:
    public = key.public()
    return MemberRecord(laptop_id, name, public.sign, public.agree, first_signed_seq, removed_after)


def local_state(laptop: Laptop) -> tuple[object, ...]:
    """The folder's files and what the index says about files, folders, cursors and this laptop's own log."""
    with closing(sqlite3.connect(laptop.home / "data" / "index.sqlite3")) as db:
        rows = tuple(
            db.execute(query).fetchall()
            for query in (
                "SELECT * FROM files ORDER BY folder, path",
                "SELECT * FROM folders ORDER BY id",
                "SELECT * FROM cursors ORDER BY device",
                "SELECT key, value FROM meta WHERE key IN ('seq', 'hash') ORDER BY key",
            )
        )
    return (tree(laptop.folder()), *rows)


def cursor_of(laptop: Laptop, device: str) -> int:
    with closing(sqlite3.connect(laptop.home / "data" / "index.sqlite3")) as db:
        row = db.execute("SELECT seq FROM cursors WHERE device = ?", (device,)).fetchone()
    return int(row[0]) if row else 0


def following(hub: HubEndpoint, keys: EpochKeys, device: str, **fields: object) -> LogEntry:
    """An entry that follows on from ``device``'s newest one on the hub, with ``fields`` changed."""
    seq = log_seqs(hub, device)[-1]
    sealed = hub.raw.read(log_key(device, seq))
    newest = open_entry(keys, sealed, device, seq)
    base = replace(newest, seq=seq + 1, prev=entry_hash(sealed), time=time.time(), folders=[], changes=[])
    return replace(base, **fields)


def edit(laptop: Laptop, device: str, path: str, text: bytes) -> FileChange:
    """A change by ``device`` that replaces ``path`` (in folder 'memory') with ``text``, as ``laptop`` knows it."""
    with opened(laptop) as service:
        folder = next(iter(service.config.folder_paths))
        row = service.index.file(folder, path)
    assert row is not None
    vv = {**row.version.vv, device: row.version.vv.get(device, 0) + 1}
    sha = hashlib.sha256(text).hexdigest()
    version = replace(row.version, vv=vv, sha=sha, size=len(text), mtime=time.time(), origin=device, blob=None)
    return FileChange(version, text)


def write(hub: HubEndpoint, keys: EpochKeys, entry: LogEntry, signer: LaptopSigner | None) -> str:
    """Put ``entry`` on the hub in its slot, sealed under the current epoch; its hub key."""
    epoch, vault_keys = keys.sealing()
    key = log_key(entry.device_id, entry.seq)
    hub.raw.write(key, seal_entry(vault_keys, entry, epoch=epoch, signer=signer))
    return key


class Pair:
    """Laptops A and B of a vault whose roster (made here) holds both, each signing from its next entry on."""

    def __init__(self, make_laptop: MakeLaptop, hub: HubEndpoint) -> None:
        self.hub = hub
        self.a, self.b = paired(make_laptop, hub, FILES)
        self.a.sync()  # A has read all of B's log: the roster made here starts after what the laptops wrote
        self.a_id, self.b_id = device_id(self.a), device_id(self.b)
        self.keys = epoch_keys(self.a)
        self.a_key, self.b_key = LaptopKey.generate(), LaptopKey.generate()
        self.a_signer = LaptopSigner(self.a_id, self.a_key)
        self.a_first = log_seqs(hub, self.a_id)[-1] + 1
        self.b_first = log_seqs(hub, self.b_id)[-1] + 1

    def roster(self, *, a_removed_after: int | None = None, strict: bool = False) -> Membership:
        members = {
            self.a_id: member(self.a_id, "Laptop-A", self.a_key, self.a_first, a_removed_after),
            self.b_id: member(self.b_id, "Laptop-B", self.b_key, self.b_first),
        }
        return Membership(members, strict or a_removed_after is not None)

    def a_writes(self, text: str) -> int:
        """A edits keep.md and syncs, signing its entry; the entry's sequence number."""
        (self.a.folder() / "keep.md").write_text(text)
        sync_engine(self.a, self.roster(), self.a_signer)
        return log_seqs(self.hub, self.a_id)[-1]


@pytest.mark.parametrize("forger", ["another member", "nobody"])
def test_an_entry_in_a_laptops_log_not_signed_by_it_is_refused(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop, forger: str
):
    """B holds the vault key and a member's key of its own: an entry it writes into A's log, signed with its key
    (or not signed at all), is refused by B's engine and by A's own, naming the object; nothing local changes."""
    pair = Pair(make_laptop, folder_hub)
    pair.a_writes("signed by A\n")
    assert sync_engine(pair.b, pair.roster()).downloaded == 1, "an entry A really signed is applied"
    assert (pair.b.folder() / "keep.md").read_text() == "signed by A\n"

    signer = LaptopSigner(pair.a_id, pair.b_key) if forger == "another member" else None
    change = edit(pair.b, pair.a_id, "keep.md", b"FORGED in A's name\n")
    key = write(folder_hub, pair.keys, following(folder_hub, pair.keys, pair.a_id, changes=[change]), signer)
    for victim in (pair.b, pair.a):
        before = local_state(victim)
        with pytest.raises(MembershipError) as caught:
            sync_engine(victim, pair.roster(), pair.a_signer if victim is pair.a else None)
        message = caught.value.message
        assert key in message and "Nothing on this laptop was changed." in message, message
        assert local_state(victim) == before, f"{victim.name} changed something although the entry was refused"
    assert (pair.b.folder() / "keep.md").read_text() == "signed by A\n"


def test_a_removed_laptops_entries_after_its_removal_are_not_applied(folder_hub: HubEndpoint, make_laptop: MakeLaptop):
    """A is removed after its entry ``last``: that one is applied, the next is not (and the ack it carries of an
    entry the hub never had is ignored), the cursor stays at ``last``, and the result says so once."""
    pair = Pair(make_laptop, folder_hub)
    last = pair.a_writes("before the removal\n")
    change = edit(pair.a, pair.a_id, "keep.md", b"after the removal\n")
    claims = {pair.b_id: 1000}
    after = following(folder_hub, pair.keys, pair.a_id, changes=[change], acks=claims)
    write(folder_hub, pair.keys, after, pair.a_signer)

    removed = pair.roster(a_removed_after=last)
    result = sync_engine(pair.b, removed)
    assert (pair.b.folder() / "keep.md").read_text() == "before the removal\n"
    assert cursor_of(pair.b, pair.a_id) == last
    assert result.refused == ["Changes from Laptop-A were not applied: it was removed from your synced memory."]
    assert sync_engine(pair.b, removed).refused == [], "the same refusal is told once"
    assert (pair.b.folder() / "keep.md").read_text() == "before the removal\n"
    assert cursor_of(pair.b, pair.a_id) == last


def test_once_a_laptop_was_removed_a_laptop_never_added_is_refused(folder_hub: HubEndpoint, make_laptop: MakeLaptop):
    """A strict roster without A: A's new entries are left unapplied, with a sentence that says what to do."""
    pair = Pair(make_laptop, folder_hub)
    applied = cursor_of(pair.b, pair.a_id)
    pair.a_writes("from a laptop the roster does not have\n")
    b_only = Membership({pair.b_id: member(pair.b_id, "Laptop-B", pair.b_key, pair.b_first)}, strict=True)
    before = local_state(pair.b)
    result = sync_engine(pair.b, b_only)
    assert result.refused == ["Changes from Laptop-A were not applied: it runs an older memtray; update memtray there."]
    assert result.downloaded == 0
    assert local_state(pair.b)[:4] == before[:4], "files, folders and cursors are as they were"
    assert cursor_of(pair.b, pair.a_id) == applied


def test_a_folder_definition_dated_far_ahead_is_refused(folder_hub: HubEndpoint, make_laptop: MakeLaptop):
    """A member rewrites folder 'memory' to exclude nothing and stamps it two days ahead, so it would win over
    every later change: B ignores it and says so. One dated a minute ahead is taken as any other."""
    pair = Pair(make_laptop, folder_hub)
    pair.a_writes("signed by A\n")
    sync_engine(pair.b, pair.roster())
    with opened(pair.b) as service:
        (definition,) = service.index.folder_defs().values()
    ahead = replace(definition, exclude=["*.md"], stamp=(time.time() + 2 * 24 * 3600, pair.a_id))
    write(folder_hub, pair.keys, following(folder_hub, pair.keys, pair.a_id, folders=[ahead]), pair.a_signer)
    folders_before = local_state(pair.b)[2]
    result = sync_engine(pair.b, pair.roster())
    assert result.refused == [
        "A change to the folder 'memory' from Laptop-A was not applied: it is dated more than a day ahead of this "
        "laptop's clock. Check the date and time on both laptops."
    ]
    assert local_state(pair.b)[2] == folders_before
    soon = replace(definition, exclude=["notes/*"], stamp=(time.time() + 60, pair.a_id))
    write(folder_hub, pair.keys, following(folder_hub, pair.keys, pair.a_id, folders=[soon]), pair.a_signer)
    assert sync_engine(pair.b, pair.roster()).refused == []
    with opened(pair.b) as service:
        assert service.index.folder_defs()[definition.folder_id].exclude == ["notes/*"]


def sample_entry(inline: bytes) -> LogEntry:
    device = uuid.uuid4().hex
    sha = hashlib.sha256(inline).hexdigest()
    version = FileVersion("f1", "notes.md", {device: 1}, False, sha, len(inline), 1.0, device)
    return LogEntry(device, 7, "0" * 64, "Laptop-A", "linux", 1.0, {}, [], [FileChange(version, inline)])


@pytest.fixture
def keys() -> VaultKeys:
    return VaultKeys.derive(uuid.uuid4().hex, bytes(range(32)))


def sealed_with_trailer(keys: VaultKeys, entry: LogEntry, trailer: bytes) -> bytes:
    aad = object_aad(keys.vault_id, "log", entry.device_id, entry.seq)
    return seal(keys.log_key, encode(entry) + trailer, aad)


def test_a_signature_trailer_of_the_wrong_shape_is_malformed(keys: VaultKeys):
    entry = sample_entry(b"some notes\n")
    signer = LaptopSigner(entry.device_id, LaptopKey.generate())
    assert open_entry(keys, seal_entry(keys, entry, signer=signer), entry.device_id, entry.seq) == entry
    for trailer in (SIGNATURE_MARKER + bytes(63), SIGNATURE_MARKER + bytes(65), b"MTsig2" + bytes(64), b"\0"):
        with pytest.raises(IntegrityError, match="could not be read"):
            open_entry(keys, sealed_with_trailer(keys, entry, trailer), entry.device_id, entry.seq)


def test_an_unsigned_entry_is_sealed_exactly_as_before(keys: VaultKeys):
    """No signer, epoch 1: the plaintext is the packed entry alone, so laptops on the previous memtray see no
    difference at all."""
    entry = sample_entry(b"some notes\n")
    sealed = seal_entry(keys, entry)
    aad = object_aad(keys.vault_id, "log", entry.device_id, entry.seq)
    assert open_sealed(keys.log_key, sealed, aad) == encode(entry)
    assert key_generation_of(sealed) == 1


def previous_release_entry_module() -> types.ModuleType:
    """memtray/sync/entry.py as the previous release has it, loaded from git history next to today's modules
    (only its decoding is used, and that needs nothing that changed)."""
    try:
        source = subprocess.run(
            ["git", "show", f"{PREVIOUS_RELEASE}:memtray/sync/entry.py"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.fail(f"the previous release is not in this checkout's git history; fetch the full history ({exc})")
    module = types.ModuleType("previous_release_entry")
    sys.modules[module.__name__] = module  # its dataclasses look their module up while they are made
    try:
        exec(compile(source, "previous-release/memtray/sync/entry.py", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    return module


@pytest.mark.parametrize("size", [10, 300_000, 3 * 1024 * 1024 + 17])
def test_the_previous_release_reads_signed_entries(keys: VaultKeys, size: int):
    """Small, multi-chunk and incompressible contents: the previous release's decoder inflates the zlib stream,
    stops at its end and never looks at the signature after it."""
    previous = previous_release_entry_module()
    if size > 1024 * 1024:
        inline = b"".join(hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(size // 32 + 1))[:size]
    else:
        inline = (b"a line of notes that repeats\n" * (size // 29 + 1))[:size]
    entry = sample_entry(inline)
    signer = LaptopSigner(entry.device_id, LaptopKey.generate())
    sealed = seal_entry(keys, entry, signer=signer)
    read_there = previous.open_entry(keys, sealed, entry.device_id, entry.seq)
    assert read_there.changes[0].data == inline
    assert previous.encode(read_there) == previous.encode(entry)


def test_the_previous_release_calls_a_notice_for_older_releases_newer_and_this_one_reads_it(keys: VaultKeys):
    previous = previous_release_entry_module()
    notice = LogEntry(sample_entry(b"x").device_id, 7, "ab" * 32, "", "", 0.0, notice=True)
    sealed = seal_entry(keys, notice, signer=LaptopSigner(notice.device_id, LaptopKey.generate()))
    with pytest.raises(IntegrityError, match="written by a newer memtray"):
        previous.open_entry(keys, sealed, notice.device_id, notice.seq)
    read_here = open_entry(keys, sealed, notice.device_id, notice.seq)
    assert read_here.notice and read_here.prev == "ab" * 32 and not read_here.changes
