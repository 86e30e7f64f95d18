"""The conflict view tells the truth, on every laptop: real laptops (one service each, in this process) syncing
through a real folder hub.

Both laptops change the same line of CLAUDE.md. On each laptop the conflict shows the text in the file now and
the text set aside (the copy's bytes), each labelled with the laptop that wrote it; each way to resolve writes
exactly the text shown; resolving on one laptop resolves it on the other after its next sync (and removes the
copy there); a laptop that wrote neither text never hears of it; and a log entry whose conflict news is malformed
or oversized is refused like any other malformed entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from memtray.errors import IntegrityError, UsageError
from memtray.hubs.keys import log_key
from memtray.model import ConflictInfo, FileNotice, SyncProgress, SyncResult
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.service.lock import HomeLock
from memtray.sync.entry import (
    CONFLICT_NEWS_MAX,
    SIGNATURE_MARKER,
    LogEntry,
    decode,
    encode,
    entry_message,
    open_entry,
)
from memtray.sync.index import Index
from memtray.sync.publish import INLINE_MAX
from memtray.sync.quiet import QUIET_FILE
from memtray.vault.envelope import object_aad, seal
from tests.servers import FolderRawStore

PASSPHRASE = "correct horse battery staple 42"
BASE = "# Memory\n\n- tests run with pytest\n- use tabs\n"
TEXT = {
    "Laptop A": "# Memory\n\n- tests run with pytest\n- use spaces, four of them\n",
    "Laptop B": "# Memory\n\n- tests run with pytest\n- use tabs, width 8\n",
}
CONFLICTS_DIR = ".memtray-conflicts"


@dataclass
class Laptop:
    name: str
    service: Service
    folder: Path

    @property
    def file(self) -> Path:
        return self.folder / "CLAUDE.md"

    def copies(self) -> dict[str, bytes]:
        place = self.folder / CONFLICTS_DIR
        return {p.relative_to(self.folder).as_posix(): p.read_bytes() for p in place.rglob("*") if p.is_file()}

    def open_conflicts(self) -> list[ConflictInfo]:
        return [conflict for conflict in self.service.conflicts() if not conflict.resolved]

    def device_id(self) -> str:
        return self.service.config.device_id


class Vault:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.hub = root / "hub"
        self.laptops: list[Laptop] = []

    def laptop(self, name: str) -> Laptop:
        folder = self.root / name / "notes"
        folder.mkdir(parents=True)
        home = resolve_home(self.root / "homes" / name)
        home.ensure()
        service = Service(home)
        if not self.laptops:
            folder.joinpath("CLAUDE.md").write_text(BASE, encoding="utf-8")
            service.init(str(self.hub), PASSPHRASE, device_name=name)
            service.add_folder("notes", str(folder))
        else:
            service.join(self.laptops[0].service.setup_code(), PASSPHRASE, device_name=name)
            service.map_folder("notes", str(folder))
        service.sync()
        laptop = Laptop(name, service, folder)
        self.laptops.append(laptop)
        return laptop

    def entries(self) -> int:
        """How many log entries the hub holds, from every laptop."""
        return len(FolderRawStore(self.hub).keys("log/"))

    def close(self) -> None:
        for laptop in self.laptops:
            laptop.service.close()


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    made = Vault(tmp_path)
    yield made
    made.close()


def edit_same_line(vault: Vault, later: Laptop) -> dict[str, SyncResult]:
    """Both laptops change the same line; ``later``'s edit is the newer one (so its text stays in the file).
    A syncs, B syncs (the conflict happens on B), A syncs (A hears of it, and has nothing to tell or send).
    Each laptop's last result, by name."""
    a, b = vault.laptops[:2]
    now = time.time()
    for laptop in (a, b):
        laptop.file.write_text(TEXT[laptop.name], encoding="utf-8")
        stamp = now if laptop is later else now - 60
        os.utime(laptop.file, (stamp, stamp))
    results = {laptop.name: laptop.service.sync() for laptop in (a, b)}
    entries = vault.entries()
    results[a.name] = a.service.sync()
    assert vault.entries() == entries, "A told the other laptops of a conflict they told it of"
    return results


@pytest.mark.parametrize("later", ["Laptop A", "Laptop B"])
def test_each_laptop_shows_the_file_and_the_copy_labelled_with_the_laptop_that_wrote_each(
    vault: Vault, later: str
) -> None:
    a, b = vault.laptop("Laptop A"), vault.laptop("Laptop B")
    winner, loser = (a, b) if later == "Laptop A" else (b, a)
    results = edit_same_line(vault, winner)

    for laptop in (a, b):
        (conflict,) = laptop.open_conflicts()
        texts = laptop.service.conflict_texts(conflict.conflict_id)
        assert laptop.file.read_bytes() == TEXT[winner.name].encode()
        assert texts.kept.encode() == laptop.file.read_bytes()
        assert conflict.copy_path is not None
        assert laptop.copies() == {conflict.copy_path: TEXT[loser.name].encode()}
        assert texts.other.encode() == laptop.copies()[conflict.copy_path]
        mine = laptop is winner
        assert (texts.kept_from, texts.other_from) == (
            ("this laptop", loser.name) if mine else (winner.name, "this laptop")
        ), laptop.name
        assert (conflict.kept_from, conflict.other_device) == (winner.name, loser.name), laptop.name
        assert (conflict.kept_is_mine, conflict.other_is_mine) == (mine, not mine), laptop.name
        assert texts.proposal == "# Memory\n\n- tests run with pytest\n" + "".join(
            TEXT[name].splitlines(keepends=True)[-1] for name in (winner.name, loser.name)
        )
    assert FileNotice("notes", "CLAUDE.md", winner.name) in results[loser.name].displaced
    assert results[winner.name].displaced == []


@pytest.mark.parametrize("keep", ["kept", "other", "both", "edited"])
def test_each_choice_writes_the_text_shown_and_resolving_on_a_resolves_it_on_b(vault: Vault, keep: str) -> None:
    a, b = vault.laptop("Laptop A"), vault.laptop("Laptop B")
    edit_same_line(vault, later=b)
    (conflict,) = a.open_conflicts()
    texts = a.service.conflict_texts(conflict.conflict_id)
    edited = "# Memory\n\n- tests run with pytest\n- indent with spaces (agreed)\n"
    shown = {"kept": texts.kept, "other": texts.other, "both": texts.proposal, "edited": edited}[keep]

    a.service.resolve_conflict(conflict.conflict_id, keep, edited if keep == "edited" else None)
    assert a.file.read_text(encoding="utf-8") == shown
    assert a.open_conflicts() == [] and a.copies() == {}
    with pytest.raises(UsageError, match="already resolved"):
        a.service.resolve_conflict(conflict.conflict_id, "kept")

    assert len(b.open_conflicts()) == 1 and b.copies() != {}
    a.service.sync()
    b.service.sync()
    assert b.open_conflicts() == [] and b.copies() == {}
    assert b.file.read_text(encoding="utf-8") == shown
    resolved = [item for item in b.service.history.activity() if item.kind == "resolved"]
    assert [(item.path, item.detail) for item in resolved] == [("CLAUDE.md", "resolved on Laptop A")]
    (on_b,) = b.service.conflicts()
    with pytest.raises(UsageError, match="already resolved"):
        b.service.resolve_conflict(on_b.conflict_id, "other")
    assert a.service.sync().summary() == "Synced: everything up to date."
    assert a.file.read_bytes() == b.file.read_bytes()
    entries = vault.entries()
    a.service.sync()
    b.service.sync()
    assert vault.entries() == entries, "a laptop keeps telling the others of a resolution they have"


def test_a_resolution_makes_the_next_sync_command_sync_in_full(vault: Vault) -> None:
    """Keeping the text in the file changes nothing on disk or on the hub, only what this laptop has to tell: the
    record that lets ``memtray sync`` answer without unlocking (memtray/sync/quiet.py) is forgotten."""
    a, b = vault.laptop("Laptop A"), vault.laptop("Laptop B")
    edit_same_line(vault, later=b)
    (conflict,) = a.open_conflicts()
    assert a.service.sync().quiet()
    record = a.service.home.data_dir / QUIET_FILE
    assert record.exists()
    a.service.resolve_conflict(conflict.conflict_id, "kept")
    assert not record.exists()


def test_the_file_pane_shows_what_the_file_holds_now_and_keeping_it_keeps_exactly_that(vault: Vault) -> None:
    a, b = vault.laptop("Laptop A"), vault.laptop("Laptop B")
    edit_same_line(vault, later=b)
    (conflict,) = a.open_conflicts()
    rewritten = "# Memory\n\nrewritten on A after the conflict\n"
    a.file.write_text(rewritten, encoding="utf-8")

    texts = a.service.conflict_texts(conflict.conflict_id)
    assert (texts.kept, texts.kept_from) == (rewritten, "this laptop")
    assert texts.other == TEXT["Laptop A"]
    with pytest.raises(UsageError, match="not synced yet"):
        a.service.resolve_conflict(conflict.conflict_id, "other")
    assert a.open_conflicts() == [conflict]
    a.service.resolve_conflict(conflict.conflict_id, "kept")
    assert a.file.read_text(encoding="utf-8") == rewritten
    a.service.sync()
    b.service.sync()
    assert b.file.read_text(encoding="utf-8") == rewritten and b.open_conflicts() == []


def test_a_conflict_settled_before_this_laptop_heard_of_it_leaves_nothing_here(vault: Vault) -> None:
    a, b = vault.laptop("Laptop A"), vault.laptop("Laptop B")
    now = time.time()
    for laptop, stamp in ((a, now - 60), (b, now)):
        laptop.file.write_text(TEXT[laptop.name], encoding="utf-8")
        os.utime(laptop.file, (stamp, stamp))
    a.service.sync()
    b.service.sync()
    (conflict,) = b.open_conflicts()
    b.service.resolve_conflict(conflict.conflict_id, "kept")
    b.service.sync()
    heard = a.service.sync()  # of the conflict and of its resolution at once
    assert a.service.conflicts() == [] and a.copies() == {} and heard.displaced == []
    assert a.file.read_bytes() == b.file.read_bytes() == TEXT["Laptop B"].encode()


def test_a_copy_the_person_changed_stays_when_another_laptop_resolves(vault: Vault) -> None:
    a, b = vault.laptop("Laptop A"), vault.laptop("Laptop B")
    edit_same_line(vault, later=a)
    ((copy_path, text),) = b.copies().items()
    (b.folder / copy_path).write_bytes(text + b"- a note the person added to the copy\n")
    (conflict,) = a.open_conflicts()
    a.service.resolve_conflict(conflict.conflict_id, "kept")
    a.service.sync()
    b.service.sync()
    assert b.open_conflicts() == []
    assert b.copies() == {copy_path: text + b"- a note the person added to the copy\n"}


@pytest.mark.parametrize("later", ["Laptop A", "Laptop B"])
def test_a_laptop_that_wrote_neither_text_never_hears_of_the_conflict(vault: Vault, later: str) -> None:
    a, b, c = vault.laptop("Laptop A"), vault.laptop("Laptop B"), vault.laptop("Laptop C")
    now = time.time()
    for laptop in (a, b):
        laptop.file.write_text(TEXT[laptop.name], encoding="utf-8")
        stamp = now if laptop.name == later else now - 60
        os.utime(laptop.file, (stamp, stamp))
    for laptop in (a, c, b, a, c):  # C has A's text before the conflict happens on B
        laptop.service.sync()
    assert len(a.open_conflicts()) == len(b.open_conflicts()) == 1
    assert c.service.conflicts() == [] and c.copies() == {}
    assert c.file.read_bytes() == b.file.read_bytes() == TEXT[later].encode()

    (conflict,) = a.open_conflicts()
    a.service.resolve_conflict(conflict.conflict_id, "both")
    for laptop in (a, b, c):
        laptop.service.sync()
    assert c.service.conflicts() == [] and c.copies() == {}
    assert not any(item.kind == "resolved" for item in c.service.history.activity())
    assert a.file.read_bytes() == b.file.read_bytes() == c.file.read_bytes()
    assert b.open_conflicts() == []


def test_laptops_that_both_meet_the_conflict_each_record_it_once(vault: Vault) -> None:
    """B syncs while A is syncing, so each sends its edit before it has the other's: both reconcile the two
    edits themselves, and each then hears of the other's conflict, which it already has."""
    a, b = vault.laptop("Laptop A"), vault.laptop("Laptop B")
    now = time.time()
    for laptop, stamp in ((a, now - 60), (b, now)):
        laptop.file.write_text(TEXT[laptop.name], encoding="utf-8")
        os.utime(laptop.file, (stamp, stamp))

    def b_syncs_meanwhile(progress: SyncProgress) -> None:
        if progress.phase == "uploading":
            b.service.sync()

    a.service.sync(progress=b_syncs_meanwhile)
    displaced = []
    for laptop in (a, b, a, b):
        displaced += [(laptop.name, notice.path) for notice in laptop.service.sync().displaced]
    assert displaced == [("Laptop A", "CLAUDE.md")]
    for laptop in (a, b):
        assert len(laptop.service.conflicts()) == 1, laptop.name
        assert list(laptop.copies().values()) == [TEXT["Laptop A"].encode()], laptop.name
    (conflict,) = b.open_conflicts()
    b.service.resolve_conflict(conflict.conflict_id, "other")
    b.service.sync()
    a.service.sync()
    assert a.open_conflicts() == [] and a.copies() == {}
    assert a.file.read_bytes() == b.file.read_bytes() == TEXT["Laptop A"].encode()


def test_a_text_set_aside_names_the_laptop_that_wrote_it_not_the_one_that_last_kept_it(vault: Vault) -> None:
    """B keeps A's text in a first conflict, but the person types on B while that sync writes: the next sync
    sets A's text (now in a version made on B) aside. It is still A's text."""
    a, b = vault.laptop("Laptop A"), vault.laptop("Laptop B")
    now = time.time()
    for laptop, text, stamp in ((b, "# Memory\n\nB's first try\n", now - 120), (a, TEXT["Laptop A"], now - 60)):
        laptop.file.write_text(text, encoding="utf-8")
        os.utime(laptop.file, (stamp, stamp))
    a.service.sync()

    def typing_on_b(progress: SyncProgress) -> None:
        if progress.phase == "writing":
            b.file.write_text(TEXT["Laptop B"], encoding="utf-8")

    b.service.sync(progress=typing_on_b)
    b.service.sync()
    newest = b.service.conflicts()[0]
    texts = b.service.conflict_texts(newest.conflict_id)
    assert (texts.kept, texts.other) == (TEXT["Laptop B"], TEXT["Laptop A"])
    assert (texts.kept_from, texts.other_from) == ("this laptop", "Laptop A")
    assert (newest.other_device, newest.other_is_mine) == ("Laptop A", False)


def test_resolving_waits_while_this_laptop_syncs(vault: Vault) -> None:
    a, b = vault.laptop("Laptop A"), vault.laptop("Laptop B")
    edit_same_line(vault, later=b)
    (conflict,) = a.open_conflicts()
    other = a.service.conflict_texts(conflict.conflict_id).other
    resolving = threading.Thread(target=a.service.resolve_conflict, args=(conflict.conflict_id, "other"))
    with HomeLock(a.service.home.lock_file):  # what a sync in another memtray process of this laptop holds
        resolving.start()
        resolving.join(timeout=2.0)
        assert resolving.is_alive(), "the conflict was resolved while a sync was running"
        assert a.file.read_text(encoding="utf-8") == TEXT["Laptop B"] and len(a.open_conflicts()) == 1
    resolving.join(timeout=60.0)
    assert not resolving.is_alive()
    assert a.file.read_text(encoding="utf-8") == other and a.open_conflicts() == []


def test_a_large_binary_conflict_keeps_exact_bytes_and_cannot_be_combined(vault: Vault) -> None:
    """Past the size sent inside log entries, the text set aside travels as a blob and B keeps no copy of it in
    its index: the view reads the copy (checked against its fingerprint), and "keep the other" writes it byte
    for byte, although the pane can only show it with replacement characters."""
    a, b = vault.laptop("Laptop A"), vault.laptop("Laptop B")
    sides = {name: random.Random(name).randbytes(INLINE_MAX + 4096) for name in ("Laptop A", "Laptop B")}
    now = time.time()
    for laptop, stamp in ((a, now - 60), (b, now)):
        (laptop.folder / "model.bin").write_bytes(sides[laptop.name])
        os.utime(laptop.folder / "model.bin", (stamp, stamp))
    for laptop in (a, b, a):
        laptop.service.sync()
    (conflict,) = b.open_conflicts()
    assert b.service.index.content(hashlib.sha256(sides["Laptop A"]).hexdigest()) is None
    assert conflict.copy_path is not None
    copy = b.folder / conflict.copy_path
    copy.write_bytes(sides["Laptop A"][:-1])
    with pytest.raises(UsageError, match="no longer kept"):
        b.service.conflict_texts(conflict.conflict_id)
    copy.write_bytes(sides["Laptop A"])
    texts = b.service.conflict_texts(conflict.conflict_id)
    assert texts.other == sides["Laptop A"].decode("utf-8", "replace") and texts.proposal == ""
    with pytest.raises(UsageError, match="not text"):
        b.service.resolve_conflict(conflict.conflict_id, "both")
    b.service.resolve_conflict(conflict.conflict_id, "other")
    assert (b.folder / "model.bin").read_bytes() == sides["Laptop A"]
    b.service.sync()
    a.service.sync()
    assert a.open_conflicts() == [] and (a.folder / "model.bin").read_bytes() == sides["Laptop A"]


def _plant_entry(vault: Vault, author: Laptop, seq: int, header_change: dict[str, object]) -> None:
    """Put the entry after ``author``'s entry ``seq`` in its log, sealed with the real vault key in its real slot and
    signed with the author's key, whose header carries ``header_change`` (so only the conflict news in it can make it
    unreadable)."""
    raw = FolderRawStore(vault.hub)
    device = author.device_id()
    keys = author.service.vault_keys()
    newest = raw.read(log_key(device, seq))
    previous = open_entry(keys, newest, device, seq)
    following = LogEntry(
        device, seq + 1, hashlib.sha256(newest).hexdigest(), previous.device_name, previous.platform, time.time()
    )
    plain = zlib.decompress(encode(following))
    (length,) = struct.unpack(">I", plain[:4])
    header = {**json.loads(plain[4 : 4 + length]), **header_change}
    header_bytes = json.dumps(header).encode()
    packed = zlib.compress(struct.pack(">I", len(header_bytes)) + header_bytes + plain[4 + length :])
    signer = author.service.members.signer()
    assert signer is not None
    signed = packed + SIGNATURE_MARKER + signer.sign(entry_message(keys.vault_id, device, seq + 1, 1, packed))
    sealed = seal(keys.log_key, signed, object_aad(keys.vault_id, "log", device, seq + 1))
    raw.write(log_key(device, seq + 1), sealed)


def test_conflict_news_that_is_malformed_or_too_long_is_refused_like_any_malformed_entry(vault: Vault) -> None:
    a, b = vault.laptop("Laptop A"), vault.laptop("Laptop B")
    edit_same_line(vault, later=b)
    (conflict,) = a.open_conflicts()
    folder_id = next(iter(a.service.index.folder_defs()))
    kept, other = (hashlib.sha256(TEXT[name].encode()).hexdigest() for name in ("Laptop B", "Laptop A"))
    well_formed = [folder_id, "CLAUDE.md", kept, other]
    bad_news: list[object] = [
        "CLAUDE.md",
        [dict.fromkeys(well_formed, 1)],
        [well_formed[:3]],
        [[folder_id, "../outside.md", kept, other]],
        [[folder_id, "CLAUDE.md", kept, other.upper()]],
        [[folder_id, "CLAUDE.md", kept, other + "\n"]],
        [["", "CLAUDE.md", kept, other]],
        [[folder_id, "CLAUDE.md", kept, 7]],
        [well_formed] * (CONFLICT_NEWS_MAX + 1),
    ]
    before = a.file.read_bytes(), a.copies(), a.service.conflicts()
    raw = FolderRawStore(vault.hub)
    newest = max(int(key.rsplit("/", 1)[1], 16) for key in raw.keys(f"log/{b.device_id()}/"))
    for field in ("settled", "conflicts"):
        for news in bad_news:
            _plant_entry(vault, b, newest, {field: news})
            with pytest.raises(IntegrityError, match="could not be read") as refused:
                a.service.sync()
            assert "damaged or was written by a newer memtray" in refused.value.message
            assert (a.file.read_bytes(), a.copies(), a.service.conflicts()) == before, (field, news)

    _plant_entry(vault, b, newest, {"settled": [well_formed] * CONFLICT_NEWS_MAX})
    a.service.sync()
    assert a.open_conflicts() == [] and a.copies() == {}
    assert [item.detail for item in a.service.history.activity() if item.kind == "resolved"] == ["resolved on Laptop B"]
    assert a.service.conflicts()[0].conflict_id == conflict.conflict_id


def test_conflict_news_travels_in_the_entry_header_and_older_entries_carry_none() -> None:
    folder_id, kept, other = "f" * 32, "a" * 64, "b" * 64
    entry = LogEntry("d" * 32, 3, "0" * 64, "Laptop A", "linux", 1.0)
    assert decode(encode(entry), "log/x") == entry
    assert b"settled" not in zlib.decompress(encode(entry)) and b"conflicts" not in zlib.decompress(encode(entry))
    entry.conflicts = [(folder_id, "notes/CLAUDE.md", kept, other)]
    entry.settled = [(folder_id, "AGENTS.md", other, kept)]
    assert decode(encode(entry), "log/x") == entry


def test_an_index_from_before_keeps_its_conflicts_and_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE conflicts (id INTEGER PRIMARY KEY, time REAL NOT NULL, folder TEXT NOT NULL, path TEXT NOT"
            " NULL, copy_path TEXT, current_sha TEXT NOT NULL, other_sha TEXT NOT NULL, other_device TEXT NOT NULL,"
            " resolved INTEGER NOT NULL DEFAULT 0)"
        )
        db.execute(
            "INSERT INTO conflicts (time, folder, path, copy_path, current_sha, other_sha, other_device)"
            " VALUES (1.5, 'f', 'CLAUDE.md', NULL, 'kept', 'other', 'Work laptop')"
        )
    db.close()
    index = Index(path)
    try:
        (record,) = index.conflicts.all()
        assert (record.path, record.other_device, record.resolved, record.kept_from, record.other_from) == (
            "CLAUDE.md",
            "Work laptop",
            False,
            "",
            "",
        )
        assert index.conflicts.matching("f", "CLAUDE.md", "other", "kept") == [record]
        assert index.conflicts.open_count() == 1
    finally:
        index.close()
