"""memtray reads its keychain items straight from the Secret Service (memtray/secret_service.py): it reads what
``keyring`` stored, in an encrypted session, without loading ``keyring`` or ``secretstorage``; a locked keychain
is reported as not readable and never unlocked; an answer that does not decrypt properly is refused.

Real gnome-keyrings: the test session's, and one started here to be locked."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from memtray.keychain import Keychain
from memtray.secret_service import PRIME, SERVICE_PATH, NotReadable, SecretServiceReader, _aes_key, _call, _decrypt
from tests.support.desktop import start_keyring_session
from tests.support.laptops import REPO

LONG = "x" * 2500 + "end"


def test_a_read_gives_what_keyring_stored() -> None:
    chain = Keychain("reader-test")
    chain.set("short", "s3cret, with ünïcode")
    chain.set("long", LONG)  # kept as three pieces and a marker
    reader = SecretServiceReader(os.environ["DBUS_SESSION_BUS_ADDRESS"])
    try:
        assert reader.read({"username": "short", "service": chain.service}) == "s3cret, with ünïcode".encode()
        assert reader.read({"username": "long", "service": chain.service}) == b"memtray-chunks:3"
        pieces = [reader.read({"username": f"long#{i}", "service": chain.service}) for i in range(3)]
        assert b"".join(piece or b"" for piece in pieces) == LONG.encode()
        assert reader.read({"username": "short", "service": "memtray:other-scope"}) is None
        assert reader.read({"username": "absent", "service": chain.service}) is None
    finally:
        reader.close()
        chain.delete("short")
        chain.delete("long")


def test_the_keychain_reads_without_loading_keyring(tmp_path) -> None:
    chain = Keychain("reader-test-process")
    chain.set("long", LONG)
    probe = (
        "import sys; from memtray.keychain import Keychain; "
        "value = Keychain('reader-test-process').get('long'); "
        "print(value == 'x' * 2500 + 'end', [name for name in ('keyring', 'secretstorage') if name in sys.modules])"
    )
    try:
        shown = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=tmp_path,
        ).stdout
    finally:
        chain.delete("long")
    assert shown == "True []\n"


def test_a_locked_keychain_is_not_readable_and_is_never_unlocked(monkeypatch: pytest.MonkeyPatch) -> None:
    session = start_keyring_session()
    try:
        for name, value in session.env.items():
            monkeypatch.setenv(name, value)
        address = session.env["DBUS_SESSION_BUS_ADDRESS"]
        chain = Keychain("locked-test")
        chain.set("passphrase", "never shown")
        reader = SecretServiceReader(address)
        try:
            assert reader.read({"username": "passphrase", "service": chain.service}) == b"never shown"
            (collection,) = reader._ask(_call(SERVICE_PATH, "Service", "ReadAlias", "s", "default"))
            reader._ask(_call(SERVICE_PATH, "Service", "Lock", "ao", [collection[0]]))
            with pytest.raises(NotReadable, match="IsLocked"):
                reader.read({"username": "passphrase", "service": chain.service})
        finally:
            reader.close()
        assert Keychain("locked-test").peek("passphrase") is None
        assert not Keychain("locked-test").is_open()
    finally:
        session.stop()


def _encrypted(key: bytes, iv: bytes, padded: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def test_a_secret_that_does_not_decrypt_properly_is_refused() -> None:
    key, iv = bytes(range(16)), bytes(16)
    assert _decrypt(key, iv, _encrypted(key, iv, b"hello" + bytes([11]) * 11)) == b"hello"
    with pytest.raises(NotReadable):
        _decrypt(key, iv, _encrypted(key, iv, b"A" * 16))  # its last byte is no padding
    with pytest.raises(NotReadable):
        _decrypt(key, iv, _encrypted(key, iv, b"hello" + bytes([3]) * 10 + bytes([11])))  # padding that disagrees
    for given_iv, value in ((iv[:8], _encrypted(key, iv, b"A" * 16)), (iv, b""), (iv, b"A" * 17)):
        with pytest.raises(NotReadable):
            _decrypt(key, given_iv, value)


def test_a_degenerate_public_key_is_refused() -> None:
    for public in (0, 1, PRIME - 1, PRIME):
        with pytest.raises(NotReadable):
            _aes_key(public, 12345)
