"""One hub process on SQLite against several on one PostgreSQL database, under the same load (benchmarks/hub_load.py).

    python benchmarks/hub_load_pg.py [--devices 50] [--vaults 10] [--seconds 60] [--processes 2] [--interval 0]

Needs Debian's ``postgresql`` package (the server is started here, as in the tests: tests/servers/postgres.py).
With several processes a vault's laptops are spread over them, so most wake-ups cross from one
process to another through PostgreSQL's NOTIFY. Prints, for each setup: pushes a second, push
latency p50/p99, push → other laptop woken p50/p99, errors, and CPU time of the hub processes
and of PostgreSQL (all its processes, which stay up for the whole run).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.hub_load import Results, cpu_seconds, enroll, load, ms, percentile, wake_latencies
from tests.servers.http_hub import RunningHub, run_hub_server
from tests.servers.postgres import run_postgres, run_postgres_hub

HUB_ARGS = ("--rate", "1000000", "--no-access-log")


@dataclass
class Measured:
    setup: str
    results: Results
    hub_cpu: float
    database_cpu: float | None


def process_tree_cpu(root: int) -> float:
    """CPU seconds of ``root`` and its children (PostgreSQL runs one process per connection)."""
    total = cpu_seconds(root)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == root:
                total += cpu_seconds(int(stat.parent.name))
    return total


def measure(setup: str, hubs: list[RunningHub], args: argparse.Namespace, database_pid: int | None) -> Measured:
    devices = asyncio.run(enroll(hubs[0].url, hubs[0], args.devices, args.vaults))
    pids = [hub.process.pid for hub in hubs]
    hub_before = sum(cpu_seconds(pid) for pid in pids)
    database_before = process_tree_cpu(database_pid) if database_pid else 0.0
    results = asyncio.run(load([hub.url for hub in hubs], devices, args.seconds, args.interval))
    hub_cpu = sum(cpu_seconds(pid) for pid in pids) - hub_before
    database_cpu = process_tree_cpu(database_pid) - database_before if database_pid else None
    return Measured(setup, results, hub_cpu, database_cpu)


@contextlib.contextmanager
def postgres_hubs(folder: Path, processes: int) -> Iterator[tuple[list[RunningHub], int]]:
    with run_postgres() as server, contextlib.ExitStack() as stack:
        database = server.new_database()
        hubs: list[RunningHub] = [
            stack.enter_context(run_postgres_hub(folder / f"hub-{n}", database, *HUB_ARGS)) for n in range(processes)
        ]
        yield hubs, server.process.pid


def report(measured: Measured, seconds: float) -> None:
    results = measured.results
    pushes, wakes = len(results.push_latency), wake_latencies(results)
    errors = sum(results.errors.values())
    latency = results.push_latency
    database = f", PostgreSQL {measured.database_cpu:.1f} s" if measured.database_cpu is not None else ""
    print(f"== {measured.setup}")
    print(f"pushes: {pushes} ({pushes / seconds:.0f}/s); long-poll wake-ups: {len(results.wakes)}")
    print(f"push latency: p50 {ms(percentile(latency, 0.5))}, p99 {ms(percentile(latency, 0.99))}")
    print(f"push → other device woken: p50 {ms(percentile(wakes, 0.5))}, p99 {ms(percentile(wakes, 0.99))}")
    print(f"errors: {errors}" + (f" {dict(results.errors)}" if errors else ""))
    print(f"CPU time: hub processes {measured.hub_cpu:.1f} s{database}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--vaults", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, default=2, help="hub processes sharing the PostgreSQL database")
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between one device's pushes (0: flat out)")
    args = parser.parse_args()
    pace = f"one push per device every {args.interval:g} s" if args.interval else "pushing flat out"
    print(f"devices: {args.devices} in {args.vaults} vaults, {pace}, {args.seconds:g} s each, {os.cpu_count()} CPUs")
    measured = []
    with tempfile.TemporaryDirectory(prefix="memtray-hub-load-pg-") as folder:
        with run_hub_server(Path(folder) / "sqlite", *HUB_ARGS) as hub:
            measured.append(measure("1 process, SQLite", [hub], args, None))
        report(measured[-1], args.seconds)
        with postgres_hubs(Path(folder) / "postgres", args.processes) as (hubs, database_pid):
            measured.append(measure(f"{args.processes} processes, one PostgreSQL", hubs, args, database_pid))
        report(measured[-1], args.seconds)
    return 0 if all(not m.results.errors for m in measured) else 1


if __name__ == "__main__":
    raise SystemExit(main())
