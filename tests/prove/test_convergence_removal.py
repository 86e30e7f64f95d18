"""Convergence with removals in the schedule: whatever the laptops do, and whichever laptop removes which, the
laptops that remain end identical, nothing they saw is lost, and the removed ones are shut out.

Hypothesis chooses 3–4 in-process laptops, a schedule of edits, syncs and offline spells (as in
test_convergence.py), and up to two removals placed in it: "laptop R removes laptop V" (skipped when R is
offline, removed itself, or V is already gone; at least two laptops always remain; R syncs first, as the person
looks at the list of laptops before removing one). A removed laptop's later
syncs must raise RemovedFromVaultError and leave its files alone; it then writes a log entry with the keys it
took (as tests/support/attacker.py does), which the remaining laptops must never apply.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memtray.errors import HubUnreachableError, RemovedFromVaultError
from tests.prove.fleet import (
    SCALE,
    InProcessLaptop,
    assert_no_stray_temp_files,
    assert_nothing_lost,
    close_fleet,
    make_fleet,
    proof_settings,
    settle,
)
from tests.prove.schedule import Step, run_schedule, steps_strategy
from tests.servers import HubEndpoint
from tests.support.attacker import (
    NEW_PASSPHRASE,
    HeldKeys,
    Loot,
    forge_entry,
    hub_objects,
    keys_held,
    signer_of,
    steal,
    without_logs,
)
from tests.support.laptops import assert_synced, tree

EXAMPLES = 15 * SCALE
REMOVE = "remove"
LATE = "late.md"


def removals_strategy() -> st.SearchStrategy[list[tuple[int, int, int]]]:
    """One or two (position in the schedule, remover, removed) triples."""
    return st.lists(st.tuples(st.integers(0, 40), st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=2)


def with_removals(steps: list[Step], removals: list[tuple[int, int, int]]) -> list[Step]:
    schedule = list(steps)
    for position, remover, removed in sorted(removals, reverse=True):
        schedule.insert(min(position, len(schedule)), Step(REMOVE, remover, other=str(removed)))
    return schedule


class RemovalFleet:
    """The fleet, which of its laptops were removed, and what each removed one took with it (its loot)."""

    def __init__(self, hub: HubEndpoint, fleet: list[InProcessLaptop], workdir: Path) -> None:
        self.hub = hub
        self.fleet = fleet
        self.workdir = workdir
        self.removed: dict[int, tuple[Loot, HeldKeys]] = {}

    def remaining(self) -> list[InProcessLaptop]:
        return [member for number, member in enumerate(self.fleet) if number not in self.removed]

    def sync(self, number: int) -> None:
        """A remaining laptop syncs; a removed one is refused, then writes an entry with every key it still has."""
        member = self.fleet[number]
        if number not in self.removed:
            member.sync()
            return
        before = tree(member.folder)
        with pytest.raises((RemovedFromVaultError, HubUnreachableError)) as refused:
            member.service.sync(allow_mass_delete=True)
        assert refused.type is RemovedFromVaultError or member.service.unplugged
        assert tree(member.folder) == before
        loot, held = self.removed[number]
        files = {(_folder_id(member), LATE): f"written by {loot.name} after its removal\n".encode()}
        objects = hub_objects(self.hub)
        key, forged = forge_entry(held.vault_keys(1), 1, signer_of(loot), objects, loot.device_id, files=files)
        self.hub.raw.write(key, forged)

    def remove(self, remover: int, removed: int) -> None:
        count = len(self.fleet)
        remover, removed = remover % count, removed % count
        if remover == removed or {remover, removed} & set(self.removed) or count - len(self.removed) <= 2:
            return
        member, gone = self.fleet[remover], self.fleet[removed]
        if member.sync() is None:
            return  # offline: the person cannot remove a laptop from here now
        loot = steal(gone.laptop, hub_objects(self.hub), None, self.workdir / f"loot-{removed}")
        member.service.remove_laptop(gone.laptop.name, NEW_PASSPHRASE)
        self.removed[removed] = (loot, keys_held(loot))

    def set_online(self, number: int, online: bool) -> None:
        self.fleet[number].service.unplugged = not online


def _folder_id(member: InProcessLaptop) -> str:
    (only,) = member.service.config.folder_paths
    return str(only)


def check_schedule(count: int, steps: list[Step]) -> None:
    with tempfile.TemporaryDirectory(prefix="memtray-prove-removal-") as workdir:
        hub, fleet = make_fleet(Path(workdir), count)
        laptops = RemovalFleet(hub, fleet, Path(workdir))
        try:
            for step in steps:
                if step.kind == REMOVE:
                    laptops.remove(step.laptop, int(step.other))
                else:
                    run_schedule([step], [member.folder for member in fleet], laptops.sync, laptops.set_online)
            remaining = laptops.remaining()
            settle(remaining)
            gone = {fleet[number].service.config.device_id for number in laptops.removed}
            assert_synced([member.laptop for member in remaining], without_logs(hub, gone), "memory")
            assert_nothing_lost([(member.laptop, member.service, member.seen) for member in remaining])
            for member in remaining:
                assert not (member.folder / LATE).exists(), f"{member.laptop.name} applied a removed laptop's entry"
                assert_no_stray_temp_files(member.folder)
        finally:
            close_fleet(fleet)


@pytest.mark.timeout(600 * SCALE)
@proof_settings(EXAMPLES)
@given(
    count=st.integers(3, 4),
    steps=st.lists(steps_strategy, min_size=10, max_size=40),
    removals=removals_strategy(),
)
def test_schedules_with_removals_converge_among_the_remaining_laptops(
    count: int, steps: list[Step], removals: list[tuple[int, int, int]]
) -> None:
    check_schedule(count, with_removals(steps, removals))


def test_a_removal_while_two_laptops_are_offline_converges() -> None:
    """The issue's case, as a fixed schedule: A removes C while B and D are offline; both catch up by themselves."""
    steps = [
        Step("write", 1, "a.md", words=("red",)),
        Step("sync", 1),
        Step("offline", 1),
        Step("offline", 3),
        Step("write", 1, "b.md", words=("blue",)),
        Step("write", 2, "notes/c.md", words=("gray",)),
        Step("sync", 2),
        Step(REMOVE, 0, other="2"),
        Step("write", 0, "a.md", words=("green",)),
        Step("sync", 0),
        Step("sync", 2),
        Step("online", 1),
        Step("online", 3),
        Step("sync", 1),
        Step("sync", 3),
    ]
    check_schedule(4, steps)
