"""Retries: real HTTP servers on 127.0.0.1 that answer 5xx/429 first, or lose a reply after storing."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests

from memtray.errors import HubError, HubRateLimitedError, ObjectExistsError
from memtray.hubs.http import HttpHub
from tests.hubserver.conftest import Vault, new_id, seq_key

EMPTY_PAGE = json.dumps({"keys": [], "next_after": None}).encode()


@dataclass
class Script:
    """Answers to give, in order; once used up, every request gets an empty listing page."""

    answers: list[tuple[int, dict[str, str]]]
    upstream: str | None = None
    seen: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def handler_for(script: Script) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with script.lock:
                script.seen.append(self.command)
                scripted = script.answers.pop(0) if script.answers else None
            headers: dict[str, str] = {}
            if script.upstream is not None:
                forwarded = requests.request(
                    self.command,
                    script.upstream + self.path,
                    data=body,
                    headers={"Authorization": self.headers.get("Authorization", "")},
                    timeout=10,
                )
                status, payload = forwarded.status_code, forwarded.content
            else:
                status, payload = 200, EMPTY_PAGE
            if scripted is not None:
                status, headers = scripted
                payload = json.dumps({"error": {"code": "scripted", "message": "scripted failure"}}).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_PUT = do_POST = do_DELETE = _answer

        def log_message(self, *_: object) -> None:
            return

    return Handler


@pytest.fixture
def scripted() -> Iterator[tuple[str, Script]]:
    script = Script(answers=[])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(script))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", script
    server.shutdown()
    server.server_close()
    thread.join(10)


def client(url: str, max_tries: int = 4) -> HttpHub:
    return HttpHub(url, vault_id=new_id(), device_id=new_id(), token="mt_" + "r" * 43, max_tries=max_tries)


def test_transient_5xx_and_429_are_retried(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    script.answers = [(503, {"Retry-After": "0"}), (502, {}), (429, {"Retry-After": "0"})]
    assert client(url).list("log/") == []
    assert len(script.seen) == 4


def test_retries_stop_after_max_tries(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    script.answers = [(500, {"Retry-After": "0"})] * 10
    with pytest.raises(HubError) as caught:
        client(url, max_tries=3).list("log/")
    assert "internal problem" in caught.value.message
    assert len(script.seen) == 3


def test_long_retry_after_is_not_waited_out(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    script.answers = [(429, {"Retry-After": "120"})]
    with pytest.raises(HubRateLimitedError) as caught:
        client(url).list("log/")
    assert caught.value.retry_after == 120
    assert "120 seconds" in caught.value.message
    assert len(script.seen) == 1


def test_client_errors_are_not_retried(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    script.answers = [(400, {})]
    with pytest.raises(HubError):
        client(url).list("log/")
    assert len(script.seen) == 1


@pytest.fixture
def lossy_proxy(vault: Vault, scripted: tuple[str, Script]) -> tuple[str, Script]:
    """Forwards to the real hub; the first reply is lost (502) after the hub already stored the PUT."""
    url, script = scripted
    script.upstream = vault.a.url
    script.answers = [(502, {})]
    return url, script


def test_put_whose_reply_was_lost_succeeds_on_retry(vault: Vault, lossy_proxy: tuple[str, Script]) -> None:
    url, script = lossy_proxy
    via_proxy = HttpHub(url, vault_id=vault.vault_id, device_id=vault.a.device_id, token=vault.a.token)
    key = seq_key(vault.a.device_id or "", 1)
    via_proxy.put_new(key, b"entry one")
    assert script.seen == ["PUT", "PUT", "GET"]
    assert vault.b.get(key) == b"entry one"


def test_put_conflict_after_lost_reply_with_other_bytes_still_fails(
    vault: Vault, lossy_proxy: tuple[str, Script]
) -> None:
    url, _ = lossy_proxy
    key = seq_key(vault.a.device_id or "", 1)
    vault.a.put_new(key, b"the real entry")
    via_proxy = HttpHub(url, vault_id=vault.vault_id, device_id=vault.a.device_id, token=vault.a.token)
    with pytest.raises(ObjectExistsError):
        via_proxy.put_new(key, b"a different entry")
    assert vault.b.get(key) == b"the real entry"


def test_redirects_are_not_followed(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    script.answers = [(301, {"Location": "https://elsewhere.example.com/"})]
    with pytest.raises(HubError) as caught:
        client(url).list("log/")
    assert "somewhere else" in caught.value.message
    assert len(script.seen) == 1
