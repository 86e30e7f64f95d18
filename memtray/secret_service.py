"""Reading items straight from the Secret Service (the freedesktop.org keychain on Linux) over D-Bus, as
``keyring``'s Secret Service backend stores them, in as few round trips as the protocol allows: after connecting,
one trip opens an encrypted session and searches the default collection at once, and one more fetches the secret.
A second read on the same connection takes two trips.

The secret travels encrypted by the Secret Service's "dh-ietf1024-sha256-aes128-cbc-pkcs7" algorithm, as with
``secretstorage`` and libsecret: a Diffie-Hellman exchange in the 1024-bit group of RFC 2409, an AES-128 key from
HKDF-SHA256, the secret in AES-CBC with PKCS#7 padding. The private exponent is 256 random bits, not 1024: the
group's prime is a safe prime, for which short exponents are as strong as long ones up to the group's own strength
of about 80 bits (RFC 3526, section 8, asks for twice that), and each of the two exponentiations takes a quarter
of the time (about 1 ms instead of 4).

Nothing here asks the person anything: a locked item is ``NotReadable``, never an unlock prompt.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from jeepney import DBusAddress, HeaderFields, Message, MessageType, new_method_call
from jeepney.io.blocking import open_dbus_connection

BUS_NAME = "org.freedesktop.secrets"
SERVICE_PATH = "/org/freedesktop/secrets"
DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default"
ALGORITHM = "dh-ietf1024-sha256-aes128-cbc-pkcs7"
# RFC 2409, section 6.2: the second Oakley group, generator 2.
PRIME = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)
KEY_BYTES = 128
PRIVATE_BYTES = 32


class NotReadable(Exception):
    """The item is locked, or the Secret Service answered with an error or with something malformed."""


class SecretServiceReader:
    """One connection to the session bus at ``address`` and, from the first read, one encrypted session."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._connection = open_dbus_connection(bus=address)
        self._session: tuple[str, bytes] | None = None
        """The session's object path and AES key."""

    def close(self) -> None:
        self._connection.close()

    def read(self, attributes: dict[str, str]) -> bytes | None:
        """The secret of the first item in the default collection with ``attributes``, None when there is none."""
        search = _call(DEFAULT_COLLECTION, "Collection", "SearchItems", "a{ss}", attributes)
        if self._session is None:
            private = int.from_bytes(os.urandom(PRIVATE_BYTES), "big")
            public = pow(2, private, PRIME).to_bytes(KEY_BYTES, "big")
            opening = _call(SERVICE_PATH, "Service", "OpenSession", "sv", ALGORITHM, ("ay", public))
            opened, found = self._ask(opening, search)
            (_signature, their_public), session_path = opened
            self._session = (session_path, _aes_key(int.from_bytes(bytes(their_public), "big"), private))
        else:
            (found,) = self._ask(search)
        (items,) = found
        if not items:
            return None
        session_path, key = self._session
        (reply,) = self._ask(_call(items[0], "Item", "GetSecret", "o", session_path))
        ((_session, iv, value, _content_type),) = reply
        return _decrypt(key, bytes(iv), bytes(value))

    def _ask(self, *messages: Message) -> list[tuple[Any, ...]]:
        """The replies' bodies, in order: every message is sent before any reply is awaited."""
        serials = []
        for message in messages:
            serial = next(self._connection.outgoing_serial)
            self._connection.send(message, serial=serial)
            serials.append(serial)
        replies: dict[int, Message] = {}
        while len(replies) < len(serials):
            incoming = self._connection.receive()
            answered = incoming.header.fields.get(HeaderFields.reply_serial)
            if answered in serials:
                replies[answered] = incoming
        for reply in replies.values():
            if reply.header.message_type == MessageType.error:
                raise NotReadable(reply.header.fields.get(HeaderFields.error_name, "error"))
        return [replies[serial].body for serial in serials]


def _call(path: str, interface: str, method: str, signature: str, *body: Any) -> Message:
    address = DBusAddress(path, bus_name=BUS_NAME, interface=f"org.freedesktop.Secret.{interface}")
    return new_method_call(address, method, signature, body)


def _aes_key(their_public: int, private: int) -> bytes:
    if not 1 < their_public < PRIME - 1:
        raise NotReadable("a degenerate public key")
    shared = pow(their_public, private, PRIME).to_bytes(KEY_BYTES, "big")
    pseudo_random_key = hmac.new(bytes(32), shared, hashlib.sha256).digest()
    return hmac.new(pseudo_random_key, b"\x01", hashlib.sha256).digest()[:16]


def _decrypt(key: bytes, iv: bytes, value: bytes) -> bytes:
    if len(iv) != 16 or not value or len(value) % 16:
        raise NotReadable("a malformed secret")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(value) + decryptor.finalize()
    padding = padded[-1]
    if not 1 <= padding <= 16 or padded[-padding:] != bytes([padding]) * padding:
        raise NotReadable("a malformed secret")
    return padded[:-padding]
