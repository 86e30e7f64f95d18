"""A self-hosted hub with its own certificate, pinned by fingerprint: no environment variable, and a swap is refused.

Everything runs for real: ``memtray hub serve`` with a self-signed certificate on 127.0.0.1, and each laptop a
``memtray`` process with its own ``--home``. No CA bundle variable is set in any process.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from memtray.errors import SetupCodeError
from memtray.hubs.http import HttpHub
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.service.setupcode import SetupCode, decode_setup_code
from tests.servers import HubEndpoint
from tests.servers._process import free_port
from tests.servers.http_hub import RunningHub, SQLiteRawStore, run_hub_server
from tests.support.laptops import Laptop, tree

CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE")
CHANGED = "The memtray server's certificate changed since this laptop joined"
STOPPED = "memtray stopped to keep your data safe"
EXIT_HUB = 4


@pytest.fixture(autouse=True)
def no_ca_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither this process nor the memtray processes it starts get a CA bundle from the environment."""
    for name in CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def self_signed(folder: Path, name: str) -> tuple[Path, Path, str]:
    """A self-signed certificate whose only name is one 127.0.0.1 is not, so only a pin can make it pass."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(f"{name}.invalid")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    fingerprint = "sha256:" + hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    return cert_path, key_path, fingerprint


def serve_tls(data_dir: Path, port: int, cert: Path, key: Path) -> AbstractContextManager[RunningHub]:
    return run_hub_server(data_dir, "--port", str(port), "--tls-cert", str(cert), "--tls-key", str(key))


def endpoint(hub: RunningHub) -> HubEndpoint:
    return HubEndpoint(kind="memtray", url=hub.url, raw=SQLiteRawStore(hub.db_path), new_invite=hub.new_invite)


def config_of(laptop: Laptop) -> dict[str, object]:
    return dict(json.loads((laptop.home / "config" / "config.json").read_text()))


def refused(laptop: Laptop, *args: str) -> str:
    done = laptop.run(*args, check=False)
    assert done.returncode == EXIT_HUB, f"{laptop.name}: memtray {' '.join(args)} exited {done.returncode}"
    return done.stderr


def test_pinned_self_signed_hub_syncs_both_ways_and_a_swapped_certificate_is_refused(tmp_path: Path) -> None:
    port = free_port()
    cert, key, fingerprint = self_signed(tmp_path / "certs", "first")
    new_cert, new_key, new_fingerprint = self_signed(tmp_path / "certs", "second")
    with serve_tls(tmp_path / "hub", port, cert, key) as hub:
        assert hub.url == f"https://127.0.0.1:{port}"
        hub_endpoint = endpoint(hub)
        a, b = Laptop("Laptop-A", tmp_path / "a", hub_endpoint), Laptop("Laptop-B", tmp_path / "b", hub_endpoint)
        digits = fingerprint.removeprefix("sha256:")
        a.init("--tls-fingerprint", ":".join(digits[i : i + 2] for i in range(0, 64, 2)).upper())
        assert config_of(a)["tls_fingerprint"] == fingerprint
        a.folder().mkdir()
        (a.folder() / "CLAUDE.md").write_text("from A\n")
        a.run("folder", "add", "memory", str(a.folder()))
        a.sync()

        code = a.run("setup-code").stdout.strip().splitlines()[-1]
        assert decode_setup_code(code).tls_fingerprint == fingerprint
        b.run("join", code, "--device-name", b.name)
        assert config_of(b)["tls_fingerprint"] == fingerprint
        b.run("folder", "map", "memory", str(b.folder()))
        b.sync()
        assert (b.folder() / "CLAUDE.md").read_text() == "from A\n"
        (b.folder() / "AGENTS.md").write_text("from B\n")
        b.sync()
        a.sync()
        assert tree(a.folder()) == tree(b.folder()) == {"CLAUDE.md": b"from A\n", "AGENTS.md": b"from B\n"}

        feed = Service(resolve_home(a.home)).change_feed()
        assert isinstance(feed, HttpHub)
        with feed:
            assert str(feed.wait_for_change(None, 0.0)).isdigit()

        stranger = Laptop("Stranger", tmp_path / "stranger", hub_endpoint)
        unpinned = refused(stranger, "init", hub.url, "--invite", hub.new_invite())
        assert "could not verify the security certificate" in unpinned
        assert "--tls-fingerprint" in unpinned
        assert not (stranger.home / "config" / "config.json").exists()

    (a.folder() / "CLAUDE.md").write_text("edited on A while the hub was swapped\n")
    with serve_tls(tmp_path / "hub", port, new_cert, new_key) as swapped:
        stored = SQLiteRawStore(swapped.db_path).keys()
        configs = {laptop.name: config_of(laptop) for laptop in (a, b)}
        before = {laptop.name: tree(laptop.folder()) for laptop in (a, b)}
        for laptop in (a, b):
            message = refused(laptop, "sync")
            assert CHANGED in message and STOPPED in message and "trust-certificate" in message
            assert fingerprint[:23] in message
            assert new_fingerprint not in message, "the new fingerprint must come from whoever runs the hub"
            assert tree(laptop.folder()) == before[laptop.name]
            assert config_of(laptop) == configs[laptop.name]
        assert SQLiteRawStore(swapped.db_path).keys() == stored, "a laptop sent data over the swapped certificate"

        assert CHANGED in refused(a, "trust-certificate", "sha256:" + "ab" * 32)
        assert config_of(a)["tls_fingerprint"] == fingerprint
        a.run("trust-certificate", new_fingerprint)
        assert config_of(a)["tls_fingerprint"] == new_fingerprint
        a.sync()
        assert SQLiteRawStore(swapped.db_path).keys() != stored
        assert CHANGED in refused(b, "sync")


def test_setup_codes_carry_the_pin_and_old_codes_still_decode() -> None:
    vault_id = "0123456789abcdef" * 2
    fingerprint = "sha256:" + "5e" * 32
    old = SetupCode("https://hub.example.com", vault_id, "invite-code").encode()
    assert decode_setup_code(old) == SetupCode("https://hub.example.com", vault_id, "invite-code", None)
    pinned = SetupCode("https://hub.example.com", vault_id, "invite-code", fingerprint).encode()
    assert decode_setup_code(pinned).tls_fingerprint == fingerprint
    broken = SetupCode("https://hub.example.com", vault_id, None, "sha256:" + "zz" * 32).encode()
    with pytest.raises(SetupCodeError):
        decode_setup_code(broken)


def test_a_laptop_pins_the_fingerprint_hub_serve_prints_for_its_self_signed_certificate(tmp_path: Path) -> None:
    with run_hub_server(tmp_path / "hub", "--tls-self-signed") as hub:
        printed = re.findall(r"^fingerprint: (sha256:[0-9a-f]{64})$", hub.log_text(), re.MULTILINE)
        assert printed, hub.log_text()
        laptop = Laptop("Laptop-A", tmp_path / "a", endpoint(hub))
        assert "could not verify the security certificate" in refused(laptop, "init", hub.url, "--invite", "x")
        laptop.init("--tls-fingerprint", printed[-1])
        laptop.folder().mkdir()
        (laptop.folder() / "CLAUDE.md").write_text("over a self-signed hub\n")
        laptop.run("folder", "add", "memory", str(laptop.folder()))
        laptop.sync()
        assert config_of(laptop)["tls_fingerprint"] == printed[-1]
        assert SQLiteRawStore(hub.db_path).keys("log/")
