"""Idle cost of the real tray app: CPU, wake-ups, memory, and time from start to a visible tray icon.

Runs ``python -m memtray`` under Xvfb + trayer with a private Secret Service, on a home whose vault
(on a folder hub) tracks 10,000 files, lets the first sync finish, then watches the idle process.

    python benchmarks/tray_idle.py [--seconds 60] [--files 10000]

Wake-ups are counted as voluntary context switches of all the app's threads (/proc/PID/task/*/status):
a thread that sleeps in poll()/futex and is woken by a timer, a signal or I/O switches out once per
wake-up, so the sum over an idle stretch is the number of times the app woke the CPU. Threads come
and go (Qt's pool retires idle workers after 30 s), so the counters are sampled every half second
and per-thread increases are summed.
Budgets (docs/design.md §10): ≈0 % CPU idle, ≤ 1 wake-up per 30 s, RSS ≤ 110 MB, start to tray icon ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from memtray.paths import resolve_home  # noqa: E402
from memtray.service import Service  # noqa: E402
from tests.support.desktop import start_keyring_session  # noqa: E402
from tests.support.display import start_desktop, tray_icon_windows  # noqa: E402

PASSPHRASE = "benchmark passphrase, long enough"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def make_vault(root: Path, files: int) -> Path:
    """A home on a folder hub with ``files`` small Markdown files in one folder, pushed once."""
    folder = root / "memory"
    for index in range(files):
        sub = folder / f"project-{index // 100:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"note-{index:05d}.md").write_text(f"# Note {index}\n\n" + "Remember this. " * 120, encoding="utf-8")
    home_dir = root / "home"
    service = Service(resolve_home(home_dir))
    service.init(str(root / "hub"), PASSPHRASE, device_name="Benchmark laptop")
    service.add_folder("memory", str(folder))
    started = time.perf_counter()
    result = service.sync()
    print(f"first push of {files} files: {time.perf_counter() - started:.2f} s ({result.uploaded} sent)")
    service.close()
    return home_dir


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def context_switches(pid: int) -> dict[str, tuple[int, int]]:
    """Per thread id: (voluntary, involuntary) context switches so far."""
    counts: dict[str, tuple[int, int]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = (task / "status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        counts[task.name] = (int(fields["voluntary_ctxt_switches"]), int(fields["nonvoluntary_ctxt_switches"]))
    return counts


def thread_name(pid: int, tid: str) -> str:
    try:
        return Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
    except (FileNotFoundError, ProcessLookupError):
        return "?"


def count_switches(pid: int, seconds: float) -> tuple[dict[str, int], int]:
    """Voluntary context switches per thread name, and involuntary ones in all, over ``seconds``."""
    last = context_switches(pid)
    names = {tid: thread_name(pid, tid) for tid in last}
    voluntary: dict[str, int] = {}
    involuntary = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(min(0.5, max(deadline - time.monotonic(), 0)))
        now = context_switches(pid)
        for tid, (vol, invol) in now.items():
            names.setdefault(tid, thread_name(pid, tid))
            before = last.get(tid, (0, 0))
            if vol > before[0]:
                voluntary[names[tid]] = voluntary.get(names[tid], 0) + vol - before[0]
            involuntary += invol - before[1]
        last = now
    return voluntary, involuntary


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_for_first_sync(home_dir: Path, since: float, timeout: float = 120.0) -> float:
    service = Service(resolve_home(home_dir))
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            last = service.status().last_sync
            if last is not None and last > since:
                return last - since
            time.sleep(0.1)
    finally:
        service.close()
    raise RuntimeError("the tray app did not finish its first sync")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the idle measurement")
    parser.add_argument("--files", type=int, default=10_000, help="files in the vault")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds to wait after the first sync")
    args = parser.parse_args()

    keyring_session = start_keyring_session()
    desktop = start_desktop()
    os.environ.update(keyring_session.env)
    os.environ["DISPLAY"] = desktop.display
    os.environ.pop("QT_QPA_PLATFORM", None)
    app: subprocess.Popen[bytes] | None = None
    with tempfile.TemporaryDirectory(prefix="memtray-bench-") as folder:
        try:
            home_dir = make_vault(Path(folder), args.files)
            wall_start = time.time()
            started = time.perf_counter()
            app = subprocess.Popen([sys.executable, "-m", "memtray", "--home", str(home_dir)], cwd=REPO_ROOT)
            while not tray_icon_windows(desktop.display):
                if app.poll() is not None:
                    raise RuntimeError(f"memtray exited with {app.returncode}")
                time.sleep(0.005)
            to_icon = time.perf_counter() - started
            to_sync = wait_for_first_sync(home_dir, wall_start)
            time.sleep(args.settle)

            cpu_before = cpu_seconds(app.pid)
            voluntary, involuntary = count_switches(app.pid, args.seconds)
            cpu_after = cpu_seconds(app.pid)
            rss = rss_mb(app.pid)

            cpu_percent = 100 * (cpu_after - cpu_before) / args.seconds
            wakeups_per_minute = sum(voluntary.values()) * 60 / args.seconds
            print(f"files in vault:          {args.files}")
            print(f"start to tray icon:      {to_icon:.2f} s   (budget ≤ 1 s)")
            print(f"start to first sync done:{to_sync:6.2f} s")
            print(f"idle CPU over {args.seconds:.0f} s:     {cpu_percent:.2f} %   (budget ≈ 0 %)")
            print(
                f"wake-ups:                {wakeups_per_minute:.1f} per minute = {wakeups_per_minute / 2:.1f} per 30 s"
                f"   (budget ≤ 1 per 30 s; involuntary switches: {involuntary})"
            )
            print(
                "wake-ups by thread:      "
                + (", ".join(f"{name} {count}" for name, count in voluntary.items()) or "none")
            )
            print(f"RSS:                     {rss:.0f} MB   (budget ≤ 110 MB)")
        finally:
            if app is not None and app.poll() is None:
                app.terminate()
                app.wait(timeout=10)
            desktop.stop()
            keyring_session.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
