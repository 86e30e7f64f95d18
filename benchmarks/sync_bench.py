"""memtray against ``rclone sync`` to an rclone crypt remote, on the same generated memory files.

    /work/venv/bin/python benchmarks/sync_bench.py [--files 10000] [--repeat 3] [--scale]

(run from the repository root). ``--scale`` runs 1,000, 10,000 and 50,000 files instead of
``--files``. Each repeat starts from scratch in a fresh temp folder and prints one table; the last
table is the median of the repeats, with the spread (max − min) as the noise.

memtray, on a folder hub:
- first push: ``memtray sync`` as a process (laptop A set up in-process beforehand),
- join + full pull: ``memtray join HUB --folder memory=PATH`` on laptop B, one process (what the README tells a
  person to run); and the same in three processes on laptop C (``memtray join HUB``, ``memtray folder map``,
  ``memtray sync``) for reference,
- no-change sync: ``Service.sync()`` in this process with the keys already unlocked (the tray app's
  case; median of 5), and ``memtray sync`` as a process for reference,
- one-file change: ``Service.sync()`` in-process on A after editing one file, and on B receiving it,
- peak RSS: the largest resident set of any memtray process above.
rclone: ``rclone sync SRC crypt:`` (crypt over a local folder, temp rclone.conf, ``rclone obscure``d
passwords): first push and no-change sync; ``rclone copy crypt: DEST``: a second laptop's full pull. Ratios are
memtray / rclone (below 1 = memtray faster). ``one_run`` returns one run's figures (``benchmarks/compare.py`` uses it).

Set-up uses a private gnome-keyring session. The vault is made with the real (calibrated) Argon2 settings, so each
join derives the key as a person's join does (about 0.5 s by design; rclone's crypt derives its key with a much
lighter scrypt); no other timed process derives it (a laptop keeps its unlock key in the keychain).
The memtray processes run without PYTHONDONTWRITEBYTECODE, with the bytecode written
beforehand, as an installed memtray does. Figures are wall-clock seconds on whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    PASSPHRASE,
    REPO,
    creation_cost,
    generate,
    process_env,
    rclone_crypt_copy,
    rclone_crypt_sync,
    remove_scratch,
    scratch_folder,
    timed,
    write_bytecode,
)
from memtray.paths import resolve_home
from memtray.service import Service
from tests.support.desktop import start_keyring_session

BUDGET_NO_CHANGE = 0.150
BUDGET_FIRST = 3.0
KDF_PROFILE = "MEMTRAY_KDF_PROFILE"
Figures = dict[str, float]


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one process, started once the disk has written out what earlier steps
    left in memory: a command that flushes its own writes (memtray does, before it records them) would otherwise
    also wait for the writes of whatever ran before it."""
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[:6])}… failed: {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_maxrss


def memtray(home: Path, *args: str) -> tuple[float, int]:
    env = {**process_env(drop=(KDF_PROFILE,)), "MEMTRAY_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(REPO)}
    return run([sys.executable, "-m", "memtray", "--home", str(home), *args], env)


@contextmanager
def real_kdf() -> Iterator[None]:
    """The real (calibrated) Argon2 settings in this process, whatever the test profile outside says."""
    profile = os.environ.pop(KDF_PROFILE, None)
    try:
        yield
    finally:
        if profile is not None:
            os.environ[KDF_PROFILE] = profile


def bench_memtray(work: Path, source: Path) -> tuple[Figures, int]:
    hub = work / "hub"
    a_home, b_home, b_folder, c_home = work / "a", work / "b", work / "b-memory", work / "c"
    with real_kdf():
        setup = Service(resolve_home(a_home))
        setup.init(str(hub), PASSPHRASE, device_name="Laptop-A")
        setup.add_folder("memory", str(source))
        setup.close()
    figures: Figures = {}
    figures["first push"], rss = memtray(a_home, "sync")
    figures["join + full pull"], rss_join = memtray(
        b_home, "join", str(hub), "--device-name", "Laptop-B", "--folder", f"memory={b_folder}"
    )
    join, _ = memtray(c_home, "join", str(hub), "--device-name", "Laptop-C")
    place, rss_map = memtray(c_home, "folder", "map", "memory", str(work / "c-memory"))
    pull, rss_pull = memtray(c_home, "sync")
    figures["join + full pull, 3 processes"] = join + place + pull
    figures["no-change sync, CLI process"], rss_cli = memtray(a_home, "sync")
    a, b = Service(resolve_home(a_home)), Service(resolve_home(b_home))
    a.sync()
    b.sync()
    figures["no-change sync, in-process"] = statistics.median(timed(a.sync) for _ in range(5))
    edited = next(source.rglob("*.md"))
    edited.write_text(edited.read_text() + "one more line\n")
    figures["one-file change: send"] = timed(a.sync)
    figures["one-file change: receive"] = timed(b.sync)
    assert (b_folder / edited.relative_to(source)).read_bytes() == edited.read_bytes()
    a.close()
    b.close()
    return figures, max(rss, rss_join, rss_map, rss_pull, rss_cli)


def bench_rclone(work: Path, source: Path) -> Figures:
    command = rclone_crypt_sync(work, source)
    first, _ = run(command)
    again, _ = run(command)
    pull, _ = run(rclone_crypt_copy(work, work / "pulled"))
    return {"first push": first, "no-change sync": again, "full pull": pull}


def one_run(count: int, peer_first: bool = False) -> Figures:
    """One run on ``count`` fresh files; expects a keyring session in the environment. ``peer_first``: rclone's steps
    run before memtray's; callers give each side the first place in every second run. The run's files stay until
    ``remove_scratch`` (see ``scratch_folder``): while each run removed its own, a file created in the next run's
    first minute cost up to 15 times as much, and whichever program went first paid 1.8-5.8x what the other did."""
    write_bytecode()
    work = scratch_folder("memtray-sync-bench-")
    source = work / "memory"
    generate(source, count)
    creation = creation_cost(work)
    if peer_first:
        rclone = bench_rclone(work / "rclone", source)
        figures, rss = bench_memtray(work / "memtray", source)
    else:
        figures, rss = bench_memtray(work / "memtray", source)
        rclone = bench_rclone(work / "rclone", source)
    figures["peak RSS (MB)"] = rss / 1024
    figures["disk: creating one file (µs)"] = creation * 1e6
    figures["rclone first push"] = rclone["first push"]
    figures["rclone no-change sync"] = rclone["no-change sync"]
    figures["rclone full pull"] = rclone["full pull"]
    figures["ratio first push (memtray/rclone)"] = figures["first push"] / rclone["first push"]
    figures["ratio no-change CLI (memtray/rclone)"] = figures["no-change sync, CLI process"] / rclone["no-change sync"]
    figures["ratio no-change in-process (memtray/rclone)"] = (
        figures["no-change sync, in-process"] / rclone["no-change sync"]
    )
    figures["ratio join + full pull (memtray/rclone)"] = figures["join + full pull"] / rclone["full pull"]
    figures["ratio join + full pull, 3 processes"] = figures["join + full pull, 3 processes"] / rclone["full pull"]
    return figures


def verdicts(count: int, figures: Figures) -> list[str]:
    if count != 10_000:
        return []
    checks = [
        ("no-change sync ≤ 150 ms", figures["no-change sync, in-process"] <= BUDGET_NO_CHANGE),
        ("first push ≤ 3 s", figures["first push"] <= BUDGET_FIRST),
        ("join + full pull ≤ 3 s", figures["join + full pull"] <= BUDGET_FIRST),
        ("first push faster than rclone crypt", figures["first push"] < figures["rclone first push"]),
    ]
    return [f"  budget: {name}: {'met' if ok else 'MISSED'}" for name, ok in checks]


def table(title: str, runs: list[Figures]) -> str:
    lines = [title, f"  {'measure':46} {'median':>9} {'noise':>9}"]
    for key in runs[0]:
        values = [run[key] for run in runs]
        spread = max(values) - min(values)
        lines.append(f"  {key:46} {statistics.median(values):9.3f} {spread:9.3f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", action="store_true", help="run 1,000, 10,000 and 50,000 files")
    args = parser.parse_args()
    if not shutil.which("rclone"):
        raise SystemExit("rclone is not installed (apt-get install rclone).")
    os.environ["MEMTRAY_KDF_PROFILE"] = "test"
    for variable in ("MEMTRAY_PASSPHRASE", "MEMTRAY_HOME"):
        os.environ.pop(variable, None)
    keyring = start_keyring_session()
    os.environ.update(keyring.env)
    try:
        for count in (1_000, 10_000, 50_000) if args.scale else (args.files,):
            runs = []
            for number in range(args.repeat):
                runs.append(one_run(count, peer_first=number % 2 == 1))
                print(table(f"{count} files, run {number + 1} (seconds unless stated)", runs[-1:]), flush=True)
            print(table(f"{count} files, median of {args.repeat} runs (noise = max - min)", runs))
            print("\n".join(verdicts(count, {key: statistics.median(r[key] for r in runs) for key in runs[0]})))
    finally:
        keyring.stop()
        remove_scratch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
