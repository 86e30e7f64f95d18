"""Crash trials: ``memtray sync`` as a real process, killed with SIGKILL at a random moment.

Each trial: laptop A (already in the vault with laptop B) gets a folder of many small files and a
few large ones. A's ``memtray sync`` is killed at a random moment while it pushes, then A syncs
again; B's ``memtray sync`` is killed at a random moment while it pulls, then B syncs again.
Kill moments are spread over the run (stratified over a calibrated, uninterrupted run).

After every trial:
- both laptops converged (``assert_synced``) and both trees are exactly A's files, with no
  conflict copies (no duplicate files);
- every file change is in exactly one log entry on the hub, and B, which only received, sent
  none (no duplicate log entries for the same change);
- no ``.memtray-tmp-*`` file is left in a tracked folder, and both indexes pass SQLite's check.

Where a kill landed is read off what the process had open at that instant (``/proc/PID/fd``: a
tracked file being read = scan, a hub temp file = push, a hub object = pull, a temp file in the
tracked folder = local write) and, failing that, off the state it left (index, hub, disk).

    python -m tests.prove.crash_trials --trials 50 [--small 3000 --large 3 --large-mb 8]
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from memtray.hubs.keys import log_key
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.sync.entry import open_entry
from memtray.sync.globs import CONFLICTS_DIR, TEMP_PREFIX
from tests.servers import HubEndpoint, folder_endpoint
from tests.support.laptops import PASSPHRASE, REPO, Laptop, assert_synced, tree

FOLDER = "memory"


@dataclass
class Kill:
    delay: float
    finished_first: bool
    open_files: list[str]
    phase: str = ""


@dataclass
class Report:
    phases: collections.Counter[str] = field(default_factory=collections.Counter)
    orphan_blobs: int = 0
    hub_temp_files: int = 0
    trials: int = 0

    def lines(self) -> list[str]:
        rows = [f"{count:4d}  {phase}" for phase, count in sorted(self.phases.items())]
        return [
            f"{self.trials} trials, {2 * self.trials} kills:",
            *rows,
            f"orphan blobs left on the hub (sent by a killed sync, sent again after): {self.orphan_blobs}",
            f"temp files left in the hub folder by killed writes: {self.hub_temp_files}",
        ]


def make_template(folder: Path, small: int, large: int, large_mb: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    words = ["memory", "agent", "project", "rule", "prefers", "tabs", "tests", "deploy", "never", "always"]
    for number in range(small):
        target = folder / f"project-{number % 40:02d}" / f"note-{number:05d}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = [" ".join(rng.choices(words, k=8)) for _ in range(40)]
        target.write_text(f"# note {number}\n" + "\n".join(lines) + "\n")
    for number in range(large):
        (folder / f"large-{number}.bin").write_bytes(rng.randbytes(large_mb * 1024 * 1024))


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "MEMTRAY_PASSPHRASE": PASSPHRASE,
        "MEMTRAY_KDF_PROFILE": "test",
    }


def _command(laptop: Laptop) -> list[str]:
    return [sys.executable, "-m", "memtray", "--home", str(laptop.home), "sync", "--allow-mass-delete"]


def timed_sync(laptop: Laptop) -> float:
    started = time.monotonic()
    subprocess.run(_command(laptop), env=_env(), check=True, capture_output=True, timeout=600)
    return time.monotonic() - started


def killed_sync(laptop: Laptop, delay: float, ready: Callable[[], bool] | None = None) -> Kill:
    """Start ``memtray sync`` and SIGKILL it after ``delay`` seconds, or as soon as ``ready()`` holds."""
    process = subprocess.Popen(_command(laptop), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + delay
    while process.poll() is None and time.monotonic() < deadline and not (ready and ready()):
        time.sleep(0.002)
    if process.poll() is not None:
        return Kill(delay, True, [])
    open_files = []
    fd_dir = Path(f"/proc/{process.pid}/fd")
    try:
        for fd in os.listdir(fd_dir):
            try:
                open_files.append(os.readlink(fd_dir / fd))
            except OSError:
                continue
    except OSError:
        pass
    process.send_signal(signal.SIGKILL)
    process.wait()
    return Kill(delay, False, open_files)


def _fd_phase(kill: Kill, folder: Path, hub_root: Path) -> str:
    for name in kill.open_files:
        path = Path(name)
        if folder in path.parents:
            return (
                "mid-local-write (temp file open)" if path.name.startswith(TEMP_PREFIX) else "mid-scan (reading a file)"
            )
        if hub_root in path.parents:
            relative = path.relative_to(hub_root).as_posix()
            if path.name.startswith("."):
                return "mid-push (writing a hub object)"
            if relative.startswith(("log/", "blob/")):
                return "mid-pull (reading a hub object)"
    return ""


def count_files(folder: Path) -> int:
    """Files in ``folder`` other than memtray's temp files (safe while memtray writes there)."""
    return sum(1 for path in folder.rglob("*") if not path.name.startswith(TEMP_PREFIX) and path.is_file())


def _index(laptop: Laptop) -> sqlite3.Connection:
    return sqlite3.connect(laptop.home / "data" / "index.sqlite3")


def classify_push(kill: Kill, a: Laptop, hub: HubEndpoint, device: str) -> str:
    if kill.finished_first:
        return "push finished before the kill"
    seen = _fd_phase(kill, a.folder(FOLDER), Path(hub.raw.root))  # type: ignore[attr-defined]
    if seen:
        return seen
    entries = len(hub.raw.keys(f"log/{device}/"))
    blobs = len(hub.raw.keys("blob/"))
    with _index(a) as db:
        files = db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        pending = db.execute("SELECT COUNT(*) FROM files WHERE pending = 1").fetchone()[0]
        seq = int(db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0])
    if entries > seq:
        return "mid-push (entry on the hub, index not yet updated: adopted next time)"
    if files == 0 and not any(name.endswith("index.sqlite3") for name in kill.open_files):
        return "start-up (index not opened yet)"
    if files == 0:
        return "checking the hub or mid-scan (index open, nothing recorded, nothing sent)"
    if pending and blobs == 0 and entries == 1:
        return "after recording, before sending"
    if pending:
        return "mid-push (blobs or some entries sent)"
    return "after the push, before exit"


def classify_pull(kill: Kill, b: Laptop, hub: HubEndpoint, total: int, a_device: str) -> str:
    if kill.finished_first:
        return "pull finished before the kill"
    seen = _fd_phase(kill, b.folder(FOLDER), Path(hub.raw.root))  # type: ignore[attr-defined]
    if seen:
        return seen
    with _index(b) as db:
        cursor = db.execute("SELECT seq FROM cursors WHERE device = ?", (a_device,)).fetchone()
    written = len(tree(b.folder(FOLDER)))
    if cursor and cursor[0] == len(hub.raw.keys(f"log/{a_device}/")):
        return "after recording the pull (" + ("all" if written == total else "some") + " files written)"
    if written == 0 and not any(name.endswith("index.sqlite3") for name in kill.open_files):
        return "start-up (index not opened yet)"
    if written == 0:
        return "mid-pull: fetching, verifying, reconciling (index open, nothing written)"
    if written < total:
        return "mid-local-write (some files written)"
    return "after writing, before recording"


def check_no_duplicates(a: Laptop, b: Laptop, hub: HubEndpoint, expected: dict[str, bytes]) -> int:
    """Every change in exactly one entry, none from B; returns the number of orphan blobs."""
    service = Service(resolve_home(a.home))
    try:
        keys = service.vault_keys()
        a_id, b_id = service.config.device_id, _device_id(b)
        changes: collections.Counter[tuple[str, str]] = collections.Counter()
        referenced = set()
        for key in hub.raw.keys("log/"):
            _, device, seq = key.split("/")
            entry = open_entry(keys, hub.raw.read(log_key(device, int(seq, 16))), device, int(seq, 16))
            assert not (device == b_id and entry.changes), f"B only received, yet sent {len(entry.changes)} changes"
            for change in entry.changes:
                changes[(device, change.version.path)] += 1
                if change.version.blob:
                    referenced.add(change.version.blob)
    finally:
        service.close()
    doubled = {path: count for (_, path), count in changes.items() if count > 1}
    assert not doubled, f"changes sent more than once: {list(doubled.items())[:5]}"
    assert {path for device, path in changes if device == a_id} == set(expected)
    return len({key.split("/")[1] for key in hub.raw.keys("blob/")} - referenced)


def _device_id(laptop: Laptop) -> str:
    service = Service(resolve_home(laptop.home))
    try:
        return service.config.device_id
    finally:
        service.close()


def check_trial(a: Laptop, b: Laptop, hub: HubEndpoint, expected: dict[str, bytes]) -> int:
    assert_synced([a, b], hub, FOLDER)
    for laptop in (a, b):
        assert tree(laptop.folder(FOLDER)) == expected, f"{laptop.name}'s files differ from what A started with"
        assert not (laptop.folder(FOLDER) / CONFLICTS_DIR).exists(), f"{laptop.name} made conflict copies"
        strays = [p for p in laptop.folder(FOLDER).rglob(f"{TEMP_PREFIX}*")]
        assert not strays, f"{laptop.name} kept temp files: {strays[:3]}"
        with _index(laptop) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return check_no_duplicates(a, b, hub, expected)


def pair(workdir: Path) -> tuple[Laptop, Laptop, HubEndpoint]:
    """A and B in one vault, the folder known to both and still empty."""
    hub = folder_endpoint(workdir / "hub")
    a, b = Laptop("Laptop-A", workdir / "A", hub), Laptop("Laptop-B", workdir / "B", hub)
    for laptop in (a, b):
        laptop.folder(FOLDER).mkdir(parents=True)
    first = Service(resolve_home(a.home))
    first.init(hub.url, PASSPHRASE, device_name=a.name)
    first.add_folder(FOLDER, str(a.folder(FOLDER)))
    first.sync()
    first.close()
    second = Service(resolve_home(b.home))
    second.join(hub.url, PASSPHRASE, device_name=b.name)
    second.map_folder(FOLDER, str(b.folder(FOLDER)))
    second.close()
    return a, b, hub


def run_trial(workdir: Path, template: Path, push_at: float | None, pull_at: float | None) -> tuple[list[str], int]:
    """One trial; kills at the given delays (None: no kill, for calibration). Phases hit, orphan blobs."""
    a, b, hub = pair(workdir)
    shutil.copytree(template, a.folder(FOLDER), dirs_exist_ok=True)
    expected = tree(a.folder(FOLDER))
    phases = []
    a_device = _device_id(a)
    if push_at is not None:
        kill = killed_sync(a, push_at)
        phases.append("A: " + classify_push(kill, a, hub, a_device))
    timed_sync(a)
    if pull_at is not None:
        kill = killed_sync(b, pull_at)
        phases.append("B: " + classify_pull(kill, b, hub, len(expected), a_device))
    timed_sync(b)
    timed_sync(a)
    return phases, check_trial(a, b, hub, expected)


def calibrate(workdir: Path, template: Path) -> tuple[float, float]:
    """Wall time of an uninterrupted push and pull of the template (also a no-crash trial)."""
    a, b, hub = pair(workdir)
    shutil.copytree(template, a.folder(FOLDER), dirs_exist_ok=True)
    expected = tree(a.folder(FOLDER))
    push = timed_sync(a)
    pull = timed_sync(b)
    timed_sync(a)
    check_trial(a, b, hub, expected)
    return push, pull


@dataclass
class PlannedTrial:
    number: int
    folder: Path
    template: Path
    push_at: float
    pull_at: float
    rng: random.Random


def planned_trials(
    workdir: Path, trials: int, seed: int, small: int, large: int, large_mb: int
) -> Iterator[PlannedTrial]:
    """The template, made and timed once uninterrupted; then each trial's folder and kill moments (the push's in
    one stratum of the calibrated run each, the pull's in a random one), the folder removed once the trial is done."""
    template = workdir / "template"
    make_template(template, small, large, large_mb)
    push_time, pull_time = calibrate(workdir / "calibration", template)
    shutil.rmtree(workdir / "calibration")
    rng = random.Random(seed)
    for number in range(trials):
        push_at = push_time * 1.1 * (number + rng.random()) / trials
        pull_at = pull_time * 1.1 * (rng.randrange(trials) + rng.random()) / trials
        folder = workdir / f"trial-{number}"
        yield PlannedTrial(number, folder, template, push_at, pull_at, rng)
        shutil.rmtree(folder)


def run_trials(
    workdir: Path, trials: int, seed: int, small: int, large: int, large_mb: int, log: object = None
) -> Report:
    report = Report()
    for trial in planned_trials(workdir, trials, seed, small, large, large_mb):
        phases, orphans = run_trial(trial.folder, trial.template, trial.push_at, trial.pull_at)
        report.hub_temp_files += sum(1 for _ in (trial.folder / "hub").rglob(".tmp-*"))
        report.trials += 1
        report.orphan_blobs += orphans
        report.phases.update(phases)
        if log:
            print(
                f"trial {trial.number}: push killed at {trial.push_at:.2f}s, pull at {trial.pull_at:.2f}s: {phases}",
                flush=True,
            )
    return report


class _Report(Protocol):
    def lines(self) -> list[str]: ...


def command_line(description: str | None, trials: int, small: int, large_mb: int) -> argparse.Namespace:
    """The trials' command-line options, with these defaults."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=trials)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--small", type=int, default=small, help="small files (~2 KB each)")
    parser.add_argument("--large", type=int, default=3, help="large files")
    parser.add_argument("--large-mb", type=int, default=large_mb, help="size of each large file in MB")
    return parser.parse_args()


def print_report(prefix: str, run: Callable[[Path], _Report]) -> int:
    """Run trials in a keyring session and a scratch folder of their own (both gone afterwards); print the report."""
    from tests.support.desktop import start_keyring_session

    session = start_keyring_session()
    os.environ.update(session.env)
    os.environ["MEMTRAY_KDF_PROFILE"] = "test"
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        report = run(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        session.stop()
    print("\n".join(report.lines()))
    return 0


def main() -> int:
    args = command_line(__doc__, trials=50, small=3000, large_mb=8)
    return print_report(
        "memtray-crash-",
        lambda workdir: run_trials(workdir, args.trials, args.seed, args.small, args.large, args.large_mb, log=True),
    )


if __name__ == "__main__":
    sys.exit(main())
