"""Crash trials with clean-up steps: orphan blobs and stale temp files go, and nothing a laptop needs ever does.

Each trial is a crash trial (crash_trials.py: A's push and B's pull each killed at a random moment) with the
clean-up (``blob_gc.tidy_hub``) run by both laptops, with their clocks a day and more ahead (past every grace), at
the worst moments: right after A's push was killed (its entry may be on the hub and not yet in A's index), while
B has only part of what A sent, and at the end. Then the usual checks hold (both converged, nothing sent twice),
no orphan blob or temp file is left, and a laptop joining afterwards receives every file.

    python -m tests.prove.crash_trials_gc --trials 20 [--small 600 --large 3 --large-mb 2]
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from memtray.paths import resolve_home
from memtray.service import Service
from memtray.sync.blob_gc import BLOB_GRACE, Tidied, tidy_hub
from tests.prove.crash_trials import (
    FOLDER,
    _device_id,
    check_trial,
    classify_pull,
    classify_push,
    command_line,
    killed_sync,
    pair,
    planned_trials,
    print_report,
    timed_sync,
)
from tests.servers import HubEndpoint
from tests.support.laptops import PASSPHRASE, Laptop, tree

AHEAD = BLOB_GRACE + 3600


@dataclass
class GcReport:
    trials: int = 0
    orphans_removed: int = 0
    temp_files_removed: int = 0
    orphans_left: int = 0
    temp_files_left: int = 0

    def lines(self) -> list[str]:
        return [
            f"{self.trials} trials with clean-up steps:",
            f"orphan blobs removed: {self.orphans_removed}, left: {self.orphans_left}",
            f"hub temp files removed: {self.temp_files_removed}, left: {self.temp_files_left}",
        ]


def tidy(laptop: Laptop) -> Tidied:
    service = Service(resolve_home(laptop.home))
    try:
        return tidy_hub(
            service.hub(), service.index, service.epoch_keys, service.config.device_id, now=time.time() + AHEAD
        )
    finally:
        service.close()


def join_fresh(workdir: Path, hub: HubEndpoint) -> Laptop:
    c = Laptop("Laptop-C", workdir / "C", hub)
    c.folder(FOLDER).mkdir(parents=True)
    service = Service(resolve_home(c.home))
    try:
        service.join(hub.url, PASSPHRASE, device_name=c.name)
        service.map_folder(FOLDER, str(c.folder(FOLDER)))
    finally:
        service.close()
    timed_sync(c)
    return c


def run_gc_trial(
    workdir: Path,
    template: Path,
    push_at: float,
    pull_at: float,
    report: GcReport,
    after_blobs: int = 0,
    after_entry: bool = False,
) -> None:
    """One trial; with ``after_blobs``, A's push is killed as soon as that many blobs are on the hub; with
    ``after_entry``, as soon as its first new entry is (most often before A's index notes it)."""
    a, b, hub = pair(workdir)
    shutil.copytree(template, a.folder(FOLDER), dirs_exist_ok=True)
    expected = tree(a.folder(FOLDER))
    a_device = _device_id(a)
    steps: list[Tidied] = []
    blob_dir = Path(hub.raw.root) / "blob"  # type: ignore[attr-defined]

    log_dir = Path(hub.raw.root) / "log" / a_device  # type: ignore[attr-defined]

    def kill_now() -> bool:
        if after_entry:
            return sum(1 for name in os.listdir(log_dir) if not name.startswith(".")) > 1
        return after_blobs > 0 and blob_dir.is_dir() and len(os.listdir(blob_dir)) >= after_blobs

    classify_push(killed_sync(a, push_at, kill_now), a, hub, a_device)
    steps += [tidy(a), tidy(b)]
    timed_sync(a)
    classify_pull(killed_sync(b, pull_at), b, hub, len(expected), a_device)
    steps += [tidy(a), tidy(b)]
    timed_sync(b)
    timed_sync(a)
    steps += [tidy(a), tidy(b)]
    report.orphans_removed += sum(step.orphan_blobs for step in steps)
    report.temp_files_removed += sum(step.temp_files for step in steps)
    report.orphans_left += check_trial(a, b, hub, expected)
    hub_root: Path = hub.raw.root  # type: ignore[attr-defined]
    report.temp_files_left += sum(1 for _ in hub_root.rglob(".tmp-*"))
    c = join_fresh(workdir, hub)
    assert tree(c.folder(FOLDER)) == expected, "a laptop joining after the clean-up did not receive every file"
    report.trials += 1


def run_gc_trials(workdir: Path, trials: int, seed: int, small: int, large: int, large_mb: int) -> GcReport:
    report = GcReport()
    for trial in planned_trials(workdir, trials, seed, small, large, large_mb):
        # One trial in three kills the push right after a blob landed (where orphans are made), one right after
        # its first entry landed (where a record of blobs that entry names outlives the kill).
        after_blobs = trial.rng.randint(1, large) if trial.number % 3 == 0 and large else 0
        after_entry = trial.number % 3 == 1
        slack = 1 + after_blobs + 2 * after_entry
        push_at = trial.push_at * slack
        run_gc_trial(trial.folder, trial.template, push_at, trial.pull_at, report, after_blobs, after_entry)
    return report


def main() -> int:
    args = command_line(__doc__, trials=20, small=600, large_mb=2)
    return print_report(
        "memtray-crash-gc-",
        lambda workdir: run_gc_trials(workdir, args.trials, args.seed, args.small, args.large, args.large_mb),
    )


if __name__ == "__main__":
    sys.exit(main())
