"""Edit on laptop A → file on laptop B's disk, through a real hub, with both laptops watching.

    python benchmarks/hub_propagation.py [--edits 100]

Starts ``memtray hub serve`` on 127.0.0.1, sets up two laptops as separate ``--home`` folders
with the real CLI (``init --invite``, ``folder add``, ``setup-code``, ``join``, ``folder map``),
runs ``memtray sync --watch`` for both, then edits one file on A ``--edits`` times and times how
long until B's copy has the new text. Prints p50, p95 and max. Needs dbus-daemon and
gnome-keyring-daemon (a private keyring session is started, as in the tests).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers.http_hub import memtray_command, memtray_env, run_hub_server
from tests.support.desktop import start_keyring_session

PASSPHRASE = "benchmark passphrase, not a secret"
EDIT_TIMEOUT = 30.0
SETTLE_SECONDS = 0.5
POLL_SECONDS = 0.002


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
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"memtray {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    @contextlib.contextmanager
    def watching(self) -> Iterator[subprocess.Popen[bytes]]:
        log = (self.home / "watch.log").open("wb")
        process = subprocess.Popen(
            memtray_command("--home", str(self.home), "sync", "--watch"),
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
            log.close()


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


def set_up(root: Path, hub_url: str, invite: str, env: dict[str, str]) -> tuple[Laptop, Laptop]:
    a = Laptop(root / "A" / "home", root / "A" / "memory", env)
    b = Laptop(root / "B" / "home", root / "B" / "memory", env)
    (a.folder / "MEMORY.md").write_text("first line\n")
    a.run("init", hub_url, "--invite", invite, "--device-name", "laptop A")
    a.run("folder", "add", "memory", str(a.folder))
    a.run("sync")
    code = a.run("setup-code").strip().splitlines()[-1]
    b.run("join", code, "--device-name", "laptop B")
    b.run("folder", "map", "memory", str(b.folder))
    b.run("sync")
    if (b.folder / "MEMORY.md").read_text() != "first line\n":
        raise RuntimeError("laptop B did not receive the first file")
    return a, b


def measure(a: Laptop, b: Laptop, edits: int) -> tuple[list[float], int]:
    source, target = a.folder / "MEMORY.md", b.folder / "MEMORY.md"
    times: list[float] = []
    missed = 0
    with a.watching(), b.watching():
        time.sleep(SETTLE_SECONDS * 4)
        for n in range(edits):
            text = f"first line\nedit {n} at {time.time():.6f}\n"
            started = time.monotonic()
            source.write_text(text)
            if wait_for_text(target, text, EDIT_TIMEOUT):
                times.append(time.monotonic() - started)
            else:
                missed += 1
            time.sleep(SETTLE_SECONDS)
    return times, missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=100)
    args = parser.parse_args()
    keyring = start_keyring_session()
    try:
        env = {**memtray_env(), **keyring.env, "MEMTRAY_PASSPHRASE": PASSPHRASE}
        env.setdefault("MEMTRAY_KDF_PROFILE", "test")
        with tempfile.TemporaryDirectory(prefix="memtray-propagation-") as folder:
            root = Path(folder)
            with run_hub_server(root / "hub", "--no-access-log") as hub:
                a, b = set_up(root, hub.url, hub.new_invite(), env)
                times, missed = measure(a, b, args.edits)
                feed_errors = len(re.findall("change feed", (b.home / "watch.log").read_text(errors="replace")))
    finally:
        keyring.stop()
    print(f"edits: {args.edits}, arrived: {len(times)}, missed (>{EDIT_TIMEOUT:.0f} s): {missed}")
    print(
        f"A saves → B has it on disk: p50 {percentile(times, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.0f} ms, max {max(times, default=float('nan')) * 1000:.0f} ms"
    )
    print(f"budget (design §10): ≤ 1000 ms; change-feed errors logged by B: {feed_errors}")
    return 0 if missed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
