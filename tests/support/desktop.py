"""A private D-Bus session with an unlocked gnome-keyring: the real Secret Service, per test run."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field


@dataclass
class KeyringSession:
    env: dict[str, str]
    pids: list[int] = field(default_factory=list)
    tempdirs: list[str] = field(default_factory=list)

    def stop(self) -> None:
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for folder in self.tempdirs:
            shutil.rmtree(folder, ignore_errors=True)


def start_keyring_session(unlock_password: str = "memtray-test-login") -> KeyringSession:
    """Start dbus-daemon and gnome-keyring-daemon; returns the environment that reaches them."""
    if not shutil.which("dbus-daemon") or not shutil.which("gnome-keyring-daemon"):
        raise RuntimeError("The tests need dbus-daemon and gnome-keyring-daemon (apt-get install dbus gnome-keyring).")
    data_home = tempfile.mkdtemp(prefix="memtray-xdg-data-")
    runtime_dir = tempfile.mkdtemp(prefix="memtray-xdg-run-")
    os.chmod(runtime_dir, 0o700)
    bus = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True,
        text=True,
        check=True,
        timeout=20,
    )
    address, pid_text = bus.stdout.split()[:2]
    env = {
        "DBUS_SESSION_BUS_ADDRESS": address,
        "XDG_DATA_HOME": data_home,
        "XDG_RUNTIME_DIR": runtime_dir,
    }
    session = KeyringSession(env=env, pids=[int(pid_text)], tempdirs=[data_home, runtime_dir])
    daemon = subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--daemonize"],
        input=unlock_password,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=20,
    )
    for line in daemon.stdout.splitlines():
        if line.startswith("GNOME_KEYRING_CONTROL="):
            env["GNOME_KEYRING_CONTROL"] = line.split("=", 1)[1]
    pid = subprocess.run(["pgrep", "-n", "-f", "gnome-keyring-daemon"], capture_output=True, text=True).stdout.strip()
    if pid:
        session.pids.append(int(pid))
    time.sleep(0.2)
    return session
