"""Certificate pinning for a memtray hub that runs with its own (for example self-signed) certificate.

With a pin, the hub's certificate must have exactly the pinned SHA-256 fingerprint, on every connection
(the change feed's too). The system's certificate authorities and the host name are then not consulted:
the pin names the one certificate this laptop trusts, which says more than either. Without a pin, the
usual verification against the system's certificate authorities applies.

A fingerprint is written ``sha256:`` + 64 lowercase hex digits, as ``memtray hub serve`` prints it; the
colon-separated form ``openssl x509 -fingerprint -sha256`` prints is accepted too.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

from memtray.errors import HubError, HubUnreachableError, UsageError

PREFIX = "sha256:"
HEX_DIGITS = frozenset("0123456789abcdef")
SHOWN_DIGITS = 16


def normalise_fingerprint(text: str) -> str:
    """``sha256:`` + 64 lowercase hex digits, or a UsageError saying what a fingerprint looks like."""
    digits = text.strip().lower().removeprefix(PREFIX).replace(":", "")
    if len(digits) != 64 or not set(digits) <= HEX_DIGITS:
        raise UsageError(
            "That is not a certificate fingerprint. It looks like sha256: followed by 64 letters and digits, "
            "as 'memtray hub serve' prints it next to 'invite:'."
        )
    return PREFIX + digits


def fingerprint_of(certificate_der: bytes) -> str:
    return PREFIX + hashlib.sha256(certificate_der).hexdigest()


def shown(fingerprint: str) -> str:
    """The start of a fingerprint, enough to compare by eye and too short to paste as a pin."""
    return fingerprint[: len(PREFIX) + SHOWN_DIGITS] + "…"


class PinnedAdapter(HTTPAdapter):
    """Every https connection through it must show the certificate with the pinned fingerprint."""

    def __init__(self, fingerprint: str) -> None:
        self._digest = normalise_fingerprint(fingerprint).removeprefix(PREFIX)
        super().__init__()

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, assert_fingerprint=self._digest, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return super().proxy_manager_for(proxy, assert_fingerprint=self._digest, **proxy_kwargs)

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> Response:
        # urllib3 checks assert_fingerprint on every connection; certificate authorities play no part.
        return super().send(request, stream=stream, timeout=timeout, verify=False, cert=cert, proxies=proxies)


def served_fingerprint(host: str, port: int, timeout: float) -> str | None:
    """The fingerprint of the certificate the server at ``host:port`` shows now; None if none could be read."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except OSError:
        return None
    return fingerprint_of(der) if der else None


def tls_failure(host: str, port: int, pin: str | None, timeout: float) -> HubError:
    """The error for a failed TLS handshake with the hub: a changed certificate if it no longer matches the pin."""
    if pin is None:
        return HubUnreachableError(
            f"memtray could not verify the security certificate of the memtray server at {host}, so it did not "
            "connect. If the server uses a certificate of its own, ask whoever runs it for its fingerprint (it starts "
            "with sha256:) and give it to memtray with --tls-fingerprint."
        )
    served = served_fingerprint(host, port, timeout)
    if served is not None and served != pin:
        return HubError(
            f"The memtray server's certificate changed since this laptop joined (memtray expected {shown(pin)}, the "
            f"server at {host} now shows {shown(served)}). memtray stopped to keep your data safe; if whoever runs "
            "the server "
            "renewed it, ask them for the new fingerprint and run 'memtray trust-certificate' with it. If nobody "
            "did, someone may be pretending to be your memtray server.",
            title="The memtray server's certificate changed",
        )
    return HubUnreachableError(
        f"memtray could not make a secure connection to the memtray server at {host}; check that the address is "
        "right and that the server is running with https."
    )
