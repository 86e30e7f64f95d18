"""The one copy-paste string that lets another laptop join: hub URL, vault id and (optionally) an invite.

The passphrase is never inside it. Format: ``MT1-`` + base64url(JSON) + ``-`` + 6 hex of SHA-256.
JSON fields: ``h`` hub URL, ``v`` vault id, ``i`` invite, and ``f`` the pinned fingerprint of a memtray
hub's certificate, present only when the laptop that made the code has one (codes without it still decode).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass

from memtray.errors import SetupCodeError, UsageError
from memtray.hubs.pinning import normalise_fingerprint

PREFIX = "MT1-"
VAULT_ID = re.compile(r"^[0-9a-f]{32}$")
INVALID = "That setup code is not valid. Copy it again from the other laptop (Settings → Security → Setup code)."


@dataclass(frozen=True)
class SetupCode:
    hub_url: str
    vault_id: str
    invite: str | None
    tls_fingerprint: str | None = None

    def encode(self) -> str:
        fields = {"h": self.hub_url, "v": self.vault_id, "i": self.invite}
        if self.tls_fingerprint is not None:
            fields["f"] = self.tls_fingerprint
        payload = json.dumps(fields, separators=(",", ":"))
        body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{PREFIX}{body}-{_check(body)}"


def _check(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:6]


def decode_setup_code(text: str) -> SetupCode:
    cleaned = "".join(text.split())
    if not cleaned.startswith(PREFIX) or "-" not in cleaned[len(PREFIX) :]:
        raise SetupCodeError(INVALID)
    body, check = cleaned[len(PREFIX) :].rsplit("-", 1)
    if _check(body) != check.lower():
        raise SetupCodeError(INVALID)
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        hub_url, vault_id, invite, fingerprint = data["h"], data["v"], data.get("i"), data.get("f")
    except (ValueError, KeyError, TypeError) as exc:
        raise SetupCodeError(INVALID) from exc
    if not isinstance(hub_url, str) or not isinstance(vault_id, str) or not VAULT_ID.match(vault_id):
        raise SetupCodeError(INVALID)
    if invite is not None and not isinstance(invite, str):
        raise SetupCodeError(INVALID)
    return SetupCode(hub_url, vault_id, invite, _fingerprint(fingerprint))


def join_target(text: str) -> SetupCode:
    """What a person gave to join: a setup code, or just the hub's address (say, a shared folder)."""
    if text.strip().startswith(PREFIX):
        return decode_setup_code(text)
    return SetupCode(text, "", None)


def _fingerprint(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SetupCodeError(INVALID)
    try:
        return normalise_fingerprint(value)
    except UsageError:
        raise SetupCodeError(INVALID) from None
