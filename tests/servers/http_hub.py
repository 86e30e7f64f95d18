"""A real ``memtray hub serve`` process on 127.0.0.1, and raw access to its SQLite database."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from memtray.hubserver.sqlite_store import SQLiteStorage
from memtray.hubserver.storage import Storage
from tests.servers import HubEndpoint
from tests.servers._process import stop

REPO_ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 30.0
STOP_SECONDS = 10.0
DB_NAME = "hub.sqlite3"
LOG_NAME = "server.log"


def memtray_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "memtray", *args]


def memtray_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


class SQLiteRawStore:
    """Objects of one vault read and written straight in the hub's database, behind the server's back."""

    def __init__(self, db_path: Path, vault_id: str | None = None) -> None:
        self.db_path = db_path
        self.vault_id = vault_id

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.db_path, timeout=10, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def _vault(self, db: sqlite3.Connection) -> str | None:
        if self.vault_id is not None:
            return self.vault_id
        vaults = [row[0] for row in db.execute("SELECT vault_id FROM vaults ORDER BY created")]
        if len(vaults) > 1:
            raise AssertionError("The hub holds several vaults; give SQLiteRawStore a vault_id.")
        return vaults[0] if vaults else None

    def keys(self, prefix: str = "") -> list[str]:
        with self._db() as db:
            rows = db.execute("SELECT key FROM objects WHERE vault_id IS ? ORDER BY key", (self._vault(db),))
            return [key for (key,) in rows if key.startswith(prefix)]

    def read(self, key: str) -> bytes:
        with self._db() as db:
            row = db.execute(
                "SELECT data FROM objects WHERE vault_id IS ? AND key = ?", (self._vault(db), key)
            ).fetchone()
        if row is None:
            raise KeyError(key)
        return bytes(row[0])

    def write(self, key: str, data: bytes) -> None:
        parts = key.split("/")
        owner = parts[1] if parts[0] in ("log", "ckpt") and len(parts) > 2 else "tamper"
        with self._db() as db:
            vault = self._vault(db)
            if vault is None:
                raise AssertionError("The hub has no vault to write into yet.")
            db.execute(
                "INSERT INTO objects (vault_id, key, owner, created, data) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (vault_id, key) DO UPDATE SET data = excluded.data",
                (vault, key, owner, time.time(), data),
            )

    def delete(self, key: str) -> None:
        with self._db() as db:
            gone = db.execute("DELETE FROM objects WHERE vault_id IS ? AND key = ?", (self._vault(db), key)).rowcount
        if not gone:
            raise KeyError(key)


@dataclass
class RunningHub:
    url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    first_invites: list[str] = field(default_factory=list)

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_NAME

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def open_storage(self) -> Storage:
        """The hub's database, opened beside the server (as ``memtray hub invite`` does)."""
        return SQLiteStorage(self.db_path)

    def new_invite(self) -> str:
        """A vault-creation invite: the one printed at first start, then fresh ones from ``hub invite``."""
        if self.first_invites:
            return self.first_invites.pop()
        done = subprocess.run(
            memtray_command("hub", "invite", "--data", str(self.data_dir)),
            env=memtray_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        match = re.search(r"^invite: (\S+)$", done.stdout, re.MULTILINE)
        if match is None:
            raise AssertionError(f"'memtray hub invite' printed no invite: {done.stdout!r} {done.stderr!r}")
        return match.group(1)


@contextlib.contextmanager
def run_hub_server(data_dir: Path, *extra_args: str) -> Iterator[RunningHub]:
    """Start ``memtray hub serve`` on a free loopback port; stdout and stderr go to ``data_dir/server.log``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / LOG_NAME
    command = memtray_command("hub", "serve", "--data", str(data_dir), "--host", "127.0.0.1", "--port", "0")
    with log_path.open("ab") as log:
        process = subprocess.Popen([*command, *extra_args], stdout=log, stderr=subprocess.STDOUT, env=memtray_env())
    try:
        url = _wait_for_listening(process, log_path)
        invites = re.findall(r"^invite: (\S+)$", log_path.read_text(), re.MULTILINE)
        yield RunningHub(url=url, data_dir=data_dir, log_path=log_path, process=process, first_invites=invites[-1:])
    finally:
        stop(process, STOP_SECONDS)


@contextlib.contextmanager
def http_hub_endpoint(data_dir: Path) -> Iterator[HubEndpoint]:
    with run_hub_server(data_dir) as hub:
        yield HubEndpoint(kind="memtray", url=hub.url, raw=SQLiteRawStore(hub.db_path), new_invite=hub.new_invite)


def _wait_for_listening(process: subprocess.Popen[bytes], log_path: Path) -> str:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        match = re.search(r"^listening: (\S+)$", log_path.read_text(errors="replace"), re.MULTILINE)
        if match:
            return match.group(1)
        if process.poll() is not None:
            raise AssertionError(f"memtray hub serve exited with {process.returncode}:\n{log_path.read_text()}")
        time.sleep(0.05)
    raise AssertionError(f"memtray hub serve did not start within {START_SECONDS} s:\n{log_path.read_text()}")
