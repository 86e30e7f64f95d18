"""The WebDAV and memtray hub adapters read a server's Retry-After alike (memtray.hubs.retrying)."""

from __future__ import annotations

import secrets

import pytest

from memtray.errors import HubRateLimitedError
from memtray.hubs.http import HttpHub
from memtray.hubs.webdav import WebDavHub
from tests.hubs.local_servers import scripted_http_server

TOKEN = "mt_" + "r" * 43


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        ("0", 0.0),
        ("-5", None),
        ("nan", None),
        ("86400", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
    ],
)
def test_both_http_adapters_take_the_same_wait_from_retry_after(header: str, seconds: float | None) -> None:
    def busy(method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        return 429, {"Retry-After": header, "Content-Type": "application/json"}, b"{}"

    with scripted_http_server(busy) as (port, _seen):
        webdav = WebDavHub(f"webdav://memtray@127.0.0.1:{port}/dav", secret="pw")
        memtray_hub = HttpHub(
            f"http://127.0.0.1:{port}",
            vault_id=secrets.token_hex(16),
            device_id=secrets.token_hex(16),
            token=TOKEN,
            max_tries=1,
        )
        for hub in (webdav, memtray_hub):
            with pytest.raises(HubRateLimitedError) as caught:
                hub.list("log/")
            hub.close()
            assert caught.value.retry_after == seconds, hub
