"""The S3 adapter against moto's real S3 server (with signature checks) and small misbehaving servers."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

import pytest

from memtray.errors import (
    HubAuthError,
    HubError,
    HubFullError,
    HubUnreachableError,
    ObjectExistsError,
    UsageError,
)
from memtray.hubs import open_hub
from memtray.hubs import s3 as s3_module
from memtray.hubs.s3 import S3Hub
from tests.hubs.contract import DEVICE_A, log
from tests.hubs.local_servers import answer_losing_proxy, dropping_server, scripted_http_server
from tests.servers import HubEndpoint
from tests.servers.s3_moto import s3_moto_endpoint

QUOTA_EXCEEDED = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>QuotaExceeded</Code>'
    b"<Message>The bucket is over its quota.</Message></Error>"
)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubEndpoint]:
    with s3_moto_endpoint(tmp_path_factory.mktemp("moto")) as found:
        yield found


@pytest.fixture
def hub(endpoint: HubEndpoint) -> Iterator[S3Hub]:
    opened = open_hub(endpoint.url, secret=endpoint.secret)
    assert isinstance(opened, S3Hub)
    yield opened
    opened.close()
    client = endpoint.raw.client  # type: ignore[attr-defined]
    for page in client.get_paginator("list_objects_v2").paginate(Bucket="memtray-hub"):
        if page.get("Contents"):
            objects = [{"Key": item["Key"]} for item in page["Contents"]]
            client.delete_objects(Bucket="memtray-hub", Delete={"Objects": objects})


def local_url(port: int, scheme: str = "http") -> str:
    return f"s3://memtray-hub/v?endpoint={quote(f'{scheme}://127.0.0.1:{port}')}&region=us-east-1"


def test_check_then_put_fallback_is_create_only_too(endpoint: HubEndpoint) -> None:
    """The path taken for stores that ignore If-None-Match (moto honours it, so the probe result is set)."""
    hub = S3Hub(endpoint.url, secret=endpoint.secret)
    hub._conditional = False
    hub.put_new("blob/fallback", b"kept")
    with pytest.raises(ObjectExistsError):
        hub.put_new("blob/fallback", b"replaced")
    assert endpoint.raw.read("blob/fallback") == b"kept"
    hub.delete("blob/fallback")
    hub.close()


def test_probe_leaves_nothing_behind(hub: S3Hub, endpoint: HubEndpoint) -> None:
    hub.put_new("blob/one", b"1")
    client = endpoint.raw.client  # type: ignore[attr-defined]
    listed = client.list_objects_v2(Bucket="memtray-hub").get("Contents", [])
    assert [item["Key"] for item in listed] == ["vault1/blob/one"]


def test_a_write_whose_answer_is_lost_is_retried_and_counts_as_done(hub: S3Hub, endpoint: HubEndpoint) -> None:
    hub.put_new(log(DEVICE_A, 1), b"direct")
    port = urlsplit(endpoint.url.split("endpoint=")[1].split("&")[0]).port
    with answer_losing_proxy(port or 0, b"PUT /memtray-hub/vault1/log/") as (proxy, seen):
        flaky = S3Hub(endpoint.url.replace(f":{port}&", f":{proxy}&"), secret=endpoint.secret)
        flaky.put_new(log(DEVICE_A, 2), b"landed once")
        assert flaky.list("log/") == [log(DEVICE_A, 1), log(DEVICE_A, 2)]
        flaky.close()
    assert [method for method, _, _ in seen.requests] == ["LOST"]
    assert endpoint.raw.read(log(DEVICE_A, 2)) == b"landed once"


def test_list_pages_through_more_than_one_response(hub: S3Hub, endpoint: HubEndpoint) -> None:
    keys = [log(DEVICE_A, seq) for seq in range(1, 1106)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda key: endpoint.raw.write(key, b"x"), keys))
    assert hub.list(f"log/{DEVICE_A}/") == keys
    assert hub.list(f"log/{DEVICE_A}/", after=keys[49]) == keys[50:]


def test_wrong_secret_is_auth_error_without_the_secret(endpoint: HubEndpoint) -> None:
    key_id = (endpoint.secret or "").split(":")[0]
    wrong_secret = "Wr0ngSecretKeyValue1234567890abcdefghij"
    for secret in (f"{key_id}:{wrong_secret}", f"AKIAUNKNOWN000000000:{wrong_secret}"):
        hub = S3Hub(endpoint.url, secret=secret)
        with pytest.raises(HubAuthError, match="did not accept the access key") as caught:
            hub.list("log/")
        for text in (str(caught.value), repr(caught.value), repr(hub), str(caught.value.__cause__)):
            assert wrong_secret not in text
        with pytest.raises(HubAuthError):
            hub.put_new("blob/denied", b"x")
        hub.close()
    assert endpoint.raw.keys("blob/") == []


def test_missing_bucket_is_a_clear_error(endpoint: HubEndpoint) -> None:
    hub = S3Hub(endpoint.url.replace("s3://memtray-hub/", "s3://no-such-bucket/"), secret=endpoint.secret)
    with pytest.raises(HubError, match="bucket no-such-bucket does not exist"):
        hub.list("log/")
    with pytest.raises(HubError, match="does not exist"):
        hub.put_new("blob/x", b"x")
    hub.close()


def test_https_to_a_plain_http_server_is_a_tls_error(endpoint: HubEndpoint) -> None:
    hub = S3Hub(endpoint.url.replace("endpoint=http:", "endpoint=https:"), secret=endpoint.secret)
    with pytest.raises(HubError, match="secure connection") as caught:
        hub.list("log/")
    assert not isinstance(caught.value, HubUnreachableError)
    hub.close()


def test_quota_exceeded_is_hub_full() -> None:
    def answer(method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        return 507, {"Content-Type": "application/xml"}, QUOTA_EXCEEDED

    with scripted_http_server(answer) as (port, seen):
        hub = S3Hub(local_url(port), secret="AKIATEST:quota-secret")
        with pytest.raises(HubFullError, match="quota"):
            hub.put_new(log(DEVICE_A, 1), b"x")
        hub.close()
    assert [method for method, _, _ in seen.requests if method == "PUT"] == ["PUT"]


def test_dropped_connections_are_unreachable_after_bounded_retries() -> None:
    with dropping_server() as (port, seen):
        hub = S3Hub(local_url(port), secret="AKIATEST:dropped-secret")
        with pytest.raises(HubUnreachableError, match="could not reach") as caught:
            hub.list("log/")
        hub.close()
        connections = seen.connections
    assert connections == s3_module.ATTEMPTS
    assert "dropped-secret" not in str(caught.value)


def test_url_options_are_checked() -> None:
    with pytest.raises(UsageError, match="keychain"):
        S3Hub("s3://AKIA:secret@bucket/x")
    with pytest.raises(UsageError, match="does not know"):
        S3Hub("s3://bucket/x?endpoint=http://127.0.0.1:1&colour=blue")
    with pytest.raises(UsageError, match="ACCESS_KEY_ID:SECRET_ACCESS_KEY"):
        S3Hub("s3://bucket/x?endpoint=http://127.0.0.1:1", secret="only-one-part")
