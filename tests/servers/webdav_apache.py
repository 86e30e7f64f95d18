"""Apache httpd with mod_dav_fs on 127.0.0.1, Basic auth, one user.

``/dav`` is the DAV folder; ``/moved`` answers every request with a 307 redirect into ``/dav``.

Everything Apache writes lives under ``workdir``. When the tests run as root, the DAV folder, lock database and
password file go where Apache's unprivileged user can reach them and belong to it (see ``tests/servers/apache``);
objects the tests write behind the client's back are handed to that user too, as a real server's files would be.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from tests.servers import FolderRawStore, HubEndpoint
from tests.servers._process import free_port
from tests.servers.apache import running_apache, shared_folder, write_passwords

USER = "memtray"
MODULES = ["authn_core", "authn_file", "authz_core", "authz_user", "auth_basic", "alias", "dav", "dav_fs"]
CONFIG = """\
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
    with shared_folder(workdir) as (shared, account):
        root = shared / "root"
        root.mkdir()
        write_passwords(shared / "htpasswd", {USER: password})
        for path in (shared, root, shared / "htpasswd"):
            os.chown(path, account.pw_uid, account.pw_gid)
        with running_apache(workdir, port, MODULES, CONFIG.format(shared=shared, root=root)):
            yield HubEndpoint(
                kind="webdav",
                url=f"webdav://{USER}@127.0.0.1:{port}/dav/hub",
                secret=password,
                raw=OwnedFolderRawStore(root / "hub", account.pw_uid, account.pw_gid),
            )
