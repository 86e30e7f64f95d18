"""A real PostgreSQL server for the tests, from Debian's ``postgresql`` package, and hubs that use it.

``run_postgres`` runs ``initdb`` into a temporary folder and starts ``postgres`` on 127.0.0.1 (free
port, its unix socket in the same folder) as an unprivileged user when the tests run as root
(PostgreSQL refuses root). Its default collation is ICU English, as on most real servers, so code
that forgets to compare keys byte by byte sorts them differently here. The server is stopped by
its own pid at the end. When PostgreSQL is missing or cannot start, this FAILS with the reason.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from memtray.hubserver.admin import mint_vault_invite
from memtray.hubserver.pg_store import PostgresStorage
from memtray.hubserver.storage import Storage
from tests.servers import HubEndpoint
from tests.servers._process import free_port
from tests.servers.http_hub import RunningHub, run_hub_server

START_SECONDS = 30.0
STOP_SECONDS = 10.0
SUPERUSER = "memtray"
BIN_ROOT = Path("/usr/lib/postgresql")


def server_programs() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb`` and ``postgres``."""
    found = sorted(
        (path for path in BIN_ROOT.glob("*/bin") if (path / "initdb").exists() and (path / "postgres").exists()),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    if not found:
        raise AssertionError(
            f"PostgreSQL's server programs are not under {BIN_ROOT}/<version>/bin: install Debian's 'postgresql' "
            "package (scripts/bootstrap.sh does) to run the PostgreSQL hub tests."
        )
    return found[-1]


@dataclass
class RunningPostgres:
    port: int
    password: str
    folder: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def url(self, dbname: str = "postgres", *, password: bool = True) -> str:
        secret = f":{self.password}" if password else ""
        return f"postgresql://{SUPERUSER}{secret}@127.0.0.1:{self.port}/{dbname}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL (with the password)."""
        name = "hub_" + secrets.token_hex(6)
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def _run_as() -> pwd.struct_passwd | None:
    """Who runs the server: nobody special unless we are root, then ``postgres`` (or ``nobody``)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise AssertionError("Running as root, and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL.")


@contextlib.contextmanager
def run_postgres() -> Iterator[RunningPostgres]:
    programs = server_programs()
    user = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="memtray-pg-"))
    try:
        password = secrets.token_urlsafe(18)
        (folder / "password").write_text(password)
        if user is not None:
            for path in (folder, folder / "password"):
                os.chown(path, user.pw_uid, user.pw_gid)
        uid, gid = (user.pw_uid, user.pw_gid) if user else (None, None)
        groups: list[int] | None = [] if user else None
        initdb = subprocess.run(
            [
                str(programs / "initdb"),
                *("-D", str(folder / "data"), "-U", SUPERUSER, "--pwfile", str(folder / "password")),
                *("-A", "scram-sha-256", "-E", "UTF8", "--no-sync"),
                *("--locale-provider=icu", "--icu-locale=en-US", "--locale=C.UTF-8"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            user=uid,
            group=gid,
            extra_groups=groups,
        )
        if initdb.returncode != 0:
            raise AssertionError(f"initdb could not create a PostgreSQL cluster:\n{initdb.stdout}\n{initdb.stderr}")
        port = free_port()
        log_path = folder / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    str(programs / "postgres"),
                    *("-D", str(folder / "data"), "-p", str(port), "-k", str(folder)),
                    *("-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=off"),
                    *("-c", "synchronous_commit=off", "-c", "full_page_writes=off"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                user=uid,
                group=gid,
                extra_groups=groups,
            )
        running = RunningPostgres(port=port, password=password, folder=folder, process=process, log_path=log_path)
        try:
            _wait_ready(running)
            yield running
        finally:
            _stop(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _wait_ready(server: RunningPostgres) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"PostgreSQL exited with {server.process.returncode}:\n{server.log_text()[-4000:]}")
        try:
            psycopg.connect(server.url(), connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    raise AssertionError(f"PostgreSQL did not accept connections within {START_SECONDS:.0f} s:\n{server.log_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """PostgreSQL's fast shutdown (SIGINT) of the postmaster this module started, then SIGKILL if needed."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_SECONDS)


@dataclass
class PostgresHub(RunningHub):
    """A ``memtray hub serve --database postgresql://…`` process; ``open_storage`` reaches its database."""

    database: str = ""

    def open_storage(self) -> Storage:
        return PostgresStorage(self.database)

    def new_invite(self) -> str:
        storage = self.open_storage()
        try:
            return mint_vault_invite(storage)
        finally:
            storage.close()


@contextlib.contextmanager
def run_postgres_hub(data_dir: Path, database: str, *extra_args: str) -> Iterator[PostgresHub]:
    """One ``memtray hub serve`` on a free loopback port, keeping everything in ``database``."""
    with run_hub_server(data_dir, "--database", database, *extra_args) as running:
        fields = {name: getattr(running, name) for name in running.__dataclass_fields__}
        yield PostgresHub(**fields, database=database)


class PostgresRawStore:
    """One vault's objects read and written straight in the database, behind the hub's back."""

    def __init__(self, database: str, vault_id: str | None = None) -> None:
        self.database = database
        self.vault_id = vault_id

    @contextlib.contextmanager
    def _db(self) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        with psycopg.connect(self.database, autocommit=True) as conn:
            yield conn

    def _vault(self, conn: psycopg.Connection[tuple[object, ...]]) -> str | None:
        if self.vault_id is not None:
            return self.vault_id
        vaults = [str(row[0]) for row in conn.execute("SELECT vault_id FROM memtray_vaults")]
        if len(vaults) > 1:
            raise AssertionError("The hub holds several vaults; give PostgresRawStore a vault_id.")
        return vaults[0] if vaults else None

    def keys(self, prefix: str = "") -> list[str]:
        with self._db() as conn:
            rows = conn.execute(
                "SELECT key FROM memtray_objects WHERE vault_id IS NOT DISTINCT FROM %s ORDER BY key",
                (self._vault(conn),),
            ).fetchall()
        return [str(key) for (key,) in rows if str(key).startswith(prefix)]

    def read(self, key: str) -> bytes:
        with self._db() as conn:
            row = conn.execute(
                "SELECT data FROM memtray_objects WHERE vault_id IS NOT DISTINCT FROM %s AND key = %s",
                (self._vault(conn), key),
            ).fetchone()
        if row is None:
            raise KeyError(key)
        return bytes(row[0])  # type: ignore[call-overload]

    def write(self, key: str, data: bytes) -> None:
        parts = key.split("/")
        owner = parts[1] if parts[0] in ("log", "ckpt") and len(parts) > 2 else "tamper"
        with self._db() as conn:
            vault = self._vault(conn)
            if vault is None:
                raise AssertionError("The hub has no vault to write into yet.")
            conn.execute(
                "INSERT INTO memtray_objects (vault_id, key, owner, created, data) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (vault_id, key) DO UPDATE SET data = excluded.data",
                (vault, key, owner, time.time(), data),
            )

    def delete(self, key: str) -> None:
        with self._db() as conn:
            gone = conn.execute(
                "DELETE FROM memtray_objects WHERE vault_id IS NOT DISTINCT FROM %s AND key = %s",
                (self._vault(conn), key),
            ).rowcount
        if not gone:
            raise KeyError(key)


@contextlib.contextmanager
def postgres_hub_endpoint(workdir: Path) -> Iterator[HubEndpoint]:
    """A memtray hub on PostgreSQL as a hub kind for the shared contract and scenario tests."""
    with run_postgres() as server:
        database = server.new_database()
        with run_postgres_hub(workdir / "hub", database) as hub:
            yield HubEndpoint(kind="memtray", url=hub.url, raw=PostgresRawStore(database), new_invite=hub.new_invite)
