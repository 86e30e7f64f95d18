"""Apache httpd with mod_dav_fs on 127.0.0.1, Basic auth, one user.

``/dav`` is the DAV folder; ``/moved`` answers every request with a 307 redirect into ``/dav``.

Everything Apache writes lives under ``workdir``. When the tests run as root, Apache's workers run
as an unprivileged user (it refuses to serve as root), so the DAV folder, lock database and
password file go where that user can reach them and belong to it; objects the tests write behind
the client's back are handed to that user too, as a real server's files would be.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.servers import FolderRawStore, HubEndpoint
from tests.servers._process import free_port, running

APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
USER = "memtray"
CONFIG = """\
ServerRoot "{workdir}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{workdir}/apache.pid"
ErrorLog "{workdir}/apache-error.log"
DefaultRuntimeDir "{workdir}"
LogLevel warn
{run_as}
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authn_core_module {modules}/mod_authn_core.so
LoadModule authn_file_module {modules}/mod_authn_file.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule authz_user_module {modules}/mod_authz_user.so
LoadModule auth_basic_module {modules}/mod_auth_basic.so
LoadModule alias_module {modules}/mod_alias.so
LoadModule dav_module {modules}/mod_dav.so
LoadModule dav_fs_module {modules}/mod_dav_fs.so
StartServers 1
ServerLimit 2
ThreadsPerChild 16
MaxRequestWorkers 32
DavLockDB "{shared}/DavLock"
Alias /dav "{root}"
Redirect 307 /moved /dav
<Directory "{root}">
    Dav On
    AuthType Basic
    AuthName "memtray test"
    AuthUserFile "{shared}/htpasswd"
    Require valid-user
</Directory>
"""


class OwnedFolderRawStore(FolderRawStore):
    """A folder store whose writes end up owned by the server's user, like the files it makes itself."""

    def __init__(self, root: Path, uid: int, gid: int) -> None:
        super().__init__(root)
        self.uid = uid
        self.gid = gid

    def write(self, key: str, data: bytes) -> None:
        super().write(key, data)
        path = self.root / key
        while path != self.root.parent:
            os.chown(path, self.uid, self.gid)
            path = path.parent


@contextlib.contextmanager
def webdav_apache_endpoint(workdir: Path) -> Iterator[HubEndpoint]:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    password = secrets.token_urlsafe(16)
    with _shared_folder(workdir) as (shared, account):
        root = shared / "root"
        root.mkdir()
        subprocess.run(
            ["htpasswd", "-b", "-c", "-B", "-C", "4", str(shared / "htpasswd"), USER, password],
            check=True,
            capture_output=True,
        )
        run_as = f"User {account.pw_name}\nGroup #{account.pw_gid}" if os.geteuid() == 0 else ""
        for path in (shared, root, shared / "htpasswd"):
            os.chown(path, account.pw_uid, account.pw_gid)
        config = workdir / "apache.conf"
        config.write_text(
            CONFIG.format(workdir=workdir, port=port, run_as=run_as, modules=MODULES, shared=shared, root=root)
        )
        with running([APACHE, "-f", str(config), "-DFOREGROUND"], port, workdir / "apache.log"):
            yield HubEndpoint(
                kind="webdav",
                url=f"webdav://{USER}@127.0.0.1:{port}/dav/hub",
                secret=password,
                raw=OwnedFolderRawStore(root / "hub", account.pw_uid, account.pw_gid),
            )


@contextlib.contextmanager
def _shared_folder(workdir: Path) -> Iterator[tuple[Path, pwd.struct_passwd]]:
    """A folder the server's user can reach: in ``workdir`` if every parent lets it through."""
    account = pwd.getpwnam("www-data") if os.geteuid() == 0 else pwd.getpwuid(os.getuid())
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
