"""The hub's certificate: its fingerprint (what laptops pin), and a self-signed one made on request.

``certificate_fingerprint`` is ``sha256:`` and the lowercase hex SHA-256 of the leaf certificate's
DER bytes; for a PEM chain the leaf is the first certificate. ``self_signed`` makes an ECDSA P-256
certificate once, kept in the hub's data folder (key file 0600), and reuses it on every later start,
so the fingerprint laptops pinned stays valid.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from memtray.errors import UsageError

TLS_FOLDER = "tls"
CERT_NAME = "hub-cert.pem"
KEY_NAME = "hub-key.pem"
VALID_DAYS = 10 * 365
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_HOSTS = ("", "0.0.0.0", "::")


def certificate_fingerprint(pem_or_der: bytes) -> str:
    try:
        if pem_or_der.lstrip().startswith(b"-----BEGIN"):
            certificate = x509.load_pem_x509_certificate(pem_or_der)
        else:
            certificate = x509.load_der_x509_certificate(pem_or_der)
    except ValueError:
        raise UsageError("This is not a certificate memtray can read (PEM or DER expected).") from None
    return "sha256:" + certificate.fingerprint(hashes.SHA256()).hex()


def self_signed(data_dir: Path, host: str) -> tuple[Path, Path]:
    """The certificate and key files of the hub's self-signed certificate, made on first use."""
    folder = data_dir / TLS_FOLDER
    cert_path, key_path = folder / CERT_NAME, folder / KEY_NAME
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.mkdir(exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_private(key_path, key_pem)
    cert_path.write_bytes(_certificate(key, host).public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def _certificate(key: ec.EllipticCurvePrivateKey, host: str) -> x509.Certificate:
    names = [host] if host not in WILDCARD_HOSTS else [socket.gethostname()]
    names += [name for name in LOOPBACK_NAMES if name not in names]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0][:64] or "memtray hub")])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName([_general_name(name) for name in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)
