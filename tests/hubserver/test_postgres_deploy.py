"""The shipped deployment (deploy/postgres/): two hub processes from the systemd unit, behind Apache, as one hub.

The processes run the unit's own ExecStart (the installed ``memtray`` swapped for this checkout's)
with its EnvironmentFile's variables; Apache runs the shipped balancer file. Laptops only ever see
Apache's address.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from memtray.hubs.http import HttpHub
from memtray.hubserver.pg_choice import DATABASE_ENV
from tests.hubserver.conftest import new_id, seq_key
from tests.servers._process import free_port, running, stop
from tests.servers.apache import running_apache
from tests.servers.http_hub import REPO_ROOT, memtray_command, memtray_env
from tests.servers.postgres import RunningPostgres, run_postgres

DEPLOY = REPO_ROOT / "deploy" / "postgres"
LONG_WAIT = 45.0
APACHE_MODULES = ["authz_core", "proxy", "proxy_http", "proxy_balancer", "lbmethod_byrequests", "slotmem_shm"]


@dataclass
class Unit:
    command: list[str]
    environment: dict[str, str]


def unit_as_run_here(environment_file: Path, port: int) -> Unit:
    """The unit's ExecStart for instance ``port`` and the variables its EnvironmentFile would set."""
    text = (DEPLOY / "memtray-hub@.service").read_text()
    exec_start = re.search(r"^ExecStart=(.+)$", text, re.MULTILINE)
    env_file = re.search(r"^EnvironmentFile=(.+)$", text, re.MULTILINE)
    assert exec_start and env_file and env_file.group(1) == "/etc/memtray-hub/database.env"
    program, *args = shlex.split(exec_start.group(1).replace("%i", str(port)))
    assert program.endswith("/memtray")
    variables = dict(
        line.split("=", 1) for line in environment_file.read_text().splitlines() if line and not line.startswith("#")
    )
    return Unit(command=memtray_command(*args), environment=variables)


@contextlib.contextmanager
def hub_process(unit: Unit, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {name: value for name, value in memtray_env().items() if name not in (DATABASE_ENV, "PGPASSWORD")}
    with running(unit.command, port, log, env={**env, **unit.environment}) as process:
        yield process


@dataclass
class Deployment:
    url: str
    logs: list[Path]
    environment_file: Path
    processes: list[subprocess.Popen[bytes]]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    workdir = tmp_path_factory.mktemp("deploy")
    with run_postgres() as server:
        environment_file = write_environment_file(workdir, server)
        ports = [free_port(), free_port()]
        logs = [workdir / f"hub-{port}.log" for port in ports]
        with contextlib.ExitStack() as stack:
            processes = [
                stack.enter_context(hub_process(unit_as_run_here(environment_file, port), port, log))
                for port, log in zip(ports, logs, strict=True)
            ]
            url = stack.enter_context(apache_in_front(workdir, ports))
            yield Deployment(url=url, logs=logs, environment_file=environment_file, processes=processes)


def write_environment_file(workdir: Path, server: RunningPostgres) -> Path:
    database = server.new_database()
    path = workdir / "database.env"
    path.write_text(
        f"# as /etc/memtray-hub/database.env\n{DATABASE_ENV}={database.replace(':' + server.password + '@', '@')}\n"
        f"PGPASSWORD={server.password}\n"
    )
    return path


@contextlib.contextmanager
def apache_in_front(workdir: Path, ports: list[int]) -> Iterator[str]:
    port = free_port()
    apache_dir = workdir / "apache"
    apache_dir.mkdir()
    env = {"MEMTRAY_HUB_PORT_1": str(ports[0]), "MEMTRAY_HUB_PORT_2": str(ports[1])}
    include = f'Include "{DEPLOY}/memtray-hub-apache.conf"\n'
    with running_apache(apache_dir, port, APACHE_MODULES, include, threads=32, env=env):
        yield f"http://127.0.0.1:{port}"


def operator_invite(deployment: Deployment) -> str:
    """``memtray hub invite`` run with only the unit's EnvironmentFile, as the operator would."""
    unit = unit_as_run_here(deployment.environment_file, 0)
    env = {name: value for name, value in memtray_env().items() if name not in (DATABASE_ENV, "PGPASSWORD")}
    done = subprocess.run(
        memtray_command("hub", "invite"),
        env={**env, **unit.environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split("invite: ")[1].split()[0]


# The last test stops one of the two processes.


def test_laptops_behind_one_address_share_one_hub_and_wake_each_other(deployment: Deployment) -> None:
    vault_id = new_id()
    a, b = HttpHub(deployment.url), HttpHub(deployment.url)
    a.create_vault(operator_invite(deployment), vault_id, new_id(), "laptop A")
    b.join_vault(a.create_invite(), vault_id, new_id(), "laptop B")
    for n in range(1, 5):
        a.put_new(seq_key(a.device_id or "", n), b"entry %d" % n)
    assert b.list("log/") == [seq_key(a.device_id or "", n) for n in range(1, 5)]

    woken: dict[str, str | None] = {}
    cursor = b.wait_for_change(None, 0)
    waiter = threading.Thread(target=lambda: woken.update(cursor=b.wait_for_change(cursor, LONG_WAIT)))
    waiter.start()
    assert b.wait_for_change(cursor, 0.3) == cursor
    a.put_new(seq_key(a.device_id or "", 5), b"entry 5")
    waiter.join(LONG_WAIT / 2)
    assert not waiter.is_alive(), "a laptop waiting behind the shared address was not woken by a push"
    assert woken["cursor"] == str(int(cursor or "0") + 1)
    served = [log.read_text(errors="replace").count(f"/v1/vaults/{vault_id}/") for log in deployment.logs]
    assert all(count > 0 for count in served), f"Apache did not spread the laptops' requests: {served}"


def test_the_address_keeps_answering_when_one_process_stops(deployment: Deployment) -> None:
    a = HttpHub(deployment.url)
    a.create_vault(operator_invite(deployment), new_id(), new_id(), "laptop A")
    stop(deployment.processes[0])
    for n in range(1, 7):
        a.put_new(seq_key(a.device_id or "", n), b"x")
    assert a.list("log/") == [seq_key(a.device_id or "", n) for n in range(1, 7)]
