"""Whether a hub's host is this computer, where plain http:// carries nothing over the network."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and for loopback addresses such as ``127.0.0.1`` and ``::1``."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
