"""A hub in a git repository: a private GitHub/GitLab/Gitea repository, any git server, or a bare repository on disk.

Addresses are described in ``memtray.hubs.git_remote``. Objects are files in the tree of one branch,
``refs/heads/memtray``, under the same keys as on every other hub. dulwich speaks git, so no ``git`` program is
needed on the laptop.

Reads: before each operation the adapter asks the server for the branch's tip (one small request) and downloads
only when the tip moved, with ``depth=1``: a laptop never downloads old commits, only the current tree and the
objects it does not have yet. The tree is kept in a private temporary repository that ``close`` removes; it is
started afresh (one download of the current tree) once its fetches left ``LOCAL_PACK_LIMIT`` pack files. ``get_many``
answers a whole batch from one look at the branch.

Create-only writes: fetch, check the key is absent, commit the change on top of the fetched tip and push. Every
push names the tip it was built on, and the server updates the branch only if it still points there (git's
receive-pack compares and swaps the ref under a lock). A refused push means another laptop pushed first: fetch
again, rebuild the commit on the new tip and retry, with a growing, jittered wait. Laptops only write their own
keys, so rebuilding never loses anyone's object; if the key itself appeared meanwhile, the put fails with
``ObjectExistsError`` like on every other hub. A push whose answer was lost is checked on the next look: our exact
bytes at the key mean it landed.

Squash (compaction): each commit records how many commits its history holds (a ``Memtray-History`` line). When a
change would take the history past ``squash_after`` commits, the laptop pushes it as a new commit without parents
(the fetched tree plus its change) instead. That push also names the tip it was built on, so it lands only if
nobody pushed since the fetch: everything on the old tip is in the new tree. A put racing the squash either landed
first (then the squash is refused and redone on top of it) or is refused itself and rebuilt on the squashed tip.
Laptops only ever need the current tree, and they fetch with depth 1, so they never ask for the old commits; the
server drops them at its next garbage collection. A server that refuses rewriting the branch (a protected branch)
is noticed, and the adapter keeps adding ordinary commits there.
"""

from __future__ import annotations

import builtins
import contextlib
import random
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from memtray.errors import HubError, HubUnreachableError, ObjectExistsError, ObjectMissingError, UsageError
from memtray.hubs.base import max_object_size, object_too_large
from memtray.hubs.git_remote import GitAddress, make_client, parse_git_url, remote_error
from memtray.hubs.keys import is_listed_key, is_valid_key

BRANCH = b"refs/heads/memtray"
SQUASH_AFTER = 256
PUSH_ATTEMPTS = 12
BATCH_SIZE = 256
LOCAL_PACK_LIMIT = 64
FIRST_WAIT = 0.05
LONGEST_WAIT = 2.0
HISTORY_LINE = b"Memtray-History: "
AUTHOR = b"memtray <memtray@localhost>"
FILE_MODE = 0o100644
BLOB_MODES = frozenset({0o100644, 0o100755})


class _TipMoved(Exception):
    """The branch moved between our fetch and our push."""


@dataclass(frozen=True)
class _Snapshot:
    tip: bytes | None = None
    tree: bytes | None = None
    history: int = 0
    keys: dict[str, bytes] = field(default_factory=dict)


class GitRepoHub:
    local_pack_limit = LOCAL_PACK_LIMIT

    def __init__(
        self,
        url: str,
        secret: str | None = None,
        *,
        allow_insecure_http: bool = False,
        squash_after: int = SQUASH_AFTER,
    ) -> None:
        self.url = url
        self._address: GitAddress = parse_git_url(url, allow_insecure_http)
        self._client, self._path = make_client(self._address, secret)
        self._squash_after = max(1, squash_after)
        self._may_squash = True
        self._snapshot = _Snapshot()
        self._lock = threading.RLock()
        self._local: Any = None  # dulwich's ids are NewTypes of bytes; the repository is kept as Any here
        self._cleanup: weakref.finalize[Any, GitRepoHub] | None = None
        self._new_local_copy()

    def __repr__(self) -> str:
        return f"GitRepoHub({self.url!r})"

    def put_new(self, key: str, data: bytes) -> None:
        _check_key(key)
        with self._lock:
            self._change(key, data)

    def get(self, key: str) -> bytes:
        _check_key(key)
        with self._lock:
            blob_id = self._refresh().keys.get(key)
            if blob_id is None:
                raise ObjectMissingError(f"Your storage is missing {key}.")
            return self._read(key, blob_id)

    def get_many(self, keys: builtins.list[str]) -> Iterator[tuple[str, bytes | None]]:
        """``keys``' objects in order (None for an absent one) from one look at the branch (``BatchRead``)."""
        for key in keys:
            _check_key(key)
        with self._lock:
            found = self._refresh().keys
        for key in keys:
            blob_id = found.get(key)
            if blob_id is None:
                yield key, None
                continue
            with self._lock:
                data = self._read(key, blob_id)
            yield key, data

    def batch_size(self) -> int:
        return BATCH_SIZE

    def list(self, prefix: str, after: str | None = None) -> builtins.list[str]:
        with self._lock:
            keys = self._refresh().keys
        return sorted(
            key for key in keys if key.startswith(prefix) and (after is None or key > after) and is_listed_key(key)
        )

    def delete(self, key: str) -> None:
        """Remove ``key`` with a commit; a key that is already gone is not an error."""
        _check_key(key)
        with self._lock:
            self._change(key, None)

    def check_write_access(self) -> None:
        """Ask the server whether this laptop may push, without pushing: raises the plain-sentence error if not.

        The push is started (the server checks the token when a push begins, GitHub and git http-backend alike)
        and abandoned before any change is sent.
        """

        def stop_before_sending(refs: dict[bytes, bytes]) -> dict[bytes, bytes]:
            raise _TipMoved

        with self._lock, contextlib.suppress(_TipMoved), self._remote(writing=True):
            self._client.send_pack(self._path, stop_before_sending, lambda *args, **kwargs: (0, iter([])))

    def history_length(self) -> int:
        """How many commits the branch's history holds, as its tip records it (0 for an empty repository)."""
        with self._lock:
            return self._refresh().history

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()
        if self._cleanup is not None:
            self._cleanup()

    def _new_local_copy(self) -> None:
        """Start the private copy afresh: every fetch adds a pack file to it, and a laptop that runs for weeks
        would otherwise hold thousands open. The next fetch downloads the current tree once (depth 1)."""
        from dulwich.repo import Repo

        if self._cleanup is not None:
            self._cleanup()
        workdir = tempfile.mkdtemp(prefix="memtray-git-")
        self._local = Repo.init_bare(workdir)
        self._cleanup = weakref.finalize(self, _remove_local, self._local, workdir)
        self._snapshot = _Snapshot()

    def _change(self, key: str, data: bytes | None) -> None:
        """Commit ``data`` at ``key`` (None removes it) on the tip, rebuilding and retrying while others push."""
        refused_squash_at: bytes | None = None
        for attempt in range(PUSH_ATTEMPTS):
            snapshot = self._refresh()
            if refused_squash_at is not None and snapshot.tip == refused_squash_at:
                self._may_squash = False  # the branch did not move: the server refused the rewrite itself
            present = key in snapshot.keys
            if data is not None and present:
                raise ObjectExistsError(f"Your storage already has {key}.")
            if data is None and not present:
                return
            commit, squash = self._commit(snapshot, key, data)
            try:
                landed = self._push(snapshot.tip, commit)
            except HubUnreachableError:
                if self._landed_after_all(key, data):
                    return
                raise
            if landed:
                self._remember_own_commit(snapshot, key, data, commit)
                return
            refused_squash_at = snapshot.tip if squash else None
            time.sleep(min(LONGEST_WAIT, FIRST_WAIT * 2**attempt) * random.uniform(0.5, 1.5))
        raise HubError(
            f"Other laptops kept saving to the repository {self._address.where} at the same moment, so memtray "
            "could not save its change. It will try again later.",
            title="Your storage is busy",
        )

    def _read(self, key: str, blob_id: bytes) -> bytes:
        _kind, data = self._local.object_store.get_raw(blob_id)
        if len(data) > max_object_size(key):
            raise object_too_large(key)
        return bytes(data)

    def _landed_after_all(self, key: str, data: bytes | None) -> bool:
        """Whether a push whose answer was lost landed: our exact bytes at ``key`` (or ``key`` gone, for a delete).

        Without this, a lost answer would leave the object on the hub while the caller thinks it failed, and the
        sync engine's next try, with freshly sealed bytes, would find "its" key taken.
        """
        wanted = None if data is None else _blob_id(data)
        return self._refresh().keys.get(key) == wanted

    def _refresh(self) -> _Snapshot:
        """The branch as the server has it now; downloads only when its tip moved, and then with depth 1."""
        if self._local.object_store.count_pack_files() > self.local_pack_limit:
            self._new_local_copy()
        seen: dict[str, bytes | None] = {}

        def wanted(refs: Any, depth: int | None = None) -> builtins.list[bytes]:
            tip = refs.get(BRANCH)
            seen["tip"] = tip
            return [] if tip is None or tip in self._local.object_store else [tip]

        with self._remote(writing=False):
            self._client.fetch(self._path, self._local, determine_wants=wanted, depth=1)
        tip = seen.get("tip")
        if tip != self._snapshot.tip:
            self._snapshot = self._read_snapshot(tip)
            if tip is not None:
                self._local.refs[BRANCH] = tip  # tells the server what we have next time we fetch
        return self._snapshot

    def _read_snapshot(self, tip: bytes | None) -> _Snapshot:
        from dulwich.object_store import iter_tree_contents

        if tip is None:
            return _Snapshot()
        store = self._local.object_store
        commit = store[tip]
        keys: dict[str, bytes] = {}
        for entry in iter_tree_contents(store, commit.tree):
            name = entry.path.decode("utf-8", "replace")
            if entry.mode in BLOB_MODES and is_valid_key(name):
                keys[name] = entry.sha
        return _Snapshot(tip, commit.tree, _history(commit.message), keys)

    def _commit(self, snapshot: _Snapshot, key: str, data: bytes | None) -> tuple[bytes, bool]:
        """A commit of ``snapshot``'s tree with ``key`` changed; without parents when history reached the limit."""
        from dulwich.object_store import commit_tree_changes
        from dulwich.objects import Blob, Commit, Tree

        store = self._local.object_store
        if data is None:
            change: tuple[bytes, int | None, bytes | None] = (key.encode(), None, None)
        else:
            blob = Blob.from_string(data)
            store.add_object(blob)
            change = (key.encode(), FILE_MODE, blob.id)
        base: Any = snapshot.tree if snapshot.tree is not None else Tree()
        tree = commit_tree_changes(store, base, [change])  # type: ignore[list-item]
        squash = self._may_squash and snapshot.tip is not None and snapshot.history >= self._squash_after
        parents = [] if squash or snapshot.tip is None else [snapshot.tip]
        history = snapshot.history + 1 if parents else 1
        commit: Any = Commit()
        commit.tree = tree
        commit.parents = parents
        commit.author = commit.committer = AUTHOR
        commit.author_time = commit.commit_time = int(time.time())
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = b"memtray\n\n" + HISTORY_LINE + str(history).encode() + b"\n"
        store.add_object(commit)
        return commit.id, squash

    def _push(self, expected_tip: bytes | None, commit: bytes) -> bool:
        """Move the branch from ``expected_tip`` to ``commit``; False if the server's branch is elsewhere now."""
        from dulwich.file import FileLocked
        from dulwich.objects import ZERO_SHA

        store = self._local.object_store

        def update_refs(refs: dict[bytes, bytes]) -> dict[bytes, bytes]:
            if refs.get(BRANCH, ZERO_SHA) != (expected_tip or ZERO_SHA):
                raise _TipMoved
            return {BRANCH: commit}

        def pack(have: Any, want: Any, *, ofs_delta: bool = True, progress: Any = None) -> Any:
            known = [sha for sha in have if sha in store]
            shallow = self._local.get_shallow()
            return store.generate_pack_data(known, want, shallow=shallow, ofs_delta=ofs_delta, progress=progress)

        try:
            with self._remote(writing=True):
                result = self._client.send_pack(self._path, update_refs, pack)
        except (_TipMoved, FileLocked):
            return False
        return not (result.ref_status or {}).get(BRANCH)

    def _remember_own_commit(self, snapshot: _Snapshot, key: str, data: bytes | None, commit: bytes) -> None:
        keys = dict(snapshot.keys)
        if data is None:
            keys.pop(key, None)
        else:
            keys[key] = _blob_id(data)
        stored = self._local.object_store[commit]
        self._snapshot = _Snapshot(commit, stored.tree, _history(stored.message), keys)
        self._local.refs[BRANCH] = commit

    @contextlib.contextmanager
    def _remote(self, *, writing: bool) -> Iterator[None]:
        """Turn dulwich's and the network's failures inside the block into memtray errors with a plain sentence."""
        from dulwich.client import HTTPUnauthorized
        from dulwich.errors import GitProtocolError, NotGitRepository
        from urllib3.exceptions import HTTPError

        try:
            yield
        except (HTTPUnauthorized, GitProtocolError, NotGitRepository, HTTPError, OSError) as exc:
            raise remote_error(exc, self._address, writing) from exc


def _history(message: bytes) -> int:
    for line in message.splitlines():
        if line.startswith(HISTORY_LINE):
            number = line[len(HISTORY_LINE) :].strip()
            return int(number) if number.isdigit() else 0
    return 0


def _blob_id(data: bytes) -> bytes:
    from dulwich.objects import Blob

    return Blob.from_string(data).id


def _remove_local(repo: Any, workdir: str) -> None:
    with contextlib.suppress(Exception):
        repo.close()
    shutil.rmtree(workdir, ignore_errors=True)


def _check_key(key: str) -> None:
    if not is_valid_key(key):
        raise UsageError(f"'{key}' is not a valid name for a stored item.")
