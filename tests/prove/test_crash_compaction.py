"""A ``memtray sync`` killed (SIGKILL) at a random moment while it writes a checkpoint and compacts: the next syncs
converge, nothing is lost, and a laptop that joins afterwards (from what the checkpoints and logs left) ends
identical. Each killed sync writes a checkpoint (one is due after every entry here) and removes old entries (its
history is made older than the retention first, and laptop B has read everything)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from memtray.sync.checkpoint import parse_ckpt_key
from tests.core.checkpoint_fleet import age_history, frequent_checkpoints, new_laptop, own_log, state
from tests.prove.fleet import SCALE, assert_converged, close_fleet
from tests.servers import HubEndpoint, folder_endpoint
from tests.support.laptops import PASSPHRASE, REPO, device_id

TRIALS = 8 * SCALE
SYNC_WITH_A_CHECKPOINT_EVERY_ENTRY = (
    "import sys; import memtray.sync.checkpoint_publish as due; due.CHECKPOINT_EVERY = 1; "
    "import memtray.sync.checkpoint as parts; parts.PART_TARGET = 16 * 1024; "
    "from memtray.cli import main; sys.argv = ['memtray', *sys.argv[1:]]; raise SystemExit(main())"
)


def _killed_sync(home: Path, sent: Callable[[], bool], after: float) -> tuple[bool, float, float]:
    """``memtray sync`` for ``home`` in its own process, killed ``after`` seconds once ``sent()`` (its entry is on
    the hub): whether it finished first, and how long it took to send and to finish (or be killed)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "MEMTRAY_PASSPHRASE": PASSPHRASE}
    command = [sys.executable, "-c", SYNC_WITH_A_CHECKPOINT_EVERY_ENTRY, "--home", str(home), "sync"]
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None and not sent():
        time.sleep(0.002)
    sending = time.monotonic() - started
    try:
        process.wait(timeout=after)
        return True, sending, time.monotonic() - started
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return False, sending, time.monotonic() - started


def _hub_state(hub: HubEndpoint, me: str) -> tuple[int, int, int]:
    """This laptop's newest log entry, its number of checkpoint heads and of parts on the hub."""
    parsed = [found for key in hub.raw.keys(f"ckpt/{me}/") if (found := parse_ckpt_key(key))]
    log = [int(key.split("/")[2], 16) for key in hub.raw.keys(f"log/{me}/")]
    return max(log), sum(1 for found in parsed if found[2] == 0), sum(1 for found in parsed if found[2] > 0)


def _where(before: tuple[int, int, int], after: tuple[int, int, int], finished: bool) -> str:
    """Where a kill landed, read off what it left on the hub."""
    if finished:
        return "finished"
    if after[0] == before[0]:
        return "before its entry was sent"
    if after[1] > 2 or (after[2] > before[2] and after[1] == before[1]):
        return "writing its checkpoint or removing old ones"
    return "after its entry, before its checkpoint"


@pytest.mark.timeout(600 * SCALE)
def test_syncs_killed_while_checkpointing_and_compacting_recover(tmp_path: Path):
    rng = random.Random(17)
    hub = folder_endpoint(tmp_path / "hub")
    with frequent_checkpoints(every=1):
        a = new_laptop(tmp_path, hub, "Laptop-A", founder=True)
        b = new_laptop(tmp_path, hub, "Laptop-B")
        fleet = [a, b]
        try:
            for number in range(600):
                (a.folder / f"note-{number:03d}.md").write_text(f"note {number}\n" * 40)
            a.sync()
            b.sync()
            a.service.close()  # the killed process opens A's index itself
            me = device_id(a.laptop)

            def sent_after(newest: int) -> Callable[[], bool]:
                return lambda: _hub_state(hub, me)[0] > newest

            (a.folder / "note-000.md").write_text("calibration\n")
            age_history(a)
            _, sending, whole = _killed_sync(a.laptop.home, sent_after(_hub_state(hub, me)[0]), after=120)
            tail = whole - sending  # after its entry: the checkpoint, then compaction
            landed: dict[str, int] = {}
            for trial in range(TRIALS):
                (a.folder / f"note-{trial:03d}.md").write_text(f"trial {trial}\n")
                age_history(a)
                before = _hub_state(hub, me)
                finished, _, _ = _killed_sync(a.laptop.home, sent_after(before[0]), after=rng.uniform(0, 1.1) * tail)
                where = _where(before, _hub_state(hub, me), finished)
                landed[where] = landed.get(where, 0) + 1
                a.service = type(a.service)(a.service.home)
                a.sync()
                b.sync()
                age_history(b)
                a.service.close()
            a.service = type(a.service)(a.service.home)
            print(f"\nkills landed: {landed}")
            assert landed.get("finished", 0) < TRIALS, "no sync was killed: the trials proved nothing"
            assert own_log(hub, a)[0] > 1, "nothing was ever compacted"
            assert_converged(hub, fleet)
            newcomer = new_laptop(tmp_path, hub, "Laptop-C")
            fleet.append(newcomer)
            assert state(newcomer)[0] == state(a)[0]
        finally:
            close_fleet(fleet)
