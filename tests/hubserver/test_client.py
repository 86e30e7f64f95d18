"""How HttpHub turns transport failures and odd answers into memtray errors."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from memtray.errors import HubAuthError, HubError, HubUnreachableError, UsageError
from memtray.hubs import open_hub
from memtray.hubs.http import HttpHub
from tests.hubserver.conftest import new_id, seq_key, vault_invite
from tests.servers.http_hub import run_hub_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_port_is_hub_unreachable() -> None:
    hub = HttpHub(
        f"http://127.0.0.1:{free_port()}", vault_id=new_id(), device_id=new_id(), token="mt_" + "t" * 43, max_tries=2
    )
    with pytest.raises(HubUnreachableError) as caught:
        hub.list("")
    assert "can't reach the memtray server at 127.0.0.1" in caught.value.message
    assert "t" * 20 not in caught.value.message


@pytest.mark.parametrize("url", ["http://192.168.1.20:8765", "http://hub.example.com", "http://10.0.0.1"])
def test_plain_http_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        HttpHub(url)
    assert "--allow-insecure-http" in caught.value.message
    assert "https://" in caught.value.message
    assert HttpHub(url, allow_insecure_http=True).url == url
    with pytest.raises(UsageError):
        open_hub(url, secret="mt_" + "s" * 43)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:8765", "https://hub.example.com/"]
)
def test_loopback_http_and_https_are_accepted(url: str) -> None:
    assert HttpHub(url).url == url.rstrip("/")


@pytest.mark.parametrize("url", ["ftp://hub.example.com", "https://user:pw@hub.example.com", "https://"])
def test_malformed_addresses_are_usage_errors(url: str) -> None:
    with pytest.raises(UsageError):
        HttpHub(url)


def test_operations_need_a_token_and_a_vault() -> None:
    with pytest.raises(HubAuthError):
        HttpHub("http://127.0.0.1:9", vault_id=new_id()).list("")
    with pytest.raises(UsageError):
        HttpHub("http://127.0.0.1:9", token="mt_" + "x" * 43).list("")


class _NotAHub(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html>nothing here</html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def not_a_hub() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotAHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(10)


def test_another_kind_of_server_is_a_plain_hub_error(not_a_hub: str) -> None:
    hub = HttpHub(not_a_hub, vault_id=new_id(), device_id=new_id(), token="mt_" + "x" * 43)
    with pytest.raises(HubError) as caught:
        hub.list("")
    assert "may not point to a memtray server" in caught.value.message


def make_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "memtray test hub")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_https_hub_is_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = make_certificate(tmp_path)
    with run_hub_server(tmp_path / "hub", "--tls-cert", str(cert), "--tls-key", str(key)) as hub:
        assert hub.url.startswith("https://127.0.0.1:")
        untrusting = HttpHub(hub.url)
        with pytest.raises(HubUnreachableError) as caught:
            untrusting.create_vault(vault_invite(hub), new_id(), new_id(), "A")
        assert "certificate" in caught.value.message
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        trusting = HttpHub(hub.url)
        trusting.create_vault(vault_invite(hub), new_id(), new_id(), "A")
        with trusting:
            trusting.put_new(seq_key(trusting.device_id or "", 1), b"over tls")
            assert trusting.get(seq_key(trusting.device_id or "", 1)) == b"over tls"
