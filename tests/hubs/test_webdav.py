"""The WebDAV adapter against real servers: Apache mod_dav, WsgiDAV and rclone (which ignores If-None-Match)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from memtray.errors import (
    HubAuthError,
    HubError,
    HubFullError,
    HubUnreachableError,
    ObjectExistsError,
    UsageError,
)
from memtray.hubs import open_hub
from memtray.hubs import webdav as webdav_module
from memtray.hubs.webdav import WebDavHub
from tests.hubs.contract import DEVICE_A, empty_the_hub, log
from tests.hubs.local_servers import answer_losing_proxy, dropping_server, scripted_http_server
from tests.servers import FolderRawStore, HubEndpoint
from tests.servers.webdav_apache import webdav_apache_endpoint
from tests.servers.webdav_rclone import webdav_rclone_endpoint
from tests.servers.webdav_wsgidav import webdav_wsgidav_endpoint

SERVERS = {"apache": webdav_apache_endpoint, "wsgidav": webdav_wsgidav_endpoint, "rclone": webdav_rclone_endpoint}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubEndpoint]:
    with SERVERS[request.param](tmp_path_factory.mktemp(request.param)) as found:
        yield found


@pytest.fixture
def hub(endpoint: HubEndpoint) -> Iterator[WebDavHub]:
    opened = open_hub(endpoint.url, secret=endpoint.secret)
    assert isinstance(opened, WebDavHub)
    yield opened
    empty_the_hub(opened, endpoint.raw)
    opened.close()


def server_of(request: pytest.FixtureRequest) -> str:
    return str(request.node.callspec.params["endpoint"])


def raw_root(endpoint: HubEndpoint) -> Path:
    assert isinstance(endpoint.raw, FolderRawStore)
    return endpoint.raw.root


def http_url(endpoint: HubEndpoint) -> str:
    return "http://" + endpoint.url.split("@", 1)[1]


def test_create_only_leaves_no_temporary_files(hub: WebDavHub, endpoint: HubEndpoint) -> None:
    hub.put_new("blob/one", b"1")
    with pytest.raises(ObjectExistsError):
        hub.put_new("blob/one", b"2")
    leftovers = [path.name for path in raw_root(endpoint).rglob(".memtray-*")]
    assert leftovers == []


def test_rclone_ignores_if_none_match_yet_put_new_stays_create_only(
    endpoint: HubEndpoint, request: pytest.FixtureRequest
) -> None:
    if server_of(request) != "rclone":
        pytest.skip("only rclone ignores If-None-Match")
    auth = ("memtray", endpoint.secret or "")
    target = f"{http_url(endpoint)}/ignored"
    first = requests.put(target, data=b"1", auth=auth, headers={"If-None-Match": "*"}, timeout=10)
    second = requests.put(target, data=b"2", auth=auth, headers={"If-None-Match": "*"}, timeout=10)
    assert (first.status_code, second.status_code) == (201, 201)
    hub = WebDavHub(endpoint.url, secret=endpoint.secret)
    hub.put_new("blob/kept", b"kept")
    with pytest.raises(ObjectExistsError):
        hub.put_new("blob/kept", b"replaced")
    assert endpoint.raw.read("blob/kept") == b"kept"
    hub.delete("blob/kept")
    hub.close()


def test_a_write_whose_answer_is_lost_is_retried_and_counts_as_done(
    hub: WebDavHub, endpoint: HubEndpoint, request: pytest.FixtureRequest
) -> None:
    """Writes keys earlier tests wrote too; the ``hub`` fixture's cleanup waits until the server agrees they are gone.

    That cleanup deletes behind the server's back, and rclone kept refusing a write of such a key as
    existing (its cache answered for the deleted object) for about half a second, which made this test
    fail now and then. Fresh keys here alone would leave every other test open to the same race.
    """
    hub.put_new(log(DEVICE_A, 1), b"direct")
    port = urlsplit(http_url(endpoint)).port
    method = "MOVE" if server_of(request) == "rclone" else "PUT"
    with answer_losing_proxy(port or 0, f"{method} /dav/hub/log/".encode()) as (proxy, seen):
        flaky = WebDavHub(endpoint.url.replace(f":{port}/", f":{proxy}/"), secret=endpoint.secret)
        flaky.put_new(log(DEVICE_A, 2), b"landed once")
        assert flaky.list("log/") == [log(DEVICE_A, 1), log(DEVICE_A, 2)]
        flaky.close()
    assert [method for method, _, _ in seen.requests] == ["LOST"]
    assert endpoint.raw.read(log(DEVICE_A, 2)) == b"landed once"


def test_a_key_deleted_behind_the_servers_back_is_free_again_after_the_cleanup(
    hub: WebDavHub, endpoint: HubEndpoint
) -> None:
    """What every test here relies on: after ``empty_the_hub`` a key can be written again at once."""
    for round_ in range(5):
        hub.put_new(log(DEVICE_A, 1), f"round {round_}".encode())
        assert hub.get(log(DEVICE_A, 1)) == f"round {round_}".encode()
        empty_the_hub(hub, endpoint.raw)


def test_list_sees_many_objects_written_behind_its_back(hub: WebDavHub, endpoint: HubEndpoint) -> None:
    """Apache sends a listing this long with chunked transfer encoding."""
    keys = [log(DEVICE_A, seq) for seq in range(1, 301)]
    for key in reversed(keys):
        endpoint.raw.write(key, b"x")
    _wait_out_directory_cache(hub, f"log/{DEVICE_A}/")
    assert hub.list(f"log/{DEVICE_A}/") == keys
    assert hub.list(f"log/{DEVICE_A}/", after=keys[149]) == keys[150:]


def test_wrong_password_is_auth_error_without_the_password(endpoint: HubEndpoint) -> None:
    wrong = "Wr0ng-" + (endpoint.secret or "")[::-1]
    hub = WebDavHub(endpoint.url, secret=wrong)
    with pytest.raises(HubAuthError) as caught:
        hub.list("log/")
    assert "user name and password" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), repr(hub)):
        assert wrong not in text
        assert (endpoint.secret or "") not in text
    with pytest.raises(HubAuthError):
        hub.put_new("blob/denied", b"x")
    assert endpoint.raw.keys("blob/") == []
    hub.close()


def test_missing_hub_folder_is_created_when_its_parent_exists(endpoint: HubEndpoint) -> None:
    url = endpoint.url.rsplit("/", 1)[0] + "/fresh-folder"
    hub = WebDavHub(url, secret=endpoint.secret)
    assert hub.list("") == []
    hub.put_new("vault/keyfile/0000000000000001", b"k")
    assert (raw_root(endpoint).parent / "fresh-folder/vault/keyfile/0000000000000001").read_bytes() == b"k"
    hub.delete("vault/keyfile/0000000000000001")
    hub.close()


def test_hub_folder_whose_parent_is_missing_is_a_clear_error(endpoint: HubEndpoint) -> None:
    url = endpoint.url.rsplit("/", 1)[0] + "/no/such/place"
    hub = WebDavHub(url, secret=endpoint.secret)
    with pytest.raises(HubError, match="does not exist") as caught:
        hub.put_new("blob/x", b"x")
    assert "/dav/no/such/place" in str(caught.value)
    assert not (raw_root(endpoint).parent / "no").exists()
    hub.close()


def test_https_to_a_plain_http_server_is_a_tls_error(endpoint: HubEndpoint) -> None:
    hub = WebDavHub(endpoint.url.replace("webdav://", "webdavs://"), secret=endpoint.secret)
    with pytest.raises(HubError, match="secure connection") as caught:
        hub.list("log/")
    assert not isinstance(caught.value, HubUnreachableError)
    hub.close()


def test_redirects_within_the_server_are_followed(endpoint: HubEndpoint, request: pytest.FixtureRequest) -> None:
    if server_of(request) != "apache":
        pytest.skip("the Apache fixture is the one that redirects /moved to /dav")
    hub = WebDavHub(endpoint.url.replace("/dav/", "/moved/"), secret=endpoint.secret)
    hub.put_new(log(DEVICE_A, 1), b"via redirect")
    assert hub.list("log/") == [log(DEVICE_A, 1)]
    assert hub.get(log(DEVICE_A, 1)) == b"via redirect"
    assert endpoint.raw.read(log(DEVICE_A, 1)) == b"via redirect"
    hub.delete(log(DEVICE_A, 1))
    assert endpoint.raw.keys("log/") == []
    hub.close()


def test_redirect_to_another_host_is_refused_and_not_followed() -> None:
    with scripted_http_server(lambda method, path: (404, {}, b"")) as (elsewhere, elsewhere_seen):
        target = f"http://localhost:{elsewhere}/dav/"
        with scripted_http_server(lambda method, path: (307, {"Location": target}, b"")) as (port, _seen):
            hub = WebDavHub(f"webdav://memtray@127.0.0.1:{port}/dav", secret="s3cret-pw")
            with pytest.raises(HubError, match="another address") as caught:
                hub.list("log/")
            hub.close()
    assert "s3cret-pw" not in str(caught.value)
    assert elsewhere_seen.requests == []


def test_insufficient_storage_is_hub_full() -> None:
    def answer(method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        return (507, {}, b"") if method == "PUT" else (201, {}, b"")

    with scripted_http_server(answer) as (port, seen):
        hub = WebDavHub(f"webdav://memtray@127.0.0.1:{port}/dav", secret="pw")
        with pytest.raises(HubFullError, match="quota"):
            hub.put_new(log(DEVICE_A, 1), b"x")
        hub.close()
    assert [method for method, _, _ in seen.requests if method == "PUT"] == ["PUT"]


def test_server_errors_are_retried_a_bounded_number_of_times() -> None:
    with scripted_http_server(lambda method, path: (503, {}, b"")) as (port, seen):
        hub = WebDavHub(f"webdav://memtray@127.0.0.1:{port}/dav", secret="pw")
        with pytest.raises(HubUnreachableError, match="HTTP 503"):
            hub.get(log(DEVICE_A, 1))
        hub.close()
    assert len(seen.requests) == webdav_module.ATTEMPTS


def test_dropped_connections_are_unreachable_after_bounded_retries() -> None:
    with dropping_server() as (port, seen):
        hub = WebDavHub(f"webdav://memtray@127.0.0.1:{port}/dav", secret="dropped-secret")
        with pytest.raises(HubUnreachableError, match="could not reach") as caught:
            hub.list("log/")
        hub.close()
        connections = seen.connections
    assert connections == webdav_module.ATTEMPTS
    assert "dropped-secret" not in str(caught.value)


def test_nothing_listening_is_unreachable() -> None:
    with dropping_server() as (port, _seen):
        pass
    hub = WebDavHub(f"webdavs://memtray@127.0.0.1:{port}/dav", secret="pw")
    with pytest.raises(HubUnreachableError):
        hub.get("blob/x")
    hub.close()


def test_password_in_the_url_is_refused_without_repeating_it() -> None:
    with pytest.raises(UsageError, match="keychain") as caught:
        WebDavHub("webdavs://me:hunter2@example.com/memtray", secret=None)
    assert "hunter2" not in str(caught.value)


def _wait_out_directory_cache(hub: WebDavHub, prefix: str) -> None:
    """rclone serves a folder's listing from a cache kept 100 ms (see tests/servers/webdav_rclone.py): objects
    written behind its back show up once that listing expires. Bounded: the test's own assertion follows."""
    deadline = time.monotonic() + 5.0
    while not hub.list(prefix) and time.monotonic() < deadline:
        time.sleep(0.05)
