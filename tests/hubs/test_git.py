"""The git hub kind against a real smart-HTTP git server (Apache + ``git http-backend``) and a bare repository on disk.

The shared contract runs on both; the rest checks what only git has: pushes that race, the squash that keeps
history short, tokens that may read but not write, and the rule that tells a bare repository from a folder hub.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from memtray.errors import (
    HubAuthError,
    HubError,
    HubUnreachableError,
    ObjectExistsError,
    ObjectTooLargeError,
    UsageError,
)
from memtray.hubs import hub_kind, needs_secret, normalise_hub_url, open_hub
from memtray.hubs.git import GitRepoHub
from memtray.hubs.git_remote import parse_git_url
from memtray.hubs.keys import log_key
from tests.hubs.contract import DEVICE_A, DEVICE_B, EACH_CHECK, TwoLaptops, laptops_until_done
from tests.servers._process import free_port
from tests.servers.git_http import GitHttpServer, GitRawStore, git_http_server

DEVICES = [c * 32 for c in "abcdef"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHttpServer]:
    with git_http_server(tmp_path_factory.mktemp("git-http")) as running:
        yield running


@pytest.fixture
def repository(server: GitHttpServer, request: pytest.FixtureRequest) -> tuple[str, GitRawStore]:
    """A fresh repository on the server for one test, and the URL the writing laptop uses."""
    name = f"{request.node.name.replace('[', '-').replace(']', '')[:60]}.git"
    return server.url(name), server.new_repository(name)


def _disk_repository(root: Path) -> tuple[str, GitRawStore]:
    from dulwich.repo import Repo

    path = root / "hub.git"
    Repo.init_bare(str(path), mkdir=True).close()
    return str(path), GitRawStore(path, os.getuid(), os.getgid())


@pytest.fixture(scope="module", params=["smart-http", "bare-repository"])
def laptops(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, server: GitHttpServer
) -> Iterator[TwoLaptops]:
    if request.param == "smart-http":
        url, raw, secret = server.url("contract.git"), server.new_repository("contract.git"), server.writer_token
    else:
        (url, raw), secret = _disk_repository(tmp_path_factory.mktemp("bare")), None
    a, b = (open_hub(url, secret=secret) for _ in range(2))
    assert isinstance(a, GitRepoHub) and isinstance(b, GitRepoHub)
    yield from laptops_until_done(a, b, raw)


@EACH_CHECK
def test_hub_contract(hubs: TwoLaptops, check: Callable[[TwoLaptops], None]) -> None:
    check(hubs)


def _hub(url: str, secret: str | None, squash_after: int = 1000) -> GitRepoHub:
    return GitRepoHub(normalise_hub_url(url), secret, squash_after=squash_after)


@contextlib.contextmanager
def _closing(*hubs: GitRepoHub) -> Iterator[tuple[GitRepoHub, ...]]:
    """The hubs, each closed when the block ends."""
    try:
        yield hubs
    finally:
        for hub in hubs:
            hub.close()


def _put_all(hub: GitRepoHub, device: str, count: int, start: threading.Barrier) -> None:
    start.wait()
    for seq in range(1, count + 1):
        hub.put_new(log_key(device, seq), f"{device[0]}{seq}".encode())


@contextlib.contextmanager
def _a_put_away_from_a_squash(url: str, token: str) -> Iterator[tuple[GitRepoHub, GitRepoHub]]:
    """Laptop A, squashing after two commits, has put two objects; laptop B shares the repository."""
    with _closing(_hub(url, token, squash_after=2), _hub(url, token)) as (a, b):
        for seq in (1, 2):
            a.put_new(log_key(DEVICE_A, seq), b"a")
        yield a, b


def _run_laptops(hubs: list[GitRepoHub], count: int) -> None:
    start = threading.Barrier(len(hubs))
    failures: list[BaseException] = []

    def run(hub: GitRepoHub, device: str) -> None:
        try:
            _put_all(hub, device, count, start)
        except BaseException as exc:  # reported below, in the test's own thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(hub, DEVICES[i])) for i, hub in enumerate(hubs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures


def _expected_keys(laptops: int, count: int) -> list[str]:
    return sorted(log_key(DEVICES[i], seq) for i in range(laptops) for seq in range(1, count + 1))


def test_laptops_pushing_at_the_same_moment_all_land(
    server: GitHttpServer, repository: tuple[str, GitRawStore]
) -> None:
    url, raw = repository
    with _closing(*(_hub(url, server.writer_token) for _ in range(3))) as hubs:
        _run_laptops(list(hubs), 6)
        assert raw.keys("log/") == _expected_keys(3, 6)
        assert raw.read(log_key(DEVICES[2], 6)) == b"c6"
        assert hubs[0].list("log/") == _expected_keys(3, 6)


def test_history_stays_bounded_and_no_put_racing_a_squash_is_lost(
    server: GitHttpServer, repository: tuple[str, GitRawStore]
) -> None:
    url, raw = repository
    with _closing(*(_hub(url, server.writer_token, squash_after=4) for _ in range(3))) as hubs:
        _run_laptops(list(hubs), 8)
        assert raw.keys("log/") == _expected_keys(3, 8)
        assert 1 <= raw.history_length() <= 4
        assert hubs[1].history_length() == raw.history_length()


def test_a_squash_built_on_an_old_tip_is_refused_and_redone_on_top(
    server: GitHttpServer, repository: tuple[str, GitRawStore]
) -> None:
    """Laptop A prepares a squash; B pushes first; A's squash must not land (it would drop B's object)."""
    url, raw = repository
    with _a_put_away_from_a_squash(url, server.writer_token) as (a, b):
        seen = a._refresh()
        squash, is_squash = a._commit(seen, log_key(DEVICE_A, 3), b"a3")
        assert is_squash
        b.put_new(log_key(DEVICE_B, 1), b"b1")
        assert not a._push(seen.tip, squash)
        assert raw.keys("log/") == [*(log_key(DEVICE_A, s) for s in (1, 2)), log_key(DEVICE_B, 1)]
        a.put_new(log_key(DEVICE_A, 3), b"a3")
        assert raw.keys("log/") == [*(log_key(DEVICE_A, s) for s in (1, 2, 3)), log_key(DEVICE_B, 1)]
        assert raw.history_length() == 1


def test_a_put_built_before_a_squash_is_refused_then_lands_on_the_squashed_tip(
    server: GitHttpServer, repository: tuple[str, GitRawStore]
) -> None:
    url, raw = repository
    with _a_put_away_from_a_squash(url, server.writer_token) as (a, b):
        seen = b._refresh()
        late, _ = b._commit(seen, log_key(DEVICE_B, 1), b"b1")
        a.put_new(log_key(DEVICE_A, 3), b"a3")  # the squash
        assert raw.history_length() == 1
        assert not b._push(seen.tip, late)
        b.put_new(log_key(DEVICE_B, 1), b"b1")
        assert raw.keys("log/") == [*(log_key(DEVICE_A, s) for s in (1, 2, 3)), log_key(DEVICE_B, 1)]
        assert raw.history_length() == 2


def test_a_server_that_refuses_rewriting_history_keeps_every_put(
    server: GitHttpServer, repository: tuple[str, GitRawStore]
) -> None:
    url, raw = repository
    config = raw.repository / "config"
    config.write_text(config.read_text() + "[receive]\n\tdenyNonFastForwards = true\n")
    with _closing(_hub(url, server.writer_token, squash_after=2)) as (hub,):
        for seq in range(1, 6):
            hub.put_new(log_key(DEVICE_A, seq), b"a")
        assert raw.keys("log/") == [log_key(DEVICE_A, seq) for seq in range(1, 6)]
        assert raw.history_length() == 5


def test_a_joining_laptop_downloads_only_the_current_commit(
    server: GitHttpServer, repository: tuple[str, GitRawStore]
) -> None:
    from dulwich.objects import Commit

    url, raw = repository
    with _closing(_hub(url, server.writer_token), _hub(url, server.writer_token)) as (writer, joiner):
        for seq in range(1, 7):
            writer.put_new(log_key(DEVICE_A, seq), b"a")
        assert raw.history_length() == 6
        assert len(joiner.list("log/")) == 6
        store = joiner._local.object_store
        assert sum(isinstance(store[sha], Commit) for sha in store) == 1


def test_a_token_without_write_access_is_told_plainly(
    server: GitHttpServer, repository: tuple[str, GitRawStore]
) -> None:
    url, raw = repository
    raw.write(log_key(DEVICE_A, 1), b"readable")
    with _closing(_hub(server.url(url.rsplit("/", 1)[1], user="reader"), server.reader_token)) as (reader,):
        assert reader.get(log_key(DEVICE_A, 1)) == b"readable"
        with pytest.raises(HubAuthError, match=r"can read the repository .* but not write to it") as refused:
            reader.put_new(log_key(DEVICE_B, 1), b"b")
        assert raw.keys("log/") == [log_key(DEVICE_A, 1)]
        _assert_no_secret(refused.value, server.reader_token)


def test_a_wrong_token_a_missing_repository_and_a_down_server_each_get_a_sentence(server: GitHttpServer) -> None:
    with _closing(
        _hub(server.url("contract.git"), "not-the-token"),
        _hub(server.url("nobody-made-this.git"), server.writer_token),
        _hub(f"git+http://writer@127.0.0.1:{free_port()}/git/hub.git", server.writer_token),
    ) as (wrong, missing, down):
        with pytest.raises(HubAuthError, match="did not accept the access token") as refused:
            wrong.list("")
        with pytest.raises(
            HubError, match=re.escape("There is no git repository at 127.0.0.1/git/nobody-made-this.git")
        ) as gone:
            missing.put_new(log_key(DEVICE_A, 1), b"a")
        with pytest.raises(
            HubUnreachableError, match=re.escape("could not reach the git server 127.0.0.1")
        ) as unreachable:
            down.get(log_key(DEVICE_A, 1))
        _assert_no_secret(refused.value, "not-the-token")
        _assert_no_secret(gone.value, server.writer_token)
        _assert_no_secret(unreachable.value, server.writer_token)


def _assert_no_secret(error: BaseException, secret: str) -> None:
    seen: BaseException | None = error
    while seen is not None:
        assert secret not in str(seen) and secret not in repr(seen)
        seen = seen.__cause__ or seen.__context__


def test_the_token_is_never_in_the_address_or_the_repr(server: GitHttpServer) -> None:
    hub = open_hub(server.url("contract.git"), secret=server.writer_token)
    try:
        assert server.writer_token not in repr(hub) and server.writer_token not in hub.url
    finally:
        hub.close()
    with pytest.raises(UsageError, match="Take the token out of the git address"):
        GitRepoHub("git+https://me:ghp_secret123@github.com/me/memory.git")
    with pytest.raises(UsageError, match="over plain http://"):
        GitRepoHub("git+http://github.com/me/memory.git", "token")


def test_an_object_over_its_cap_is_refused(tmp_path: Path) -> None:
    url, raw = _disk_repository(tmp_path)
    raw.write("vault/keyfile/0000000000000001", b"k" * (64 * 1024 + 1))
    with _closing(_hub(url, None)) as (hub,):
        with pytest.raises(ObjectTooLargeError, match="vault/keyfile/0000000000000001"):
            hub.get("vault/keyfile/0000000000000001")
        with pytest.raises(ObjectExistsError):
            hub.put_new("vault/keyfile/0000000000000001", b"k")


def test_only_a_bare_repository_is_taken_for_a_git_hub(tmp_path: Path) -> None:
    url, _ = _disk_repository(tmp_path)
    assert hub_kind(url) == "git-file"
    assert normalise_hub_url(url) == "git+" + Path(url).resolve().as_uri()
    assert hub_kind(normalise_hub_url(url)) == "git-file"
    folder_hub = tmp_path / "memory.git"
    (folder_hub / "vault" / "keyfile").mkdir(parents=True)
    (folder_hub / "log").mkdir()
    assert hub_kind(str(folder_hub)) == "folder"
    assert hub_kind(str(tmp_path / "not-made-yet.git")) == "folder"
    assert hub_kind("git+https://github.com/me/memory.git") == "git"
    assert hub_kind("git+ssh://git@github.com/me/memory.git") == "git-ssh"
    assert needs_secret("git") and not needs_secret("git-ssh") and not needs_secret("git-file")
    assert parse_git_url("git+file:///C:/Users/me/memory.git").path == "C:/Users/me/memory.git"
    assert parse_git_url("git+file:///home/me/memory.git").path == "/home/me/memory.git"


def test_write_access_is_checked_without_pushing(server: GitHttpServer, repository: tuple[str, GitRawStore]) -> None:
    url, raw = repository
    with _closing(
        _hub(url, server.writer_token), _hub(server.url(url.rsplit("/", 1)[1], user="reader"), server.reader_token)
    ) as (writer, reader):
        writer.check_write_access()
        with pytest.raises(HubAuthError, match="but not write to it"):
            reader.check_write_access()
        assert raw.keys("") == [] and raw.history_length() == 0


class AnswerLosingProxy:
    """A TCP relay to the git server that, once armed, passes a push through but loses the server's answer.

    The server's whole answer (its chunked body's end) is awaited before the laptop's connection is cut, so the
    push has certainly landed when the laptop sees the connection drop.
    """

    def __init__(self, port: int) -> None:
        self.target = port
        self.armed = threading.Event()
        self.cut = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                server = socket.create_connection(("127.0.0.1", self.target))
                pushing = threading.Event()
                threading.Thread(target=self._upstream, args=(client, server, pushing), daemon=True).start()
                threading.Thread(target=self._downstream, args=(server, client, pushing), daemon=True).start()

    def _upstream(self, client: socket.socket, server: socket.socket, pushing: threading.Event) -> None:
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                if self.armed.is_set() and b"POST " in chunk and b"/git-receive-pack " in chunk:
                    pushing.set()
                server.sendall(chunk)

    def _downstream(self, server: socket.socket, client: socket.socket, pushing: threading.Event) -> None:
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := server.recv(65536):
                if not pushing.is_set():
                    client.sendall(chunk)
                    continue
                answer += chunk
                if answer.endswith(b"0\r\n\r\n"):
                    self.armed.clear()
                    self.cut.set()
                    client.shutdown(socket.SHUT_RDWR)
                    client.close()
                    server.close()
                    return


def test_a_push_whose_answer_is_lost_counts_as_landed(
    server: GitHttpServer, repository: tuple[str, GitRawStore]
) -> None:
    url, raw = repository
    proxy = AnswerLosingProxy(server.port)
    hub = _hub(url.replace(f":{server.port}/", f":{proxy.port}/"), server.writer_token)
    try:
        hub.put_new(log_key(DEVICE_A, 1), b"before")
        proxy.armed.set()
        hub.put_new(log_key(DEVICE_A, 2), b"answer lost")
        assert proxy.cut.is_set(), "the proxy did cut the push's answer"
        assert raw.read(log_key(DEVICE_A, 2)) == b"answer lost"
        with pytest.raises(ObjectExistsError):
            hub.put_new(log_key(DEVICE_A, 2), b"answer lost")
    finally:
        hub.close()
        proxy.close()


def test_the_private_copy_is_started_afresh_before_its_pack_files_pile_up(tmp_path: Path) -> None:
    url, _ = _disk_repository(tmp_path)
    with _closing(_hub(url, None), _hub(url, None)) as (writer, reader):
        reader.local_pack_limit = 3
        for seq in range(1, 9):
            writer.put_new(log_key(DEVICE_A, seq), b"a%d" % seq)
            assert reader.list("log/") == [log_key(DEVICE_A, s) for s in range(1, seq + 1)]
            assert reader._local.object_store.count_pack_files() <= 4
        assert reader.get(log_key(DEVICE_A, 8)) == b"a8"
