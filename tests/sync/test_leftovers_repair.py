"""Repair and compaction: entries compaction removed, where a verified checkpoint of their laptop covers them, are
not damage; a repair finds what a sync would refuse, nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from memtray.hubs.keys import log_key
from memtray.sync import repair
from memtray.sync.checkpoint import open_head, seal_head
from tests.core.checkpoint_fleet import cursor, edit, frequent_checkpoints, new_laptop, own_log
from tests.prove.fleet import InProcessLaptop, close_fleet
from tests.servers import HubEndpoint, folder_endpoint
from tests.support.laptops import device_id


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[tuple[HubEndpoint, InProcessLaptop, InProcessLaptop]]:
    """Laptops A and B on a folder hub, with a checkpoint after every entry."""
    hub = folder_endpoint(tmp_path / "hub")
    with frequent_checkpoints(every=1):
        members = [new_laptop(tmp_path, hub, "Laptop-A", founder=True), new_laptop(tmp_path, hub, "Laptop-B")]
        try:
            yield hub, members[0], members[1]
        finally:
            close_fleet(members)


def damaged(member: InProcessLaptop) -> set[str]:
    service = member.service
    keys, _ = service.members.refresh(service.epoch_keys())
    return repair.damaged_logs(service.hub(), keys, service.index, service.config.device_id)


def test_entries_compaction_removed_are_not_damage_to_repair(fleet) -> None:
    hub, a, b = fleet
    a_id = device_id(a.laptop)
    with frequent_checkpoints(every=1):
        edit(a, "read.md", "B reads this one\n")
        a.sync()
        b.sync()
        applied = cursor(b, a)
        for number in range(2):
            edit(a, f"after{number}.md", f"B has not read this, {number}\n")
            a.sync()
    assert own_log(hub, a)[-1] == applied + 2

    for seq in own_log(hub, a):
        if seq <= applied:
            hub.raw.delete(log_key(a_id, seq))  # what compaction does once A's checkpoint covers them
    assert damaged(b) == set(), "the entry B read last was removed under A's checkpoint, yet repair called it lost"

    hub.raw.delete(log_key(a_id, applied + 1))  # B has not read it; A's newest checkpoint covers it
    assert own_log(hub, a)[0] > cursor(b, a) + 1
    assert damaged(b) == set(), "entries under A's checkpoint were removed before B read them: a sync reads on"

    checkpoints = {key: hub.raw.read(key) for key in hub.raw.keys(f"ckpt/{a_id}/")}
    for key in checkpoints:
        hub.raw.delete(key)
    assert damaged(b) == {a_id}, "with no checkpoint covering the missing entries, A's log is damaged"
    for key, data in checkpoints.items():
        hub.raw.write(key, data)
    newest = max(key for key in checkpoints if key.endswith("/0000"))
    genuine = hub.raw.read(newest)
    hub.raw.delete(newest)
    hub.raw.write(newest, _other_history(a, newest, genuine))
    assert damaged(b) == {a_id}, "a checkpoint that disagrees with A's log was taken to cover it"
    hub.raw.delete(newest)
    hub.raw.write(newest, genuine)

    b_id = device_id(b.laptop)
    assert b.service.repair() is None
    assert device_id(b.laptop) == b_id
    b.sync()
    assert {name: (b.folder / name).read_text() for name in ("after0.md", "after1.md")} == {
        "after0.md": "B has not read this, 0\n",
        "after1.md": "B has not read this, 1\n",
    }


def _other_history(owner: InProcessLaptop, key: str, sealed: bytes) -> bytes:
    """``owner``'s checkpoint head ``key``, sealed and signed by ``owner`` again, naming another hash for the
    newest entry of its own log."""
    me, number = device_id(owner.laptop), int(key.split("/")[2], 16)
    keys = owner.service.epoch_keys()
    head = open_head(keys, sealed, me, number).head
    epoch, sealing = keys.sealing()
    signer = owner.service.members.signer()
    assert signer is not None
    changed = replace(head, heads={**head.heads, me: replace(head.heads[me], hash="1" * 64)})
    return seal_head(sealing, changed, epoch=epoch, sign=signer.sign)
