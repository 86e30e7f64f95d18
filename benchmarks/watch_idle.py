"""Idle cost of ``memtray sync --watch``: CPU, wake-ups and memory while nothing changes.

    python benchmarks/watch_idle.py [--files 10000] [--seconds 60] [--hub folder|memtray] [--tray]

Makes a vault with ``--files`` memory files (benchmarks/common.py) on a folder hub (or on a real
``memtray hub serve``, whose change feed the watcher long-polls), pushes it once, starts
``memtray sync --watch`` on it, waits for its first sync and lets it idle for ``--seconds``. With
``--tray`` it then measures the tray app on the same home the same way (Xvfb + trayer needed).

Figures, for the whole process tree of the measured process:
- CPU seconds: utime + stime from /proc/PID/stat;
- context switches per minute, voluntary and involuntary, from /proc/PID/task/*/status: a thread
  that sleeps and is woken by a timer or I/O switches out once per wake-up, so the voluntary ones
  count wake-ups. Threads may come and go, so the counters are sampled every second and the
  increases per thread summed;
- RSS at the end.
Budget (issue 16): as quiet as the tray, ≈ 0 % CPU and ≤ 2 wake-ups a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.common import PASSPHRASE, generate  # noqa: E402
from memtray.paths import resolve_home  # noqa: E402
from memtray.service import Service  # noqa: E402
from tests.servers.http_hub import run_hub_server  # noqa: E402
from tests.support.desktop import start_keyring_session  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_SECONDS = 1.0
FIRST_SYNC_SECONDS = 600.0


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in task.read_text().split())
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def switches(pids: list[int]) -> dict[tuple[int, str], tuple[int, int]]:
    """Per (process, thread id): (voluntary, involuntary) context switches so far."""
    counts: dict[tuple[int, str], tuple[int, int]] = {}
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            with contextlib.suppress(OSError):
                fields = dict(line.split(":", 1) for line in (task / "status").read_text().splitlines() if ":" in line)
                counts[(pid, task.name)] = (
                    int(fields["voluntary_ctxt_switches"]),
                    int(fields["nonvoluntary_ctxt_switches"]),
                )
    return counts


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


@dataclass
class Idle:
    seconds: float
    cpu: float = 0.0
    voluntary: int = 0
    involuntary: int = 0
    by_thread: dict[str, int] = field(default_factory=dict)
    rss: float = 0.0

    def per_minute(self, count: int) -> float:
        return count * 60 / self.seconds

    def report(self, title: str) -> None:
        print(title)
        print(
            f"  CPU:                {self.cpu:.2f} s over {self.seconds:.0f} s ({100 * self.cpu / self.seconds:.2f} %)"
        )
        print(
            f"  context switches:   {self.per_minute(self.voluntary + self.involuntary):.1f} per minute "
            f"({self.per_minute(self.voluntary):.1f} voluntary = wake-ups, "
            f"{self.per_minute(self.involuntary):.1f} involuntary)"
        )
        busy = sorted(self.by_thread.items(), key=lambda item: -item[1])
        print("  wake-ups by thread: " + (", ".join(f"{name} {count}" for name, count in busy) or "none"))
        print(f"  RSS:                {self.rss:.0f} MB")


def measure(pid: int, seconds: float) -> Idle:
    idle = Idle(seconds)
    pids = tree(pid)
    cpu_before, last = cpu_seconds(pids), switches(pids)
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(SAMPLE_SECONDS, left))
        pids = tree(pid)
        now = switches(pids)
        for key, (voluntary, involuntary) in now.items():
            before = last.get(key, (0, 0))
            idle.voluntary += voluntary - before[0]
            idle.involuntary += involuntary - before[1]
            if voluntary > before[0]:
                name = f"{_comm(*key)}[{key[1]}]"
                idle.by_thread[name] = idle.by_thread.get(name, 0) + voluntary - before[0]
        last = {**last, **now}
    idle.cpu = cpu_seconds(pids) - cpu_before
    idle.rss = rss_mb(pids)
    return idle


def _comm(pid: int, tid: str) -> str:
    try:
        return Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
    except OSError:
        return "?"


@contextlib.contextmanager
def hub_url(kind: str, root: Path) -> Iterator[tuple[str, str | None]]:
    """The hub's address and the invite ``init`` needs (memtray hub only)."""
    if kind == "folder":
        yield str(root / "hub"), None
        return
    with run_hub_server(root / "server") as hub:
        yield hub.url, hub.new_invite()


def make_vault(root: Path, url: str, invite: str | None, files: int) -> Path:
    folder = root / "memory"
    generate(folder, files)
    home_dir = root / "home"
    service = Service(resolve_home(home_dir))
    service.init(url, PASSPHRASE, invite=invite, device_name="Benchmark laptop")
    service.add_folder("memory", str(folder))
    started = time.perf_counter()
    result = service.sync()
    print(f"first push of {files} files: {time.perf_counter() - started:.1f} s ({result.uploaded} sent)")
    service.close()
    return home_dir


def last_sync(home_dir: Path) -> float:
    service = Service(resolve_home(home_dir))
    try:
        return service.status().last_sync or 0.0
    finally:
        service.close()


def wait_for_first_sync(process: subprocess.Popen[bytes], home_dir: Path, since: float) -> None:
    deadline = time.monotonic() + FIRST_SYNC_SECONDS
    while last_sync(home_dir) <= since:
        if process.poll() is not None:
            raise RuntimeError(f"memtray exited with {process.returncode} before its first sync")
        if time.monotonic() > deadline:
            raise RuntimeError("memtray did not finish its first sync")
        time.sleep(0.5)


def idle_run(command: list[str], home_dir: Path, env: dict[str, str], log: Path, args: argparse.Namespace) -> Idle:
    since = time.time()
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    try:
        wait_for_first_sync(process, home_dir, since)
        time.sleep(args.settle)
        return measure(process.pid, args.seconds)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="files in the vault")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the idle measurement")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds to wait after the first sync")
    parser.add_argument("--hub", choices=("folder", "memtray"), default="folder", help="the kind of hub")
    parser.add_argument("--tray", action="store_true", help="then measure the tray app the same way")
    args = parser.parse_args()

    keyring = start_keyring_session()
    env = {**os.environ, **keyring.env, "PYTHONPATH": str(REPO_ROOT), "MEMTRAY_PASSPHRASE": PASSPHRASE}
    os.environ.update(keyring.env)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="memtray-watch-idle-") as folder,
            hub_url(args.hub, Path(folder)) as hub,
        ):
            root = Path(folder)
            home_dir = make_vault(root, *hub, args.files)
            memtray = [sys.executable, "-m", "memtray", "--home", str(home_dir)]
            watch = idle_run([*memtray, "sync", "--watch"], home_dir, env, root / "watch.log", args)
            watch.report(f"memtray sync --watch, {args.hub} hub, {args.files} files, idle:")
            if args.tray:
                measure_tray(memtray, home_dir, env, root, args)
    finally:
        keyring.stop()
    return 0


def measure_tray(memtray: list[str], home_dir: Path, env: dict[str, str], root: Path, args: argparse.Namespace) -> None:
    from tests.support.display import start_desktop

    try:
        desktop = start_desktop()
    except (OSError, RuntimeError) as error:
        print(f"tray app: not measured, no desktop to show it on ({error})")
        return
    try:
        tray_env = {**env, "DISPLAY": desktop.display}
        tray_env.pop("QT_QPA_PLATFORM", None)
        tray = idle_run(memtray, home_dir, tray_env, root / "tray.log", args)
        tray.report(f"tray app, {args.hub} hub, {args.files} files, idle:")
    finally:
        desktop.stop()


if __name__ == "__main__":
    raise SystemExit(main())
