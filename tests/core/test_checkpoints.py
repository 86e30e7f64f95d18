"""Checkpoints and compaction: a laptop joins from checkpoints plus the log after them and ends where a laptop that
read the whole log ends; a hostile hub cannot roll a laptop back, forge a checkpoint or pass off lost entries as
compacted ones; compaction never removes what a lagging laptop has not read."""

from __future__ import annotations

import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from memtray.errors import IntegrityError, MembershipError, RollbackError
from memtray.hubs.keys import log_key
from memtray.sync import checkpoint_publish
from memtray.sync.checkpoint import Head, ckpt_key, open_head, seal_head
from tests.core.checkpoint_fleet import (
    age_history,
    checkpoints,
    cursor,
    edit,
    frequent_checkpoints,
    new_laptop,
    own_log,
    state,
)
from tests.prove.fleet import InProcessLaptop, close_fleet
from tests.servers import HubEndpoint, folder_endpoint
from tests.support.laptops import device_id


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[tuple[HubEndpoint, list[InProcessLaptop]]]:
    """Laptops A and B after a dozen syncs each, with checkpoints every 4 entries."""
    hub = folder_endpoint(tmp_path / "hub")
    with frequent_checkpoints():
        members = [new_laptop(tmp_path, hub, "Laptop-A", founder=True), new_laptop(tmp_path, hub, "Laptop-B")]
        try:
            a, b = members
            for round_number in range(12):
                edit(a, f"a{round_number % 3}.md", f"from A, round {round_number}\n")
                a.sync()
                edit(b, f"notes/b{round_number % 2}.md", f"from B, round {round_number}\n")
                if round_number == 7:
                    (b.folder / "a1.md").unlink()
                b.sync()
            a.sync()
            yield hub, members
        finally:
            close_fleet(members)


def compact_all(members: list[InProcessLaptop], rounds: int = 5) -> None:
    """Time passes past the retention, then the laptops keep syncing (each new checkpoint compacts)."""
    for member in members:
        age_history(member)
    for round_number in range(rounds):
        for member in members:
            edit(member, f"late-{member.laptop.name}.md", f"late {round_number}\n")
            member.sync()


def test_join_from_checkpoints_ends_where_joining_from_the_whole_log_ends(fleet, tmp_path: Path):
    hub, (a, b) = fleet
    shutil.copytree(tmp_path / "hub", tmp_path / "hub-without-checkpoints")
    shutil.rmtree(tmp_path / "hub-without-checkpoints" / "ckpt")
    whole_log = folder_endpoint(tmp_path / "hub-without-checkpoints")
    from_log = new_laptop(tmp_path, whole_log, "Laptop-D")
    from_checkpoints = new_laptop(tmp_path, hub, "Laptop-C")
    try:
        assert state(from_checkpoints) == state(from_log)
        assert state(from_checkpoints)[0] == state(a)[0]
        assert cursor(from_checkpoints, a) == own_log(hub, a)[-1]
        assert cursor(from_checkpoints, b) == own_log(hub, b)[-1]
    finally:
        close_fleet([from_log, from_checkpoints])


def test_a_laptop_joins_after_compaction_removed_the_start_of_every_log(fleet, tmp_path: Path):
    hub, (a, b) = fleet
    with frequent_checkpoints():
        compact_all([a, b])
    assert own_log(hub, a)[0] > 1 and own_log(hub, b)[0] > 1, "compaction removed nothing"
    c = new_laptop(tmp_path, hub, "Laptop-C")
    try:
        a.sync()
        assert state(c)[0] == state(a)[0]
        assert cursor(c, a) == own_log(hub, a)[-1]
        edit(c, "from-c.md", "hello from C\n")
        c.sync()
        a.sync()
        b.sync()
        assert (a.folder / "from-c.md").read_text() == "hello from C\n"
        assert (b.folder / "from-c.md").read_text() == "hello from C\n"
    finally:
        close_fleet([c])


def test_compaction_keeps_every_entry_a_lagging_laptop_has_not_read(fleet, tmp_path: Path):
    hub, (a, b) = fleet
    lagging = cursor(b, a)
    with frequent_checkpoints():
        for round_number in range(10):
            edit(a, "busy.md", f"A keeps writing {round_number}\n")
            a.sync()
            age_history(a)  # every entry A wrote is past the retention: only B's lag keeps them
    kept = own_log(hub, a)
    assert kept[0] <= lagging + 1, f"A removed entries B has not read (B applied {lagging}, log starts {kept[0]})"
    assert len(checkpoints(hub, a)) == 2, "older checkpoints than the newest two were kept"
    b.sync()
    assert state(b)[0] == state(a)[0]
    with frequent_checkpoints():
        compact_all([a, b])
    assert own_log(hub, a)[0] > lagging + 1, "once B read them, A's old entries were still not removed"


def test_entries_younger_than_the_retention_stay(fleet):
    hub, (a, b) = fleet
    with frequent_checkpoints():
        for round_number in range(5):
            for member in (a, b):
                edit(member, "young.md", f"{member.laptop.name} {round_number}\n")
                member.sync()
    assert own_log(hub, a)[0] == 1 and own_log(hub, b)[0] == 1
    assert len(checkpoints(hub, a)) == 2


def test_forever_keeps_every_entry(fleet):
    hub, (a, b) = fleet
    for member in (a, b):
        member.service.set_setting("storage_history_days", 0)
    with frequent_checkpoints():
        compact_all([a, b])
    assert own_log(hub, a)[0] == 1 and own_log(hub, b)[0] == 1
    assert len(checkpoints(hub, a)) == 2


def _resealed(hub: HubEndpoint, owner: InProcessLaptop, signer_of: InProcessLaptop, change) -> tuple[str, bytes]:
    """``owner``'s newest checkpoint head, changed by ``change`` and sealed and signed by ``signer_of``'s keys."""
    me = device_id(owner.laptop)
    number = checkpoints(hub, owner)[-1]
    keys = signer_of.service.epoch_keys()
    head = open_head(keys, hub.raw.read(ckpt_key(me, number)), me, number).head
    epoch, sealing = keys.sealing()
    signer = signer_of.service.members.signer()
    assert signer is not None
    return ckpt_key(me, number), seal_head(sealing, change(head), epoch=epoch, sign=signer.sign)


def _a_new_laptop_is_refused_once_replaced(
    hub: HubEndpoint, tmp_path: Path, key: str, data: bytes, error: type[Exception]
) -> None:
    """``key`` replaced on the hub by ``data`` behind the laptops' backs: a laptop joining now is refused, naming it."""
    hub.raw.delete(key)
    hub.raw.write(key, data)
    with pytest.raises(error, match=key):
        new_laptop(tmp_path, hub, "Laptop-C")


def test_a_checkpoint_signed_by_another_laptop_is_refused_naming_it(fleet, tmp_path: Path):
    hub, (a, b) = fleet
    key, forged = _resealed(hub, a, b, lambda head: head)
    _a_new_laptop_is_refused_once_replaced(hub, tmp_path, key, forged, MembershipError)


def test_a_checkpoint_whose_heads_disagree_with_the_log_is_refused_naming_it(fleet, tmp_path: Path):
    hub, (a, b) = fleet
    b_id = device_id(b.laptop)

    def other_history(head):
        return replace(head, heads={**head.heads, b_id: Head(head.heads[b_id].seq, "1" * 64)})

    key, forged = _resealed(hub, a, a, other_history)
    _a_new_laptop_is_refused_once_replaced(hub, tmp_path, key, forged, IntegrityError)


def test_a_damaged_checkpoint_is_refused_naming_it(fleet, tmp_path: Path):
    hub, (a, _) = fleet
    key = ckpt_key(device_id(a.laptop), checkpoints(hub, a)[-1])
    damaged = bytearray(hub.raw.read(key))
    damaged[-1] ^= 1
    _a_new_laptop_is_refused_once_replaced(hub, tmp_path, key, bytes(damaged), IntegrityError)


def test_checkpoints_deleted_by_the_hub_fall_back_to_others_or_are_refused(fleet, tmp_path: Path):
    hub, (a, b) = fleet
    with frequent_checkpoints():
        compact_all([a, b])
    for key in hub.raw.keys(f"ckpt/{device_id(a.laptop)}/"):
        hub.raw.delete(key)
    c = new_laptop(tmp_path, hub, "Laptop-C")  # B's checkpoint holds what B applied of A's log: still safe
    try:
        assert state(c)[0] == state(b)[0]
    finally:
        close_fleet([c])
    for key in hub.raw.keys("ckpt/"):
        hub.raw.delete(key)
    with pytest.raises(RollbackError, match=r"log/[0-9a-f]{32}/0000000000000001"):
        new_laptop(tmp_path, hub, "Laptop-D")


def test_the_newest_checkpoint_gone_falls_back_to_the_one_before(fleet, tmp_path: Path):
    hub, (a, _) = fleet
    me = device_id(a.laptop)
    newest = checkpoints(hub, a)[-1]
    hub.raw.delete(ckpt_key(me, newest))
    c = new_laptop(tmp_path, hub, "Laptop-C")
    try:
        assert state(c)[0] == state(a)[0]
        assert cursor(c, a) == own_log(hub, a)[-1]
    finally:
        close_fleet([c])


def test_an_entry_gone_is_accepted_only_where_a_checkpoint_covers_it(fleet):
    hub, (a, b) = fleet
    me = device_id(a.laptop)
    with frequent_checkpoints(every=1):
        edit(a, "covered.md", "A's checkpoint covers this entry\n")
        a.sync()
        b.sync()
        applied = cursor(b, a)
        edit(a, "after.md", "one more\n")
        a.sync()
    hub.raw.delete(log_key(me, applied))  # what compaction does once a checkpoint of A covers it
    b.sync()
    assert (b.folder / "after.md").read_text() == "one more\n"
    edit(a, "later.md", "and another\n")
    a.sync()
    gone = log_key(me, cursor(b, a))
    hub.raw.delete(gone)
    for key in hub.raw.keys(f"ckpt/{me}/"):
        hub.raw.delete(key)
    with pytest.raises(RollbackError, match=gone):
        b.service.sync()


def test_an_old_checkpoint_never_rolls_a_laptop_back(fleet, tmp_path: Path):
    hub, (a, b) = fleet
    me = device_id(a.laptop)
    oldest = checkpoints(hub, a)[0]
    saved = {key: hub.raw.read(key) for key in hub.raw.keys(f"ckpt/{me}/{oldest:016x}/")}
    c = new_laptop(tmp_path, hub, "Laptop-C")
    try:
        with frequent_checkpoints():
            compact_all([a, b], rounds=2)
            c.sync()
            before, applied = state(c), cursor(c, a)
            compact_all([a], rounds=3)
        for key in hub.raw.keys(f"ckpt/{me}/"):
            hub.raw.delete(key)
        for key, data in saved.items():
            hub.raw.write(key, data)
        for key in hub.raw.keys(f"log/{me}/")[:-1]:
            hub.raw.delete(key)  # C is now behind a gap, with only A's oldest checkpoint to start from
        with pytest.raises(RollbackError, match=log_key(me, applied)):
            c.service.sync()
        assert state(c) == before
        assert cursor(c, a) == applied
    finally:
        close_fleet([c])


def test_a_held_secret_never_reaches_a_checkpoint(fleet, tmp_path: Path):
    hub, (a, b) = fleet
    key = "sk-" + "ant-" + "api03-" + secrets.token_urlsafe(70)
    edit(a, "held.md", f"my key is {key}\n")
    with frequent_checkpoints():
        for round_number in range(6):
            edit(a, "busy.md", f"round {round_number}\n")
            a.sync()
            b.sync()
    c = new_laptop(tmp_path, hub, "Laptop-C")
    try:
        assert not (c.folder / "held.md").exists()
        assert (c.folder / "busy.md").read_text() == "round 5\n"
    finally:
        close_fleet([c])


def test_a_part_replayed_from_an_unfinished_checkpoint_is_refused(fleet, tmp_path: Path):
    """A checkpoint whose head never made it leaves parts that a hub could keep and serve later."""
    hub, (a, _) = fleet
    me = device_id(a.laptop)
    number = checkpoints(hub, a)[-1]
    stale = hub.raw.read(ckpt_key(me, number, 1))
    for key in hub.raw.keys(f"ckpt/{me}/{number:016x}/"):
        hub.raw.delete(key)
    with sqlite3.connect(a.laptop.home / "data" / "index.sqlite3") as db:  # as if A stopped before the head
        db.execute("DELETE FROM meta WHERE key = 'ckpt_last'")
    with frequent_checkpoints():
        edit(a, "a0.md", "rewritten after the unfinished checkpoint\n")
        a.sync()
    assert checkpoints(hub, a)[-1] == number, "the unfinished checkpoint's number was not used again"
    _a_new_laptop_is_refused_once_replaced(hub, tmp_path, ckpt_key(me, number, 1), stale, IntegrityError)


def test_a_laptop_that_compacts_while_another_joins_costs_the_joiner_nothing(fleet, tmp_path: Path, monkeypatch):
    """A compacts between C's look at the hub and C's reads of the entries after A's checkpoint (as A does when it
    does not know C yet): C's join still ends with everything, from A's newer checkpoint, and no "storage lost data"
    reaches the person."""
    hub, (a, b) = fleet
    from memtray.sync import engine

    original = engine.take_checkpoints
    raced: list[int] = []

    def take_then_race(cycle, *args, **kwargs):
        original(cycle, *args, **kwargs)
        if raced or cycle.ctx.me in (device_id(a.laptop), device_id(b.laptop)):
            return
        raced.append(0)
        taken = cursor_in(cycle, a)
        with frequent_checkpoints():
            for round_number in range(6):
                edit(a, "raced.md", f"A writes on {round_number}\n")
                a.sync()
                b.sync()
        # What A's compaction removes when it does not know C yet: what its newest checkpoint covers and B has read.
        removable = min(checkpoint_seq(hub, a), cursor(b, a))
        assert removable > taken + 1, "A wrote no newer checkpoint to race with"
        for seq in own_log(hub, a):  # oldest first, as compaction.py removes them
            if seq >= removable:
                break
            hub.raw.delete(log_key(device_id(a.laptop), seq))

    def cursor_in(cycle, member: InProcessLaptop) -> int:
        return cycle.cursors.get(device_id(member.laptop), (0, ""))[0]

    with frequent_checkpoints():  # A's log runs on past its newest checkpoint: C will read those entries
        for round_number in range(8):
            edit(a, "before.md", f"A before C, {round_number}\n")
            a.sync()
            if checkpoint_seq(hub, a) < own_log(hub, a)[-1]:
                break
    assert checkpoint_seq(hub, a) < own_log(hub, a)[-1]
    monkeypatch.setattr(engine, "take_checkpoints", take_then_race)
    c = new_laptop(tmp_path, hub, "Laptop-C")
    try:
        assert raced, "the race never ran"
        assert state(c)[0] == state(a)[0]
        assert (c.folder / "raced.md").read_text() == "A writes on 5\n"
    finally:
        close_fleet([c])


def checkpoint_seq(hub: HubEndpoint, member: InProcessLaptop) -> int:
    """The seq of ``member``'s own log its newest checkpoint covers."""
    me = device_id(member.laptop)
    number = checkpoints(hub, member)[-1]
    head = open_head(member.service.epoch_keys(), hub.raw.read(ckpt_key(me, number)), me, number).head
    return head.heads[me].seq


def test_no_checkpoint_copies_a_first_push_only_a_log_grown_past_the_vaults_files_brings_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(checkpoint_publish, "MIN_TAIL_BYTES", 1024)
    hub = folder_endpoint(tmp_path / "hub")
    a = new_laptop(tmp_path, hub, "Laptop-A", founder=True)
    me = device_id(a.laptop)
    files, size = 8, 4096
    try:
        for round_number in range(6):
            for number in range(files):
                edit(a, f"n{number}.md", secrets.token_hex(size // 2))
            a.sync()
            log_bytes = sum(len(hub.raw.read(key)) for key in hub.raw.keys(f"log/{me}/"))
            assert log_bytes > 1024
            assert bool(checkpoints(hub, a)) == (log_bytes >= files * size), (round_number, log_bytes)
            if checkpoints(hub, a):
                break
        assert round_number > 0, "the first push's entries hold the vault once: no checkpoint copies them"
        assert checkpoints(hub, a) == [1]
    finally:
        close_fleet([a])


def test_a_first_push_larger_than_a_joining_laptop_should_hold_brings_a_checkpoint_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(checkpoint_publish, "MIN_TAIL_BYTES", 1024)
    monkeypatch.setattr(checkpoint_publish, "LOG_READ_MAX", 8 * 1024)
    hub = folder_endpoint(tmp_path / "hub")
    a = new_laptop(tmp_path, hub, "Laptop-A", founder=True)
    try:
        for number in range(8):
            edit(a, f"n{number}.md", secrets.token_hex(2048))
        a.sync()
        assert checkpoints(hub, a) == [1]
    finally:
        close_fleet([a])
