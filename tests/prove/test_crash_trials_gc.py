"""Crash trials with clean-up steps interleaved: no orphan blob or hub temp file is left, and nothing a laptop
needs is removed (see crash_trials_gc.py; run it directly for more trials)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.prove.crash_trials_gc import run_gc_trials
from tests.prove.fleet import SCALE

TRIALS = int(os.environ.get("MEMTRAY_CRASH_TRIALS", str(3 * SCALE)))


@pytest.mark.timeout(0)
def test_clean_up_after_killed_syncs_removes_only_leftovers(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    report = run_gc_trials(tmp_path, TRIALS, seed=23, small=600, large=3, large_mb=2)
    with capsys.disabled():
        print("\ncrash trials with clean-up: " + "\n".join(report.lines()))
    assert report.trials == TRIALS
    assert report.orphans_left == 0
    assert report.temp_files_left == 0
