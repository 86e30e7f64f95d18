"""A real ``memtray hub serve`` started the way an operator on a small machine would start it.

Unlike ``tests.servers.http_hub.run_hub_server`` this one can set the process's open-file limits
(``ulimit -n``), gives the command line a laptop home of its own (so a test can prove the server never
writes to a laptop's memtray.log), and reads the certificate fingerprint the server prints.
"""

from __future__ import annotations

import contextlib
import re
import resource
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.servers._process import stop
from tests.servers.http_hub import (
    LOG_NAME,
    STOP_SECONDS,
    RunningHub,
    _wait_for_listening,
    memtray_command,
    memtray_env,
)


@dataclass
class ServedHub:
    hub: RunningHub
    laptop_home: Path
    fingerprint: str | None

    @property
    def host_port(self) -> tuple[str, int]:
        host, port = self.hub.url.split("://")[1].rsplit(":", 1)
        return host, int(port)

    def laptop_log_bytes(self) -> int:
        """Everything written under the laptop home of the command line that started the hub."""
        return sum(path.stat().st_size for path in self.laptop_home.rglob("*") if path.is_file())


@contextlib.contextmanager
def serve_hub(data_dir: Path, *args: str, open_files: tuple[int, int] | None = None) -> Iterator[ServedHub]:
    """``memtray hub serve`` on a free loopback port, optionally under ``open_files = (soft, hard)``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / LOG_NAME
    laptop_home = data_dir / "laptop-home"
    env = {**memtray_env(), "MEMTRAY_HOME": str(laptop_home)}
    command = memtray_command("hub", "serve", "--data", str(data_dir), "--host", "127.0.0.1", "--port", "0", *args)

    def limit_open_files() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, open_files)

    with log_path.open("wb") as log:  # a fresh log per start: the last "listening:" line is this one
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, preexec_fn=limit_open_files)
    try:
        url = _wait_for_listening(process, log_path)
        text = log_path.read_text()
        invites = re.findall(r"^invite: (\S+)$", text, re.MULTILINE)
        fingerprints = re.findall(r"^fingerprint: (\S+)$", text, re.MULTILINE)
        hub = RunningHub(url=url, data_dir=data_dir, log_path=log_path, process=process, first_invites=invites[-1:])
        yield ServedHub(hub=hub, laptop_home=laptop_home, fingerprint=fingerprints[-1] if fingerprints else None)
    finally:
        stop(process, STOP_SECONDS)


def soft_open_file_limit(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise AssertionError("no open-file limit in /proc")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc")
