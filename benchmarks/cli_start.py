"""A command-line ``memtray sync`` that finds nothing to do, against ``rclone sync`` to a crypt remote, on the same
generated memory files, with the real (calibrated) Argon2 settings and a real gnome-keyring.

    .venv/bin/python benchmarks/cli_start.py [--files 1000 10000] [--repeat 3] [--before DIR]

(run from the repository root). ``--before DIR`` also times the checkout in DIR (an older memtray, say
``git worktree add /tmp/before HEAD~1``) in the same run, interleaved, so "before" and "after" see the same load.
Each version gets its own laptop (``init`` on a folder hub, ``folder add``, a first ``sync``); then each round runs
one no-change ``memtray sync`` per version and one no-change ``rclone sync``, and first, for this checkout, one
without the record of the last quiet sync ("full check": as the first ``memtray sync`` after a change anywhere, which
unlocks and reads the index; the next ones are answered from the record that sync leaves). Printed: the median of
the rounds and the spread (max - min) as the noise, and memtray / rclone (below 1 = memtray faster). ``one_size``
returns the figures (``benchmarks/compare.py`` uses it). Wall-clock seconds on whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import PASSPHRASE, generate, process_env, rclone_crypt_sync, write_bytecode  # noqa: E402
from memtray.sync.quiet import QUIET_FILE  # noqa: E402
from tests.support.desktop import start_keyring_session  # noqa: E402

TARGET_RATIO = 0.7
FULL_CHECK = "memtray, full check"
"""The label of the rounds timed without the last quiet sync's record (see memtray/sync/quiet.py): the first
``memtray sync`` after a change anywhere unlocks and reads the index; the ones after it are answered from the record."""
APP_RUNNING = "memtray, app running"
"""The label of the rounds timed while ``memtray sync --watch`` runs for the same home (the tray app's case)."""
# the real Argon2 settings, and no home or hub secret of whoever runs the benchmark
NOT_INHERITED = ("MEMTRAY_KDF_PROFILE", "MEMTRAY_HOME", "MEMTRAY_HUB_SECRET")


def timed(command: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[:6])}… failed: {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_utime + usage.ru_stime


def memtray(code: Path, home: Path, *args: str) -> tuple[float, float]:
    env = {**process_env(drop=NOT_INHERITED), "PYTHONPATH": str(code), "MEMTRAY_PASSPHRASE": PASSPHRASE}
    # run from ``code``: ``-m`` looks in the working folder first
    return timed([sys.executable, "-m", "memtray", "--home", str(home), *args], env, cwd=code)


def set_up_laptop(code: Path, work: Path, source: Path) -> Path:
    home = work / "home"
    memtray(code, home, "init", str(work / "hub"), "--device-name", "Laptop-A")
    memtray(code, home, "folder", "add", "memory", str(source))
    memtray(code, home, "sync")
    return home


@contextlib.contextmanager
def app_running(code: Path, home: Path) -> Iterator[None]:
    """``memtray sync --watch`` for ``home``, as the tray app would be: a no-change ``memtray sync`` then asks it to
    sync (see memtray/control.py) instead of unlocking and reading everything itself."""
    env = {**process_env(drop=NOT_INHERITED), "PYTHONPATH": str(code), "MEMTRAY_PASSPHRASE": PASSPHRASE}
    command = [sys.executable, "-m", "memtray", "--home", str(home), "sync", "--watch"]
    watcher = subprocess.Popen(command, env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        door = home / "data" / "control.sock"
        deadline = time.monotonic() + 120
        while not door.exists():
            if watcher.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("memtray sync --watch did not open its door for the command line")
            time.sleep(0.05)
        yield
    finally:
        watcher.terminate()
        watcher.wait(timeout=60)


def forget_quiet_sync(home: Path) -> None:
    """The next ``memtray sync`` looks at everything, unlocked, as the first one after a change does."""
    (home / "data" / QUIET_FILE).unlink(missing_ok=True)


def rclone_command(work: Path, source: Path) -> list[str]:
    command = rclone_crypt_sync(work, source)
    timed(command, dict(os.environ))  # the first push
    return command


def one_size(count: int, repeat: int, versions: dict[str, Path]) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of each round per ``memtray LABEL`` and ``rclone``; expects a keyring session."""
    for code in versions.values():
        write_bytecode(code)
    with tempfile.TemporaryDirectory(prefix="memtray-cli-bench-") as name:
        work = Path(name)
        source = work / "memory"
        generate(source, count)
        homes = {label: set_up_laptop(code, work / label, source) for label, code in versions.items()}
        rclone = rclone_command(work / "rclone", source)
        figures: dict[str, list[tuple[float, float]]] = {f"memtray {label}": [] for label in versions}
        figures["rclone"] = []
        figures[FULL_CHECK] = []
        for _ in range(repeat):
            forget_quiet_sync(homes["after"])
            figures[FULL_CHECK].append(memtray(versions["after"], homes["after"], "sync"))
            for label, code in versions.items():
                figures[f"memtray {label}"].append(memtray(code, homes[label], "sync"))
            figures["rclone"].append(timed(rclone, dict(os.environ)))
        figures[APP_RUNNING] = []
        with app_running(versions["after"], homes["after"]):
            memtray(versions["after"], homes["after"], "sync")  # waits for the app's own first sync
            for _ in range(repeat):
                figures[APP_RUNNING].append(memtray(versions["after"], homes["after"], "sync"))
    return figures


def report(count: int, figures: dict[str, list[tuple[float, float]]]) -> str:
    """Wall and CPU seconds per tool; CPU time says more than wall time on a machine busy with other work."""
    rounds = len(figures["rclone"])
    lines = [f"{count} files, no-change sync, {rounds} rounds: median (noise = max - min), ratio to rclone"]
    medians: dict[str, tuple[float, float]] = {}
    for label, values in figures.items():
        walls, cpus = [value[0] for value in values], [value[1] for value in values]
        medians[label] = (statistics.median(walls), statistics.median(cpus))
        ratios = ""
        if label != "rclone":
            wall_ratio = medians[label][0] / statistics.median(v[0] for v in figures["rclone"])
            cpu_ratio = medians[label][1] / statistics.median(v[1] for v in figures["rclone"])
            ratios = f"  ratio wall {wall_ratio:5.2f} cpu {cpu_ratio:5.2f}"
        lines.append(
            f"  {label:16} wall {medians[label][0]:6.3f} ({max(walls) - min(walls):5.3f})"
            f"  cpu {medians[label][1]:6.3f} ({max(cpus) - min(cpus):5.3f}){ratios}"
        )
    after = medians["memtray after"][0] / medians["rclone"][0]
    lines.append(
        f"  target wall ≤ {TARGET_RATIO}× rclone: {'met' if after <= TARGET_RATIO else 'MISSED'} ({after:.2f})"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", type=Path, help="an older memtray checkout to time alongside this one")
    args = parser.parse_args()
    if not shutil.which("rclone"):
        raise SystemExit("rclone is not installed (apt-get install rclone).")
    versions = {"after": REPO, **({"before": args.before.resolve()} if args.before else {})}
    keyring = start_keyring_session()
    os.environ.update(keyring.env)
    try:
        for count in args.files:
            print(report(count, one_size(count, args.repeat, versions)), flush=True)
    finally:
        keyring.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
