"""With a checkpoint after every entry and compaction steps (time passing past the retention on one laptop)
interleaved in any schedule, the laptops still end identical with no edit lost, and a laptop that joins at the end
(from the checkpoints and what is left of the logs) ends identical to them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.core.checkpoint_fleet import age_history, frequent_checkpoints, new_laptop, own_log, state
from tests.prove.fleet import SCALE, assert_converged, close_fleet, make_fleet, proof_settings
from tests.prove.schedule import Step, run_schedule, steps_strategy

EXAMPLES = 15 * SCALE
_aging = st.builds(Step, st.just("age"), st.integers(0, 2))


def check_schedule(count: int, steps: list[Step]) -> int:
    """Run ``steps``, check the outcome; how many log entries compaction removed."""
    with tempfile.TemporaryDirectory(prefix="memtray-prove-") as workdir, frequent_checkpoints(every=1):
        hub, fleet = make_fleet(Path(workdir), count)
        try:

            def set_online(laptop: int, online: bool) -> None:
                fleet[laptop].service.unplugged = not online

            for step in steps:
                if step.kind == "age":
                    age_history(fleet[step.laptop % count])
                else:
                    run_schedule([step], [member.folder for member in fleet], lambda n: fleet[n].sync(), set_online)
            assert_converged(hub, fleet)
            removed = sum(own_log(hub, member)[0] - 1 for member in fleet)
            newcomer = new_laptop(Path(workdir), hub, "Laptop-Z")
            fleet.append(newcomer)
            assert state(newcomer)[0] == state(fleet[0])[0], "a laptop joining after compaction differs"
            return removed
        finally:
            close_fleet(fleet)


@pytest.mark.timeout(300 * SCALE)
@proof_settings(EXAMPLES)
@given(count=st.integers(2, 3), steps=st.lists(st.one_of(steps_strategy, _aging), min_size=20, max_size=60))
def test_schedules_with_compaction_converge_without_losing_edits(count: int, steps: list[Step]):
    event("compacted" if check_schedule(count, steps) else "nothing compacted")


def test_a_long_schedule_with_compaction_converges():
    """A fixed schedule long enough that every laptop compacts several times, one of them offline meanwhile."""
    steps: list[Step] = []
    for round_number in range(12):
        words = (f"r{round_number}",)
        steps += [Step("write", 0, "a.md", words=words), Step("sync", 0), Step("append", 1, "b.md", words=words)]
        steps += [Step("sync", 1), Step("age", round_number % 3)]
        steps += [Step("offline", 2)] if round_number == 3 else [Step("online", 2)] if round_number == 8 else []
        steps += [Step("sync", 2), Step("edit", 2, "a.md", words=words), Step("sync", 2)]
    assert check_schedule(3, steps) > 0, "the schedule never compacted"
