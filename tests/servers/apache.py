"""One way to start Apache httpd on 127.0.0.1 for the tests: the config head every use shares, then its own part.

When the tests run as root, Apache's workers run as an unprivileged user (it refuses to serve as root); files they
must reach go in a folder that user can reach (``shared_folder``) and belong to it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from tests.servers._process import running

APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
HEAD = """\
ServerRoot "{workdir}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{workdir}/apache.pid"
ErrorLog "{workdir}/apache-error.log"
DefaultRuntimeDir "{workdir}"
LogLevel warn
{run_as}
LoadModule mpm_event_module {modules}/mod_mpm_event.so
{load_modules}
StartServers 1
ServerLimit 2
ThreadsPerChild {threads}
MaxRequestWorkers {workers}
"""


def server_account() -> pwd.struct_passwd:
    """The account Apache's workers run as: ``www-data`` when the tests run as root, else the tests' own."""
    return pwd.getpwnam("www-data") if os.geteuid() == 0 else pwd.getpwuid(os.getuid())


@contextlib.contextmanager
def running_apache(
    workdir: Path,
    port: int,
    modules: Sequence[str],
    body: str,
    threads: int = 16,
    env: Mapping[str, str] | None = None,
) -> Iterator[None]:
    """Apache in the foreground on ``port`` with ``modules`` (``mod_<name>.so``) loaded and ``body`` after the
    shared head, its config and logs in ``workdir``; stopped when the block exits."""
    account = server_account()
    config = workdir / "apache.conf"
    config.write_text(
        HEAD.format(
            workdir=workdir,
            port=port,
            run_as=f"User {account.pw_name}\nGroup #{account.pw_gid}" if os.geteuid() == 0 else "",
            modules=MODULES,
            load_modules="\n".join(f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in modules),
            threads=threads,
            workers=2 * threads,
        )
        + body
    )
    with running([APACHE, "-f", str(config), "-DFOREGROUND"], port, workdir / "apache.log", env=env):
        yield


@contextlib.contextmanager
def shared_folder(workdir: Path) -> Iterator[tuple[Path, pwd.struct_passwd]]:
    """A folder the server's user can reach: in ``workdir`` if every parent lets it through."""
    account = server_account()
    reachable = os.geteuid() != 0 or all(
        folder.stat().st_mode & 0o001 for folder in [workdir, *workdir.resolve().parents]
    )
    if reachable:
        shared = workdir / "apache-dav"
        shared.mkdir()
        yield shared, account
        return
    shared = Path(tempfile.mkdtemp(prefix="memtray-apache-dav-"))
    shared.chmod(0o755)
    try:
        yield shared, account
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def write_passwords(path: Path, passwords: Mapping[str, str]) -> None:
    """An Apache password file at ``path`` with each user's password (bcrypt at its lowest cost, for speed)."""
    for number, (user, password) in enumerate(passwords.items()):
        create = ["-c"] if number == 0 else []
        subprocess.run(
            ["htpasswd", "-b", *create, "-B", "-C", "4", str(path), user, password], check=True, capture_output=True
        )
