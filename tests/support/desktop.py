"""A private D-Bus session with an unlocked gnome-keyring: the real Secret Service, per test run.

Both daemons run in the foreground as children of the test, each in a new session (its own process
group), so stopping reaches exactly what this session started, including anything the bus started on
demand, and never a daemon that belongs to someone else. Where there is no Secret Service (Windows,
macOS), the system's own keychain serves the tests and nothing is started.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection

START_SECONDS = 20.0
STOP_SECONDS = 10.0
POLL_SECONDS = 0.02
SECRET_SERVICE = "org.freedesktop.secrets"


@dataclass
class KeyringSession:
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    tempdirs: list[str] = field(default_factory=list)

    def stop(self) -> None:
        """End the process groups this session started, newest first, and remove its folders."""
        for process in reversed(self.processes):
            _stop_group(process)
        for folder in self.tempdirs:
            shutil.rmtree(folder, ignore_errors=True)


def start_keyring_session(unlock_password: str = "memtray-test-login") -> KeyringSession:
    """Start dbus-daemon and gnome-keyring-daemon; returns the environment that reaches them."""
    if sys.platform != "linux":
        return KeyringSession(env={})
    if not shutil.which("dbus-daemon") or not shutil.which("gnome-keyring-daemon"):
        raise RuntimeError("The tests need dbus-daemon and gnome-keyring-daemon (apt-get install dbus gnome-keyring).")
    data_home = tempfile.mkdtemp(prefix="memtray-xdg-data-")
    runtime_dir = tempfile.mkdtemp(prefix="memtray-xdg-run-")
    os.chmod(runtime_dir, 0o700)
    log = Path(runtime_dir) / "daemons.log"
    address = f"unix:path={runtime_dir}/bus"
    env = {
        "DBUS_SESSION_BUS_ADDRESS": address,
        "XDG_DATA_HOME": data_home,
        "XDG_RUNTIME_DIR": runtime_dir,
        "GNOME_KEYRING_CONTROL": f"{runtime_dir}/keyring",
    }
    bus_command = ["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address={address}"]
    keyring_command = ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"]
    keyring_command.append(f"--control-directory={env['GNOME_KEYRING_CONTROL']}")
    session = KeyringSession(env=env, tempdirs=[data_home, runtime_dir])
    try:
        bus = _start(bus_command, env, log)
        session.processes.append(bus)
        connection = _connect(address, bus, log)
        try:
            keyring = _start(keyring_command, env, log, stdin_text=unlock_password)
            session.processes.append(keyring)
            _wait_for_unlocked_keyring(connection, keyring, log)
        finally:
            connection.close()
    except BaseException:
        session.stop()
        raise
    return session


def _start(command: list[str], env: dict[str, str], log: Path, stdin_text: str = "") -> subprocess.Popen[bytes]:
    """Start ``command`` in a new session (its own process group) with ``stdin_text`` as its whole input."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=output,
            env={**os.environ, **env},
            start_new_session=True,
        )
    assert process.stdin is not None
    process.stdin.write(stdin_text.encode())
    process.stdin.close()
    return process


def _connect(address: str, bus: subprocess.Popen[bytes], log: Path) -> DBusConnection:
    """A connection to the new bus, once it listens."""
    from jeepney.io.blocking import open_dbus_connection

    deadline = time.monotonic() + START_SECONDS
    while True:
        _require_running(bus, log)
        try:
            return open_dbus_connection(bus=address)
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"dbus-daemon did not listen within {START_SECONDS:.0f} s:\n{_tail(log)}") from None
        time.sleep(POLL_SECONDS)


def _wait_for_unlocked_keyring(connection: DBusConnection, keyring: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until this gnome-keyring owns the Secret Service name and its login collection is open.

    Asking the Secret Service anything before its name has an owner would make the bus start another
    gnome-keyring on demand, one without the login password.
    """
    import secretstorage
    from jeepney.bus_messages import message_bus

    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        _require_running(keyring, log)
        if connection.send_and_get_reply(message_bus.NameHasOwner(SECRET_SERVICE)).body[0]:
            with contextlib.suppress(secretstorage.exceptions.SecretServiceNotAvailableException):
                if not secretstorage.get_default_collection(connection).is_locked():
                    return
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"gnome-keyring-daemon did not open its keyring within {START_SECONDS:.0f} s:\n{_tail(log)}")


def _require_running(process: subprocess.Popen[bytes], log: Path) -> None:
    if process.poll() is not None:
        raise RuntimeError(f"{process.args!r} exited with {process.returncode}:\n{_tail(log)}")


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group started with ``process``, SIGKILL it if it lingers, and reap ``process``.

    Once ``process`` has been reaped its id may belong to someone else, so its group is left alone.
    """
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_SECONDS)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else ""
