"""Edit on laptop A → file on laptop B's disk, through a real memtray hub with both laptops watching, side by
side with a Syncthing pair on loopback.

    python benchmarks/hub_propagation.py [--edits 50] [--files 1000 10000] [--no-syncthing]

For each folder size: starts ``memtray hub serve`` on 127.0.0.1, sets up two laptops as separate ``--home``
folders with the real CLI (``init --invite``, ``folder add``, ``setup-code``, ``join``, ``folder map``) on a
folder of that many ~2 KB notes plus MEMORY.md, runs ``memtray sync --watch`` for both, then edits MEMORY.md on A
``--edits`` times and times how long until B's copy has the new text. The same folder is then shared by two
Syncthing instances (watcher delay 1 s; see syncthing_pair.py) and edited the same way. Prints p50/p95/max of
both and their ratio, and where memtray's time goes (medians, from both watchers' logs):
- debounce: the edit → A's watcher starts its sync;
- A sync: A's sync (scan of what the watcher reported, push);
- feed: A's sync done → B's change feed woke (negative when B woke while A was still finishing);
- B starts: B's feed woke → B's sync started (B was busy);
- pull: B's sync started → the new text on B's disk.
Needs dbus-daemon and gnome-keyring-daemon (a private keyring session is started, as in the tests). memtray's
processes run without PYTHONDONTWRITEBYTECODE, with the bytecode written beforehand, as an installed memtray does.
``measure_memtray`` and ``measure_syncthing`` return the figures (``benchmarks/compare.py`` uses them).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import syncthing_pair
from benchmarks.common import generate, process_env, write_bytecode
from tests.servers._process import logged
from tests.servers.http_hub import memtray_command, memtray_env, run_hub_server
from tests.support.desktop import start_keyring_session

PASSPHRASE = "benchmark passphrase, not a secret"
EDIT_TIMEOUT = 30.0
SETTLE_SECONDS = 0.5
POLL_SECONDS = 0.002
TARGET = "MEMORY.md"
LOG_LINE = re.compile(r"(sync --watch: (\w+)|change feed: the hub changed) at (\d+\.\d+)")


class Laptop:
    def __init__(self, home: Path, folder: Path, env: dict[str, str]) -> None:
        self.home, self.folder, self.env = home, folder, env
        folder.mkdir(parents=True, exist_ok=True)

    def run(self, *args: str) -> str:
        done = subprocess.run(
            memtray_command("--home", str(self.home), *args),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"memtray {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    @contextlib.contextmanager
    def watching(self) -> Iterator[subprocess.Popen[bytes]]:
        command = memtray_command("--home", str(self.home), "sync", "--watch")
        with logged(command, self.home / "watch.log", self.env) as process:
            yield process

    def events(self) -> list[tuple[float, str]]:
        """(wall time, "files"/"hub"/.../"done"/"feed") from this laptop's log."""
        found = []
        for log_file in sorted((self.home).rglob("memtray.log")):
            for match in LOG_LINE.finditer(log_file.read_text(errors="replace")):
                found.append((float(match.group(3)), match.group(2) or "feed"))
        return sorted(found)


def wait_for_text(path: Path, text: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if path.read_text() == text:
                return True
        time.sleep(POLL_SECONDS)
    return False


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def fill(folder: Path, files: int) -> None:
    generate(folder, files)
    (folder / TARGET).write_text("first line\n")


def set_up(root: Path, hub_url: str, invite: str, env: dict[str, str], files: int) -> tuple[Laptop, Laptop]:
    a = Laptop(root / "A" / "home", root / "A" / "memory", env)
    b = Laptop(root / "B" / "home", root / "B" / "memory", env)
    fill(a.folder, files)
    a.run("init", hub_url, "--invite", invite, "--device-name", "laptop A")
    a.run("folder", "add", "memory", str(a.folder))
    a.run("sync")
    code = a.run("setup-code").strip().splitlines()[-1]
    b.run("join", code, "--device-name", "laptop B")
    b.run("folder", "map", "memory", str(b.folder))
    b.run("sync")
    if (b.folder / TARGET).read_text() != "first line\n":
        raise RuntimeError("laptop B did not receive the first file")
    return a, b


def edit_many(source: Path, target: Path, edits: int) -> tuple[list[tuple[float, float]], int]:
    """(wall time of the edit, seconds until B has it) per edit that arrived; and how many did not."""
    arrived: list[tuple[float, float]] = []
    missed = 0
    for n in range(edits):
        text = f"first line\nedit {n} at {time.time():.6f}\n"
        wall, started = time.time(), time.monotonic()
        source.write_text(text)
        if wait_for_text(target, text, EDIT_TIMEOUT):
            arrived.append((wall, time.monotonic() - started))
        else:
            missed += 1
        time.sleep(SETTLE_SECONDS)
    return arrived, missed


def breakdown(arrived: list[tuple[float, float]], a: Laptop, b: Laptop) -> dict[str, float]:
    """Median seconds of each step (see the module docstring)."""
    a_events, b_events = a.events(), b.events()

    def first(events: list[tuple[float, str]], after: float, kinds: tuple[str, ...]) -> float | None:
        return next((when for when, kind in events if when >= after and kind in kinds), None)

    steps: dict[str, list[float]] = {"debounce": [], "A sync": [], "feed": [], "B starts": [], "pull": []}
    for edited, seconds in arrived:
        a_start = first(a_events, edited, ("files",))
        a_done = first(a_events, a_start or edited, ("done",))
        b_woke = first(b_events, a_start or edited, ("feed",))
        b_start = first(b_events, b_woke or edited, ("hub", "files", "interval"))
        if None in (a_start, a_done, b_woke, b_start):
            continue
        assert a_start and a_done and b_woke and b_start
        steps["debounce"].append(a_start - edited)
        steps["A sync"].append(a_done - a_start)
        steps["feed"].append(b_woke - a_done)
        steps["B starts"].append(b_start - b_woke)
        steps["pull"].append(edited + seconds - b_start)
    return {step: statistics.median(values) if values else float("nan") for step, values in steps.items()}


def laptop_env(keyring_env: dict[str, str]) -> dict[str, str]:
    """The environment of both laptops' memtray processes."""
    env = {**process_env(memtray_env()), **keyring_env, "MEMTRAY_PASSPHRASE": PASSPHRASE}
    env.setdefault("MEMTRAY_KDF_PROFILE", "test")
    return env


def measure_memtray(files: int, edits: int, env: dict[str, str]) -> tuple[list[float], int, dict[str, float]]:
    """Seconds per edit that arrived, how many did not, and where the time went; the hub inherits this process's
    environment (take PYTHONDONTWRITEBYTECODE out of it first)."""
    write_bytecode()
    with tempfile.TemporaryDirectory(prefix="memtray-propagation-") as folder:
        root = Path(folder)
        with run_hub_server(root / "hub", "--no-access-log") as hub:
            a, b = set_up(root, hub.url, hub.new_invite(), env, files)
            with a.watching(), b.watching():
                time.sleep(SETTLE_SECONDS * 6)
                arrived, missed = edit_many(a.folder / TARGET, b.folder / TARGET, edits)
            steps = breakdown(arrived, a, b)
    return [seconds for _, seconds in arrived], missed, steps


def measure_syncthing(files: int, edits: int) -> tuple[list[float], int]:
    with tempfile.TemporaryDirectory(prefix="syncthing-propagation-") as folder:
        root = Path(folder)
        source, target = root / "A" / "folder", root / "B" / "folder"
        fill(source, files)
        target.mkdir(parents=True)
        with syncthing_pair.pair(root / "st", source, target, watcher_delay=1):
            if not wait_for_text(target / TARGET, "first line\n", 600):
                raise RuntimeError("Syncthing B did not receive the folder")
            synced = syncthing_pair.wait_until(lambda: _count(target) >= files + 1, 900)
            if not synced:
                raise RuntimeError("Syncthing B did not receive every file")
            time.sleep(SETTLE_SECONDS * 6)
            arrived, missed = edit_many(source / TARGET, target / TARGET, edits)
    return [seconds for _, seconds in arrived], missed


def _count(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file() and ".stfolder" not in path.parts)


def line(name: str, times: list[float], missed: int) -> str:
    return (
        f"  {name:<10} p50 {percentile(times, 0.5) * 1000:5.0f} ms  p95 {percentile(times, 0.95) * 1000:5.0f} ms  "
        f"max {max(times, default=float('nan')) * 1000:5.0f} ms  ({len(times)} arrived, {missed} missed)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--no-syncthing", action="store_true", help="measure memtray only")
    args = parser.parse_args()
    with_syncthing = not args.no_syncthing and syncthing_pair.available()
    if not args.no_syncthing and not with_syncthing:
        print("syncthing is not installed: measuring memtray only")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    keyring = start_keyring_session()
    failed = False
    try:
        env = laptop_env(keyring.env)
        for files in args.files:
            times, missed, steps = measure_memtray(files, args.edits, env)
            print(f"{files} files, {args.edits} edits, edit on A → on B's disk:")
            print(line("memtray", times, missed))
            print(
                "    where memtray's time goes (medians): "
                + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in steps.items())
            )
            failed = failed or missed > 0
            if with_syncthing:
                peer, peer_missed = measure_syncthing(files, args.edits)
                print(line("syncthing", peer, peer_missed))
                p50, p95 = (percentile(times, q) / percentile(peer, q) for q in (0.5, 0.95))
                print(f"    memtray / syncthing: p50 {p50:.2f}, p95 {p95:.2f}")
            print(f"    target: memtray p95 ≤ 500 ms: {'met' if percentile(times, 0.95) <= 0.5 else 'NOT met'}")
            sys.stdout.flush()
    finally:
        keyring.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
