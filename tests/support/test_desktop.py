"""The test keyring session stops exactly the processes it started, never a look-alike of someone else's."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.desktop import start_keyring_session

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the private Secret Service is started on Linux only")

MOST_LOOK_ALIKES = 40
SPAWN_EVERY = 0.005
GONE_SECONDS = 10.0


def processes_reaching(bus_address: str) -> list[int]:
    """Ids of the processes whose environment names ``bus_address``."""
    marker = f"DBUS_SESSION_BUS_ADDRESS={bus_address}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environment = (entry / "environ").read_bytes()
            except OSError:
                continue
            if marker in environment.split(b"\0"):
                found.append(int(entry.name))
    return found


def wait_until_none_reach(bus_address: str) -> list[int]:
    deadline = time.monotonic() + GONE_SECONDS
    while (left := processes_reaching(bus_address)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def look_alikes() -> Iterator[tuple[list[subprocess.Popen[bytes]], threading.Event]]:
    """Someone else's "gnome-keyring-daemon"s, started one after another until the event is set."""
    started: list[subprocess.Popen[bytes]] = []
    done = threading.Event()

    def spawn() -> None:
        while not done.is_set() and len(started) < MOST_LOOK_ALIKES:
            command = ["bash", "-c", "exec -a gnome-keyring-daemon sleep 120"]
            started.append(subprocess.Popen(command, start_new_session=True))
            time.sleep(SPAWN_EVERY)

    spawner = threading.Thread(target=spawn, daemon=True)
    spawner.start()
    yield started, done
    done.set()
    spawner.join(GONE_SECONDS)
    for process in started:
        process.kill()
        process.wait(GONE_SECONDS)


def test_stop_ends_its_own_daemons_and_leaves_others_alone(
    look_alikes: tuple[list[subprocess.Popen[bytes]], threading.Event],
) -> None:
    others, done = look_alikes
    session = start_keyring_session()
    done.set()
    address = session.env["DBUS_SESSION_BUS_ADDRESS"]
    ours = processes_reaching(address)
    assert {process.pid for process in session.processes} <= set(ours)
    assert [Path(process.args[0]).name for process in session.processes] == [
        "dbus-daemon",
        "gnome-keyring-daemon",
    ]

    session.stop()

    assert wait_until_none_reach(address) == []
    assert others, "no look-alike was running while the session started"
    assert [process.pid for process in others if process.poll() is not None] == []
