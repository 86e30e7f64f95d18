"""``memtray hub serve --tls-self-signed``: https with a certificate made once, and its fingerprint printed.

The fingerprint is the contract with the laptops: ``sha256:`` and the hex SHA-256 of the served leaf
certificate's DER, printed beside ``invite:``, the same on every start.
"""

from __future__ import annotations

import ipaddress
import re
import ssl
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography import x509

from memtray.errors import HubUnreachableError
from memtray.hubs.http import HttpHub
from memtray.hubserver.tls import certificate_fingerprint
from tests.hubserver.conftest import new_id, seq_key
from tests.hubserver.hub_process import serve_hub
from tests.servers.http_hub import memtray_command, memtray_env

FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{64}$")


def served_certificate(host: str, port: int) -> str:
    return ssl.get_server_certificate((host, port), timeout=30)


def test_self_signed_hub_prints_the_fingerprint_it_serves_and_keeps_its_certificate(tmp_path: Path) -> None:
    data = tmp_path / "hub"
    with serve_hub(data, "--tls-self-signed") as served:
        assert served.hub.url.startswith("https://")
        assert served.fingerprint is not None and FINGERPRINT.match(served.fingerprint)
        lines = served.hub.log_text().splitlines()
        invite_line = next(i for i, line in enumerate(lines) if line.startswith("invite: "))
        assert lines[invite_line + 1] == f"fingerprint: {served.fingerprint}"
        pem = served_certificate(*served.host_port)
        assert certificate_fingerprint(pem.encode()) == served.fingerprint
        assert certificate_fingerprint(ssl.PEM_cert_to_DER_cert(pem)) == served.fingerprint

        a = HttpHub(served.hub.url, tls_fingerprint=served.fingerprint)
        a.create_vault(served.hub.new_invite(), new_id(), new_id(), "pinned laptop")
        a.put_new(seq_key(a.device_id or "", 1), b"over a self-signed hub")
        with pytest.raises(HubUnreachableError):
            HttpHub(served.hub.url).info()
        first_fingerprint = served.fingerprint

    certificate = x509.load_pem_x509_certificate((data / "tls" / "hub-cert.pem").read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"127.0.0.1", "::1"} <= {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    assert stat.S_IMODE((data / "tls" / "hub-key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "tls").stat().st_mode) == 0o700

    with serve_hub(data, "--tls-self-signed") as again:
        assert again.fingerprint == first_fingerprint
        assert certificate_fingerprint(served_certificate(*again.host_port).encode()) == first_fingerprint
        a.close()
        with HttpHub(
            again.hub.url, vault_id=a.vault_id, device_id=a.device_id, token=a.token, tls_fingerprint=first_fingerprint
        ) as restarted:
            assert restarted.list("log/") == [seq_key(a.device_id or "", 1)]

    minted = subprocess.run(
        memtray_command("hub", "invite", "--data", str(data)),
        env={**memtray_env(), "MEMTRAY_HOME": str(tmp_path / "operator")},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert re.search(r"^invite: mti_\S+$", minted.stdout, re.MULTILINE)
    assert f"fingerprint: {first_fingerprint}" in minted.stdout


def test_own_certificate_also_prints_its_fingerprint(tmp_path: Path) -> None:
    with serve_hub(tmp_path / "maker", "--tls-self-signed") as made:
        made_fingerprint = made.fingerprint
    cert, key = tmp_path / "maker" / "tls" / "hub-cert.pem", tmp_path / "maker" / "tls" / "hub-key.pem"
    with serve_hub(tmp_path / "hub", "--tls-cert", str(cert), "--tls-key", str(key)) as served:
        assert served.fingerprint == made_fingerprint == certificate_fingerprint(cert.read_bytes())


def test_conflicting_tls_options_are_refused_in_a_plain_sentence(tmp_path: Path) -> None:
    done = subprocess.run(
        memtray_command(
            "hub", "serve", "--data", str(tmp_path), "--port", "0", "--tls-self-signed", "--tls-cert", "c.pem"
        ),
        env={**memtray_env(), "MEMTRAY_HOME": str(tmp_path / "operator")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "either --tls-self-signed or --tls-cert" in done.stderr
    assert "Traceback" not in done.stderr


def test_fingerprint_of_something_that_is_not_a_certificate_is_a_plain_error() -> None:
    with pytest.raises(Exception, match="not a certificate"):
        certificate_fingerprint(b"-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n")
