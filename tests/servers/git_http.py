"""A smart-HTTP git server on 127.0.0.1: Apache httpd running git's own ``git http-backend``, with Basic auth.

Two accounts: ``writer`` may fetch and push; ``reader`` may only fetch (a push is refused with 403, as GitHub
refuses a token without write access). ``/git/<name>.git`` serves the bare repositories under the server's
folder. As with every Apache here (``tests/servers/apache``), when the tests run as root its workers run as an
unprivileged user, so the repositories belong to that user, and commits the tests make behind the client's back
are handed to it too.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.servers import HubEndpoint
from tests.servers._process import free_port
from tests.servers.apache import running_apache, shared_folder, write_passwords

HTTP_BACKEND = Path("/usr/lib/git-core/git-http-backend")
BRANCH = b"refs/heads/memtray"
MODULES = ["authn_core", "authn_file", "authz_core", "authz_user", "auth_basic", "alias", "cgid", "env"]
CONFIG = """\
ScriptSock "{shared}/cgid.sock"
SetEnv GIT_PROJECT_ROOT "{root}"
SetEnv GIT_HTTP_EXPORT_ALL 1
ScriptAlias /git/ "{backend}/"
<Location /git>
    AuthType Basic
    AuthName "memtray git test"
    AuthUserFile "{shared}/htpasswd"
    AuthzSendForbiddenOnFailure On
    <RequireAny>
        Require user writer
        <RequireAll>
            Require user reader
            Require expr "%{{QUERY_STRING}} !~ /service=git-receive-pack/ && %{{REQUEST_URI}} !~ m#/git-receive-pack$#"
        </RequireAll>
    </RequireAny>
</Location>
"""


class GitRawStore:
    """The files of the ``memtray`` branch of a bare repository, changed with commits behind the client's back."""

    def __init__(self, repository: Path, uid: int, gid: int) -> None:
        self.repository = repository
        self.uid = uid
        self.gid = gid

    def keys(self, prefix: str = "") -> list[str]:
        from dulwich.object_store import iter_tree_contents

        with self._repo() as repo:
            tip = repo.refs.as_dict().get(BRANCH)
            if tip is None:
                return []
            paths = [entry.path.decode() for entry in iter_tree_contents(repo.object_store, repo[tip].tree)]
        return sorted(path for path in paths if path.startswith(prefix) and path.rsplit("/", 1)[-1][:1] != ".")

    def read(self, key: str) -> bytes:
        from dulwich.object_store import tree_lookup_path

        with self._repo() as repo:
            tip = repo.refs[BRANCH]
            _mode, sha = tree_lookup_path(repo.__getitem__, repo[tip].tree, key.encode())
            return bytes(repo[sha].as_raw_string())

    def write(self, key: str, data: bytes) -> None:
        self._commit(key, data)

    def delete(self, key: str) -> None:
        self._commit(key, None)

    def history_length(self) -> int:
        """How many commits the branch's history really holds (walking the server's own copy)."""
        with self._repo() as repo:
            tip = repo.refs.as_dict().get(BRANCH)
            return 0 if tip is None else sum(1 for _ in repo.get_walker(include=[tip]))

    def _commit(self, key: str, data: bytes | None) -> None:
        from dulwich.object_store import commit_tree_changes
        from dulwich.objects import ZERO_SHA, Blob, Commit, Tree

        with self._repo() as repo:
            store = repo.object_store
            tip = repo.refs.as_dict().get(BRANCH)
            change: Any = (key.encode(), None, None)
            if data is not None:
                blob = Blob.from_string(data)
                store.add_object(blob)
                change = (key.encode(), 0o100644, blob.id)
            tree = commit_tree_changes(store, repo[tip].tree if tip else Tree(), [change])
            commit: Any = Commit()
            commit.tree = tree
            commit.parents = [tip] if tip else []
            commit.author = commit.committer = b"test <test@localhost>"
            commit.author_time = commit.commit_time = int(time.time())
            commit.author_timezone = commit.commit_timezone = 0
            commit.message = b"behind the client's back\n"
            store.add_object(commit)
            if not repo.refs.set_if_equals(BRANCH, tip or ZERO_SHA, commit.id):
                raise AssertionError("the branch moved while the test changed it behind the client's back")
        self._hand_to_server()

    def _hand_to_server(self) -> None:
        os.chown(self.repository, self.uid, self.gid)
        for folder, dirs, files in os.walk(self.repository):
            for name in [*dirs, *files]:
                os.chown(os.path.join(folder, name), self.uid, self.gid)

    @contextlib.contextmanager
    def _repo(self) -> Iterator[Any]:
        from dulwich.repo import Repo

        repo = Repo(str(self.repository))
        try:
            yield repo
        finally:
            repo.close()


@dataclass
class GitHttpServer:
    port: int
    root: Path
    writer_token: str
    reader_token: str
    account: pwd.struct_passwd

    def url(self, repository: str = "hub.git", user: str = "writer") -> str:
        return f"git+http://{user}@127.0.0.1:{self.port}/git/{repository}"

    def new_repository(self, name: str) -> GitRawStore:
        """An empty bare repository served at ``/git/<name>``."""
        from dulwich.repo import Repo

        path = self.root / name
        Repo.init_bare(str(path), mkdir=True).close()
        store = GitRawStore(path, self.account.pw_uid, self.account.pw_gid)
        store._hand_to_server()
        return store


@contextlib.contextmanager
def git_http_server(workdir: Path) -> Iterator[GitHttpServer]:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    tokens = {"writer": secrets.token_urlsafe(16), "reader": secrets.token_urlsafe(16)}
    with shared_folder(workdir) as (shared, account):
        root = shared / "repositories"
        root.mkdir()
        passwords = shared / "htpasswd"
        write_passwords(passwords, tokens)
        for path in (shared, root, passwords):
            os.chown(path, account.pw_uid, account.pw_gid)
        body = CONFIG.format(shared=shared, root=root, backend=HTTP_BACKEND)
        with running_apache(workdir, port, MODULES, body):
            yield GitHttpServer(port, root, tokens["writer"], tokens["reader"], account)


@contextlib.contextmanager
def git_http_endpoint(workdir: Path) -> Iterator[HubEndpoint]:
    """The hub kind the shared scenarios use: one repository, reached with the token that may push."""
    with git_http_server(workdir) as server:
        raw = server.new_repository("hub.git")
        yield HubEndpoint(kind="git", url=server.url(), secret=server.writer_token, raw=raw)
