"""Two Syncthing instances on 127.0.0.1 sharing one folder: the peer ``hub_propagation.py`` measures memtray against.

Each instance gets a home of its own (``syncthing generate``), listens on a free loopback port, knows only the
other one (no discovery, relays, NAT traversal, usage reports or upgrades), and shares the folder with its file
watcher on and the watcher delay given (Syncthing's default is 10 s; the issue compares at 1 s).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from tests.servers._process import logged

FOLDER_ID = "memtray-bench"
START_TIMEOUT = 60.0


def available() -> bool:
    return shutil.which("syncthing") is not None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Instance:
    def __init__(self, name: str, home: Path, folder: Path) -> None:
        self.name, self.home, self.folder = name, home, folder
        self.port, self.gui_port = _free_port(), _free_port()
        subprocess.run(
            ["syncthing", "generate", f"--home={home}", "--no-default-folder"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        self.device_id = subprocess.run(
            ["syncthing", "serve", f"--home={home}", "--device-id"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()

    def configure(self, other: Instance, watcher_delay: int) -> None:
        path = self.home / "config.xml"
        tree = ET.parse(path)
        root = tree.getroot()
        for old in root.findall("device") + root.findall("folder"):
            root.remove(old)
        folder = ET.SubElement(
            root,
            "folder",
            id=FOLDER_ID,
            label=FOLDER_ID,
            path=str(self.folder),
            type="sendreceive",
            rescanIntervalS="3600",
            fsWatcherEnabled="true",
            fsWatcherDelayS=str(watcher_delay),
        )
        for instance in (self, other):
            ET.SubElement(folder, "device", id=instance.device_id)
            device = ET.SubElement(root, "device", id=instance.device_id, name=instance.name, compression="never")
            ET.SubElement(device, "address").text = f"tcp://127.0.0.1:{instance.port}"
        gui = root.find("gui")
        if gui is not None:
            address = gui.find("address")
            if address is not None:
                address.text = f"127.0.0.1:{self.gui_port}"
        options = root.find("options")
        assert options is not None
        settings = {
            "listenAddress": f"tcp://127.0.0.1:{self.port}",
            "globalAnnounceEnabled": "false",
            "localAnnounceEnabled": "false",
            "relaysEnabled": "false",
            "natEnabled": "false",
            "urAccepted": "-1",
            "autoUpgradeIntervalH": "0",
            "crashReportingEnabled": "false",
            "startBrowser": "false",
        }
        for name, value in settings.items():
            for old in options.findall(name):
                options.remove(old)
            ET.SubElement(options, name).text = value
        tree.write(path)

    @contextlib.contextmanager
    def running(self) -> Iterator[subprocess.Popen[bytes]]:
        with logged(
            ["syncthing", "serve", f"--home={self.home}", "--no-browser", "--no-restart", "--no-upgrade"],
            self.home / "syncthing.log",
            {"HOME": str(self.home), "STNODEFAULTFOLDER": "1", "STNOUPGRADE": "1", "PATH": "/usr/bin:/bin"},
            timeout=15,
        ) as process:
            yield process


@contextlib.contextmanager
def pair(root: Path, folder_a: Path, folder_b: Path, watcher_delay: int = 1) -> Iterator[None]:
    """Both instances running and connected; B's folder then fills from A's (wait for it yourself)."""
    for folder in (folder_a, folder_b):
        (folder / ".stfolder").mkdir(parents=True, exist_ok=True)
    a = Instance("syncthing A", root / "A", folder_a)
    b = Instance("syncthing B", root / "B", folder_b)
    a.configure(b, watcher_delay)
    b.configure(a, watcher_delay)
    with a.running(), b.running():
        yield


def wait_until(check: object, timeout: float, poll: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(check) and check():
            return True
        time.sleep(poll)
    return False
