"""Whatever the laptops do and whenever each syncs, they end identical and no edit is lost.

The in-process test lets hypothesis choose 2–4 laptops, a conflict policy and a schedule of
edits, deletes, renames, syncs and offline spells (which laptop syncs when is part of the input).
A shrunk failure becomes a regular test in test_regressions.py. The real-process test runs seeded
schedules through the real CLI. Both end with every laptop syncing until quiet, then check:
identical trees, index and hub agree (assert_synced), nothing memtray saw is lost, no temp files.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memtray.paths import resolve_home
from memtray.service import Service
from memtray.sync.reconcile import ConflictPolicy
from tests.prove.fleet import (
    SCALE,
    assert_converged,
    assert_no_stray_temp_files,
    assert_nothing_lost,
    close_fleet,
    make_fleet,
    proof_settings,
    remember_seen,
)
from tests.prove.schedule import Step, random_schedule, run_schedule, steps_strategy
from tests.servers import folder_endpoint
from tests.support.laptops import Laptop, assert_synced, tree

EXAMPLES = 50 * SCALE


def check_schedule(count: int, policy: str, steps: list[Step]) -> None:
    with tempfile.TemporaryDirectory(prefix="memtray-prove-") as workdir:
        hub, fleet = make_fleet(Path(workdir), count, policy)
        try:

            def set_online(laptop: int, online: bool) -> None:
                fleet[laptop].service.unplugged = not online

            run_schedule(steps, [member.folder for member in fleet], lambda n: fleet[n].sync(), set_online)
            assert_converged(hub, fleet)
        finally:
            close_fleet(fleet)


@pytest.mark.timeout(300 * SCALE)
@proof_settings(EXAMPLES)
@given(
    count=st.integers(2, 4),
    policy=st.sampled_from(list(ConflictPolicy)),
    steps=st.lists(steps_strategy, min_size=10, max_size=60),
)
def test_random_schedules_converge_without_losing_edits(count: int, policy: str, steps: list[Step]):
    check_schedule(count, policy, steps)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_schedules_converge_with_real_processes(seed: int, tmp_path: Path):
    hub = folder_endpoint(tmp_path / "hub")
    unplugged = (tmp_path / "unplugged-drive").as_uri()
    laptops = [Laptop(f"Laptop-{name}", tmp_path / name, hub) for name in "ABC"]
    seen: list[dict[str, set[bytes]]] = [{} for _ in laptops]
    offline: set[int] = set()
    for laptop in laptops:
        laptop.folder().mkdir(parents=True)
    laptops[0].init()
    laptops[0].run("folder", "add", "memory", str(laptops[0].folder()))
    laptops[0].sync()
    for laptop in laptops[1:]:
        laptop.join_from(laptops[0])
        laptop.run("folder", "map", "memory", str(laptop.folder()))

    def sync(number: int) -> None:
        before = tree(laptops[number].folder())
        done = laptops[number].run("sync", "--allow-mass-delete", check=number not in offline)
        if number in offline:
            assert done.returncode == 4, done.stderr
            assert "is not there" in done.stderr
            assert tree(laptops[number].folder()) == before
        else:
            remember_seen(seen[number], before)

    def set_online(number: int, online: bool) -> None:
        if (number not in offline) == online:
            return
        config = laptops[number].home / "config" / "config.json"
        old, new = (unplugged, hub.url) if online else (hub.url, unplugged)
        config.write_text(config.read_text().replace(f'"{old}"', f'"{new}"'))
        (offline.discard if online else offline.add)(number)

    run_schedule(random_schedule(random.Random(seed), 30), [lap.folder() for lap in laptops], sync, set_online)
    for number in range(len(laptops)):
        set_online(number, True)
    for _ in range(3):
        for number in range(len(laptops)):
            sync(number)
    assert_synced(laptops, hub)
    services = [Service(resolve_home(laptop.home)) for laptop in laptops]
    try:
        assert_nothing_lost(list(zip(laptops, services, seen, strict=True)))
    finally:
        for service in services:
            service.close()
    for laptop in laptops:
        assert_no_stray_temp_files(laptop.folder())
