"""SIGKILL at random moments of real ``memtray sync`` processes: the next sync converges, nothing lost
or duplicated, no temp files left (see crash_trials.py; run it directly for 50+ trials)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.prove.crash_trials import run_trials
from tests.prove.fleet import SCALE

TRIALS = int(os.environ.get("MEMTRAY_CRASH_TRIALS", str(3 * SCALE)))


@pytest.mark.timeout(0)
def test_killed_syncs_recover_without_loss_duplicates_or_temp_files(tmp_path: Path, capsys: pytest.CaptureFixture):
    report = run_trials(tmp_path, TRIALS, seed=11, small=1500, large=2, large_mb=4)
    with capsys.disabled():
        print("\ncrash trials: " + "\n".join(report.lines()))
    assert report.trials == TRIALS
    assert sum(report.phases.values()) == 2 * TRIALS
