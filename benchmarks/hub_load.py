"""Load on one real ``memtray hub serve``: many devices push small objects and long-poll for changes.

    python benchmarks/hub_load.py [--devices 50] [--vaults 10] [--seconds 60] [--interval 0]

Devices are spread over ``--vaults`` vaults (a vault usually has a handful of laptops). Every
device runs two loops for ``--seconds``, each on its own keep-alive connection: push a small
object to its own log (as fast as the hub answers, or every ``--interval`` seconds), and
long-poll the vault's change feed. Prints push throughput, push latency p50/p99, wake-up
latency (push sent → another device's long-poll returns), error count, and the hub process's
peak RSS (VmHWM) and CPU time.

The load generator speaks minimal HTTP/1.1 over asyncio streams: a full client library costs
more CPU per request than the hub does, and would measure itself instead of the hub.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memtray.hubserver.cli import mint_vault_invite
from tests.servers.http_hub import RunningHub, run_hub_server

POLL_SECONDS = 20.0
THROTTLED_TRIES = 120
PAYLOAD = os.urandom(512)


class Connection:
    """One keep-alive HTTP/1.1 connection; requests on it run one at a time."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, token: str | None = None, body: bytes = b"", json_body: Any = None
    ) -> tuple[int, Any]:
        if json_body is not None:
            body = json.dumps(json_body).encode()
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(body)}\r\n"
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        if json_body is not None:
            head += "Content-Type: application/json\r\n"
        try:
            self._writer.write(head.encode() + b"\r\n" + body)
            await self._writer.drain()
            status = int((await self._reader.readline()).split()[1])
            length = 0
            while (line := await self._reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            payload = await self._reader.readexactly(length)
        except (OSError, IndexError, ValueError, asyncio.IncompleteReadError):
            self.close()
            raise
        return status, json.loads(payload) if payload.startswith(b"{") else payload

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


@dataclass
class Device:
    vault_id: str
    device_id: str
    token: str


@dataclass
class Results:
    push_latency: list[float] = field(default_factory=list)
    push_started: dict[tuple[str, int], float] = field(default_factory=dict)
    wakes: list[tuple[str, int, int, float]] = field(default_factory=list)
    errors: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def checked(conn: Connection, expected: int, method: str, path: str, **kwargs: Any) -> Any:
    # Enrolling 50 laptops from one address outruns the hub's redemption limit (a burst of 20, then 2 a second).
    # A refused redemption also closes the connection; the next request opens a new one.
    for _ in range(THROTTLED_TRIES):
        try:
            status, answer = await conn.request(method, path, **kwargs)
        except (OSError, IndexError, ValueError, asyncio.IncompleteReadError):
            status, answer = 429, None
        if status != 429:
            break
        await asyncio.sleep(1.0)
    if status != expected:
        raise RuntimeError(f"{method} {path} answered {status}: {answer!r}")
    return answer


async def enroll(url: str, hub: RunningHub, devices: int, vaults: int) -> list[Device]:
    conn = Connection(url)
    enrolled: list[Device] = []
    for v in range(vaults):
        storage = hub.open_storage()
        invite = mint_vault_invite(storage)
        storage.close()
        vault_id, first_id = os.urandom(16).hex(), os.urandom(16).hex()
        body = {"invite": invite, "vault_id": vault_id, "device_id": first_id, "device_name": "device 0"}
        first = Device(vault_id, first_id, (await checked(conn, 201, "POST", "/v1/vaults", json_body=body))["token"])
        enrolled.append(first)
        for n in range(1, len(range(v, devices, vaults))):
            code = await checked(conn, 201, "POST", f"/v1/vaults/{vault_id}/invites", token=first.token)
            device_id = os.urandom(16).hex()
            body = {"invite": code["invite"], "device_id": device_id, "device_name": f"device {n}"}
            joined = await checked(conn, 201, "POST", f"/v1/vaults/{vault_id}/devices", json_body=body)
            enrolled.append(Device(vault_id, device_id, joined["token"]))
    conn.close()
    return enrolled


async def pusher(url: str, device: Device, stop: float, interval: float, results: Results) -> None:
    conn = Connection(url)
    seq = 0
    next_push = time.monotonic() + random.uniform(0, interval)
    while time.monotonic() < stop:
        await asyncio.sleep(max(0.0, next_push - time.monotonic()))
        next_push += interval
        seq += 1
        path = f"/v1/vaults/{device.vault_id}/objects/log/{device.device_id}/{seq:016x}"
        started = time.monotonic()
        try:
            status, answer = await conn.request("PUT", path, token=device.token, body=PAYLOAD)
        except (OSError, IndexError, ValueError, asyncio.IncompleteReadError) as exc:
            results.errors[f"push {type(exc).__name__}"] += 1
            continue
        if status != 201:
            results.errors[f"push HTTP {status}"] += 1
            continue
        results.push_latency.append(time.monotonic() - started)
        results.push_started[(device.vault_id, int(answer["cursor"]))] = started
    conn.close()


async def poller(url: str, device: Device, stop: float, results: Results) -> None:
    conn = Connection(url)
    base = f"/v1/vaults/{device.vault_id}/changes"
    cursor = int((await checked(conn, 200, "GET", base, token=device.token))["cursor"])
    while time.monotonic() < stop:
        wait = min(POLL_SECONDS, max(0.1, stop - time.monotonic()))
        try:
            status, answer = await conn.request("GET", f"{base}?cursor={cursor}&timeout={wait:.1f}", token=device.token)
        except (OSError, IndexError, ValueError, asyncio.IncompleteReadError) as exc:
            results.errors[f"poll {type(exc).__name__}"] += 1
            continue
        if status != 200:
            results.errors[f"poll HTTP {status}"] += 1
            continue
        new = int(answer["cursor"])
        if new != cursor:
            results.wakes.append((device.vault_id, cursor, new, time.monotonic()))
        cursor = new
    conn.close()


def wake_latencies(results: Results) -> list[float]:
    latencies = []
    for vault_id, old, new, returned in results.wakes:
        for counter in range(old + 1, new + 1):
            started = results.push_started.get((vault_id, counter))
            if started is not None and returned >= started:
                latencies.append(returned - started)
    return latencies


def peak_rss(pid: int) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return line.split(":", 1)[1].strip()
    return "?"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(urls: list[str], devices: list[Device], seconds: float, interval: float) -> Results:
    """Device ``i`` talks to ``urls[i % len(urls)]``: with several hub processes, a vault's laptops are spread."""
    results = Results()
    stop = time.monotonic() + seconds
    await asyncio.gather(
        *(pusher(urls[i % len(urls)], d, stop, interval, results) for i, d in enumerate(devices)),
        *(poller(urls[i % len(urls)], d, stop, results) for i, d in enumerate(devices)),
    )
    return results


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--vaults", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between one device's pushes (0: flat out)")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="memtray-hub-load-") as folder,
        run_hub_server(Path(folder) / "hub", "--rate", "1000000", "--no-access-log") as hub,
    ):
        pid = hub.process.pid
        devices = asyncio.run(enroll(hub.url, hub, args.devices, args.vaults))
        hub_cpu, own_cpu = cpu_seconds(pid), cpu_seconds(os.getpid())
        results = asyncio.run(load([hub.url], devices, args.seconds, args.interval))
        hub_cpu, own_cpu = cpu_seconds(pid) - hub_cpu, cpu_seconds(os.getpid()) - own_cpu
        rss = peak_rss(pid)
    pushes, wakes = len(results.push_latency), wake_latencies(results)
    errors = sum(results.errors.values())
    pace = f"one push per device every {args.interval:g} s" if args.interval else "pushing flat out"
    print(f"devices: {len(devices)} in {args.vaults} vaults, {pace}, {args.seconds:g} s, {os.cpu_count()} CPUs")
    print(f"pushes: {pushes} ({pushes / args.seconds:.0f}/s); long-poll wake-ups: {len(results.wakes)}")
    latency = results.push_latency
    print(f"push latency: p50 {ms(percentile(latency, 0.5))}, p99 {ms(percentile(latency, 0.99))}")
    print(f"push → other device woken: p50 {ms(percentile(wakes, 0.5))}, p99 {ms(percentile(wakes, 0.99))}")
    print(f"errors: {errors}" + (f" {dict(results.errors)}" if errors else ""))
    print(f"hub peak RSS (VmHWM): {rss}; CPU time: hub {hub_cpu:.1f} s, load generator {own_cpu:.1f} s")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
