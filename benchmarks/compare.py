"""Every comparison with its peer in the same run: one table of memtray, the peer, their ratio and its noise.

    .venv/bin/python -m benchmarks.compare [--runs 3] [--sizes 1000,10000,50000] [--quick] [--json FILE]
        [--only sync,cli,join,propagation] [--syncs 10,1000,10000] [--long-runs 1] [--edits 50]

(from the repository root; needs rclone and syncthing). The rows, each measured ``--runs`` times:
- sync (benchmarks/sync_bench.py), per size of ``--sizes``: first push and the tray app's no-change sync against
  ``rclone sync`` to an rclone crypt remote; a second laptop's join + full pull against ``rclone copy`` out of it.
  rclone's steps go first in every second run, so an even ``--runs`` gives each side the first place as often;
- cli (benchmarks/cli_start.py), per size: a no-change ``memtray sync`` process with the real Argon2 settings and the
  key in a real keychain, against a no-change ``rclone sync``: after a quiet sync (answered from its record), as the
  first after a change (a full check), and while the app runs;
- join (benchmarks/join_after_syncs.py), 1,000 notes, folder hub and memtray hub: a new laptop's join + pull after
  each number of ``--syncs`` small syncs (compaction on), against the same after the first number; then the hub's
  bytes and objects after the last number, with compaction on (each kind) and with the history kept forever (folder
  hub), against the notes' own bytes and count. Cases of more than 1,000 syncs take minutes each, so they run only
  in the first ``--long-runs`` runs;
- propagation (benchmarks/hub_propagation.py), per size up to 10,000: edit on laptop A → on laptop B's disk, p50
  and p95 over ``--edits`` edits, against two Syncthing instances on loopback with a 1 s watcher delay.
The ratio is memtray / peer in each run (below 1: memtray faster or smaller). The table gives the median of each side,
the median ratio and its noise (max − min over the runs), the target where the issue or docs/design.md §10 sets one,
and whether the median meets it. ``--quick``: 1,000 files, 1 run, 10 edits, 10 and 1,000 syncs (options given
alongside it win).
Timed memtray processes run without PYTHONDONTWRITEBYTECODE (with their bytecode written), as an installed memtray.
The sync and join pieces keep their files until the whole comparison is done (``common.scratch_folder`` says why).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from benchmarks import cli_start, hub_propagation, join_after_syncs, sync_bench
from benchmarks.common import REPO, remove_scratch, scratch_folder
from tests.servers import HubEndpoint
from tests.support.desktop import start_keyring_session

PIECES = ("sync", "cli", "join", "propagation")
JOIN_FILES = 1000
EVERY = 50
LONGEST_PROPAGATION = 10_000
FULL = {"runs": 3, "sizes": [1000, 10_000, 50_000], "edits": 50, "syncs": [10, 1000, 10_000]}
QUICK = {"runs": 1, "sizes": [1000], "edits": 10, "syncs": [10, 1000]}


@dataclass(frozen=True)
class Target:
    text: str
    limit: float
    of_ratio: bool

    def met(self, memtray: float, ratio: float) -> bool:
        return (ratio if self.of_ratio else memtray) <= self.limit


@dataclass
class Row:
    name: str
    peer_name: str
    unit: str
    target: Target | None
    memtray: list[float] = field(default_factory=list)
    peer: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        ratios = [mine / theirs for mine, theirs in zip(self.memtray, self.peer, strict=True)]
        memtray, ratio = float(statistics.median(self.memtray)), statistics.median(ratios)
        return {
            "name": self.name,
            "peer": self.peer_name,
            "unit": self.unit,
            "memtray": self.memtray,
            "peer values": self.peer,
            "memtray median": memtray,
            "peer median": float(statistics.median(self.peer)),
            "ratio": ratio,
            "noise": max(ratios) - min(ratios),
            "runs": len(ratios),
            "target": self.target.text if self.target else None,
            "met": self.target.met(memtray, ratio) if self.target else None,
        }


@dataclass
class Table:
    rows: dict[str, Row] = field(default_factory=dict)
    loads: list[float] = field(default_factory=list)
    creation_costs: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def add(self, row: Row, memtray: float, peer: float) -> None:
        kept = self.rows.setdefault(row.name, row)
        kept.memtray.append(memtray)
        kept.peer.append(peer)
        self.loads.append(os.getloadavg()[0])
        print(f"  {row.name}: memtray {memtray:.4g}, {row.peer_name} {peer:.4g} ({row.unit})", flush=True)

    def summaries(self) -> list[dict[str, object]]:
        return [row.summary() for row in self.rows.values()]


def show(value: object, unit: str) -> str:
    assert isinstance(value, float)
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.2f} MB"
    return f"{value:,.0f}"


def render(table: Table) -> str:
    lines = [
        "| comparison | memtray | peer | memtray / peer (median) | noise (max − min) | runs | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in table.summaries():
        unit = str(row["unit"])
        met = "—" if row["met"] is None else ("met" if row["met"] else "**missed**")
        noise = f"{row['noise']:.2f}" if row["runs"] != 1 else "— (1 run)"
        lines.append(
            f"| {row['name']} | {show(row['memtray median'], unit)} | {show(row['peer median'], unit)} ({row['peer']})"
            f" | {row['ratio']:.2f} | {noise} | {row['runs']} | {row['target'] or '—'} | {met} |"
        )
    lines.extend(f"\nfailed, so missing above: {failure}" for failure in table.failed)
    if table.loads:
        lines.append(f"\nload average (1 min) seen while measuring: {min(table.loads):.1f}–{max(table.loads):.1f}")
    if table.creation_costs:
        low, high = min(table.creation_costs), max(table.creation_costs)
        lines.append(f"a new empty file in the runs' folder (both sides pay it per file): {low:.0f}–{high:.0f} µs")
    return "\n".join(lines)


def sync_rows(table: Table, count: int, peer_first: bool) -> None:
    figures = sync_bench.one_run(count, peer_first)
    table.creation_costs.append(figures["disk: creating one file (µs)"])
    files = f"{count:,} files"
    at_10k = count == 10_000
    table.add(
        Row(f"first push, {files}", "rclone sync to crypt", "s", Target("ratio ≤ 0.4", 0.4, of_ratio=True)),
        figures["first push"],
        figures["rclone first push"],
    )
    table.add(
        Row(
            f"no-change sync in the tray app, {files}",
            "rclone sync, no change",
            "s",
            Target("≤ 150 ms", 0.150, of_ratio=False) if at_10k else None,
        ),
        figures["no-change sync, in-process"],
        figures["rclone no-change sync"],
    )
    table.add(
        Row(
            f"join + full pull (`join --folder`, one process), {files}",
            "rclone copy from crypt",
            "s",
            Target("ratio ≤ 1.0", 1.0, of_ratio=True),
        ),
        figures["join + full pull"],
        figures["rclone full pull"],
    )
    table.add(
        Row(f"join + full pull (join, folder map, sync: 3 processes), {files}", "rclone copy from crypt", "s", None),
        figures["join + full pull, 3 processes"],
        figures["rclone full pull"],
    )


def cli_rows(table: Table, count: int) -> None:
    figures = cli_start.one_size(count, 1, {"after": REPO})
    table.add(
        Row(
            f"no-change `memtray sync` process, real Argon2 + keychain, {count:,} files",
            "rclone sync, no change",
            "s",
            Target(f"ratio ≤ {cli_start.TARGET_RATIO}", cli_start.TARGET_RATIO, of_ratio=True),
        ),
        figures["memtray after"][0][0],
        figures["rclone"][0][0],
    )
    table.add(
        Row(
            f"no-change `memtray sync` process, first after a change (full check), {count:,} files",
            "rclone sync, no change",
            "s",
            None,
        ),
        figures[cli_start.FULL_CHECK][0][0],
        figures["rclone"][0][0],
    )
    table.add(
        Row(
            f"no-change `memtray sync` process while the app runs, {count:,} files",
            "rclone sync, no change",
            "s",
            Target(f"ratio ≤ {cli_start.TARGET_RATIO}", cli_start.TARGET_RATIO, of_ratio=True),
        ),
        figures[cli_start.APP_RUNNING][0][0],
        figures["rclone"][0][0],
    )


def hub_size_rows(table: Table, kind: str, syncs: int, history: str, figures: dict[str, float]) -> None:
    within = Target("≤ 2× the notes", 2.0, of_ratio=True) if history == "compaction on" else None
    case = f"after {syncs:,} syncs, {history}, {kind}"
    table.add(Row(f"hub bytes {case}", "the notes' bytes", "MB", within), figures["hub MB"], figures["content MB"])
    table.add(Row(f"hub objects {case}", "the notes", "count", None), figures["hub objects"], JOIN_FILES)


def join_rows(table: Table, syncs: list[int], long_cases: bool) -> None:
    def case(
        hub: Callable[[Path], contextlib.AbstractContextManager[HubEndpoint]], count: int, compact: bool
    ) -> dict[str, float]:
        return join_after_syncs.measure(hub, scratch_folder("memtray-compare-"), JOIN_FILES, count, EVERY, compact)

    counts = [count for count in syncs if long_cases or count <= 1000]
    for name, hub in join_after_syncs.kinds().items():
        kind = name.replace("-", " ") if name == "memtray-hub" else f"{name} hub"
        base = case(hub, syncs[0], True)
        figures = base
        for count in counts[1:]:
            figures = case(hub, count, True)
            table.add(
                Row(
                    f"join + pull after {count:,} small syncs, {kind}",
                    f"after {syncs[0]:,} syncs",
                    "s",
                    Target("≤ 1.2× (within 20 %)", 1.2, of_ratio=True),
                ),
                figures["join + pull"],
                base["join + pull"],
            )
        if counts[-1] == syncs[-1]:
            hub_size_rows(table, kind, syncs[-1], "compaction on", figures)
            if name == "folder":
                hub_size_rows(table, kind, syncs[-1], "history kept forever", case(hub, syncs[-1], False))


def propagation_rows(table: Table, count: int, edits: int, keyring_env: dict[str, str]) -> None:
    times, missed, _ = hub_propagation.measure_memtray(count, edits, hub_propagation.laptop_env(keyring_env))
    peer, peer_missed = hub_propagation.measure_syncthing(count, edits)
    if missed or peer_missed:
        print(
            f"propagation, {count:,} files: {missed} of memtray's and {peer_missed} of Syncthing's edits never arrived"
        )
    percentile = hub_propagation.percentile
    name = f"edit → other laptop, {edits} edits, {count:,} files"
    table.add(
        Row(f"{name}: p50", "Syncthing, 1 s watcher delay", "s", None), percentile(times, 0.5), percentile(peer, 0.5)
    )
    table.add(
        Row(f"{name}: p95", "Syncthing, 1 s watcher delay", "s", Target("≤ 500 ms", 0.5, of_ratio=False)),
        percentile(times, 0.95),
        percentile(peer, 0.95),
    )


def attempt(table: Table, piece: str, measure: Callable[[], None]) -> None:
    """Run one piece; when it fails, say so and go on with the others (a long run keeps what it measured)."""
    try:
        measure()
    except (Exception, SystemExit) as error:
        table.failed.append(f"{piece}: {error}")
        print(f"  {piece} failed: {error}", flush=True)


def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="default 3")
    parser.add_argument("--sizes", type=numbers, help="comma-separated file counts; default 1000,10000,50000")
    parser.add_argument("--syncs", type=numbers, help="comma-separated numbers of syncs; default 10,1000,10000")
    parser.add_argument("--long-runs", type=int, default=1, help="runs that include the cases of over 1,000 syncs")
    parser.add_argument("--edits", type=int, help="default 50")
    parser.add_argument("--only", type=lambda text: text.split(","), default=list(PIECES), help=",".join(PIECES))
    parser.add_argument("--quick", action="store_true", help="1,000 files, 1 run, 10 edits, 10 and 1,000 syncs")
    parser.add_argument("--json", type=Path, help="write the table here as JSON too")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    unknown = set(args.only) - set(PIECES)
    if unknown:
        parser.error(f"unknown pieces: {', '.join(sorted(unknown))}")
    needed = {"rclone": {"sync", "cli"}, "syncthing": {"propagation"}}
    for tool, pieces in needed.items():
        if pieces & set(args.only) and not shutil.which(tool):
            raise SystemExit(
                f"{tool} is not installed (apt-get install {tool}); it is the peer memtray is timed against."
            )
    os.environ["MEMTRAY_KDF_PROFILE"] = "test"
    for variable in ("MEMTRAY_PASSPHRASE", "MEMTRAY_HOME", "MEMTRAY_HUB_SECRET", "PYTHONDONTWRITEBYTECODE"):
        os.environ.pop(variable, None)
    keyring = start_keyring_session()
    os.environ.update(keyring.env)
    table = Table()
    try:
        for run in range(args.runs):
            print(f"run {run + 1} of {args.runs}", flush=True)
            for count in args.sizes:
                if "sync" in args.only:
                    attempt(table, f"sync, {count:,} files", partial(sync_rows, table, count, run % 2 == 1))
                if "cli" in args.only:
                    attempt(table, f"cli, {count:,} files", partial(cli_rows, table, count))
                if "propagation" in args.only and count <= LONGEST_PROPAGATION:
                    attempt(
                        table,
                        f"propagation, {count:,} files",
                        partial(propagation_rows, table, count, args.edits, keyring.env),
                    )
            if "join" in args.only:
                attempt(table, "join", partial(join_rows, table, args.syncs, run < args.long_runs))
    finally:
        keyring.stop()
        remove_scratch()
    print(render(table))
    if args.json:
        summary = {
            "rows": table.summaries(),
            "load averages": table.loads,
            "file creation µs": table.creation_costs,
            "failed": table.failed,
        }
        args.json.write_text(json.dumps(summary, indent=1))
    return 1 if table.failed else 0


if __name__ == "__main__":
    sys.exit(main())
