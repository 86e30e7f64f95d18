"""Malformed requests get a 4xx JSON error, never a 500 or an HTML page."""

from __future__ import annotations

import socket

import pytest
import requests

from tests.hubserver.conftest import Vault, new_id
from tests.servers.http_hub import RunningHub


def assert_json_error(response: requests.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    code: str = response.json()["error"]["code"]
    return code


def test_bad_vault_id_in_path(hub: RunningHub, vault: Vault) -> None:
    headers = {"Authorization": f"Bearer {vault.a.token}"}
    for vault_id in ("ABC", "g" * 32, vault.vault_id.upper()):
        response = requests.get(f"{hub.url}/v1/vaults/{vault_id}/objects", headers=headers, timeout=10)
        assert assert_json_error(response, 422) == "invalid_request"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"{}",
        b'{"invite": "x", "vault_id": "short", "device_id": "0", "device_name": "n"}',
        b'{"invite": 5, "vault_id": null}',
        b"[]",
    ],
)
def test_bad_enrollment_bodies(hub: RunningHub, body: bytes) -> None:
    response = requests.post(
        f"{hub.url}/v1/vaults", data=body, headers={"Content-Type": "application/json"}, timeout=10
    )
    detail = response.json().get("detail")
    assert assert_json_error(response, 422) == "invalid_request"
    assert isinstance(detail, list) and detail


def test_unknown_invite_is_403(hub: RunningHub) -> None:
    body = {"invite": "mti_" + "n" * 32, "vault_id": new_id(), "device_id": new_id(), "device_name": "x"}
    response = requests.post(f"{hub.url}/v1/vaults", json=body, timeout=10)
    assert assert_json_error(response, 403) == "bad_invite"


def test_bad_query_parameters(hub: RunningHub, vault: Vault) -> None:
    headers = {"Authorization": f"Bearer {vault.a.token}"}
    base = f"{hub.url}/v1/vaults/{vault.vault_id}"
    for path, params in (
        ("/objects", {"limit": "0"}),
        ("/objects", {"limit": "many"}),
        ("/objects", {"prefix": "log/\u00e9"}),
        ("/changes", {"cursor": "-1"}),
        ("/changes", {"timeout": "nan"}),
        ("/changes", {"cursor": "abc"}),
    ):
        response = requests.get(base + path, params=params, headers=headers, timeout=10)
        assert assert_json_error(response, 422) == "invalid_request", (path, params)


def test_unknown_route_and_method(hub: RunningHub) -> None:
    assert assert_json_error(requests.get(f"{hub.url}/nope", timeout=10), 404) == "not_found"
    assert assert_json_error(requests.delete(f"{hub.url}/v1/vaults", timeout=10), 405) == "method_not_allowed"


def test_garbage_content_length_is_400(hub: RunningHub, vault: Vault) -> None:
    host, port = hub.url.removeprefix("http://").split(":")
    request = (
        f"PUT /v1/vaults/{vault.vault_id}/objects/blob/x HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {vault.a.token}\r\nContent-Length: 12x\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500
    assert vault.a.list("") == []


def test_health_and_openapi(hub: RunningHub) -> None:
    assert requests.get(f"{hub.url}/healthz", timeout=10).json() == {"status": "ok"}
    paths = requests.get(f"{hub.url}/openapi.json", timeout=10).json()["paths"]
    assert "/v1/vaults/{vault_id}/objects/{key}" in paths
    assert "/v1/vaults/{vault_id}/changes" in paths
