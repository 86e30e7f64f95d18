"""The one copy-paste string that lets another laptop join: hub URL, vault id and (optionally) an invite.

The passphrase is never inside it. Format: ``MT1-`` + base64url(JSON) + ``-`` + 6 hex of SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass

from memtray.errors import SetupCodeError

PREFIX = "MT1-"
VAULT_ID = re.compile(r"^[0-9a-f]{32}$")
INVALID = "That setup code is not valid. Copy it again from the other laptop (Settings → Security → Setup code)."


@dataclass(frozen=True)
class SetupCode:
    hub_url: str
    vault_id: str
    invite: str | None

    def encode(self) -> str:
        payload = json.dumps({"h": self.hub_url, "v": self.vault_id, "i": self.invite}, separators=(",", ":"))
        body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{PREFIX}{body}-{_check(body)}"


def _check(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:6]


def looks_like_setup_code(text: str) -> bool:
    return text.strip().startswith(PREFIX)


def decode_setup_code(text: str) -> SetupCode:
    cleaned = "".join(text.split())
    if not cleaned.startswith(PREFIX) or "-" not in cleaned[len(PREFIX) :]:
        raise SetupCodeError(INVALID)
    body, check = cleaned[len(PREFIX) :].rsplit("-", 1)
    if _check(body) != check.lower():
        raise SetupCodeError(INVALID)
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        hub_url, vault_id, invite = data["h"], data["v"], data.get("i")
    except (ValueError, KeyError, TypeError) as exc:
        raise SetupCodeError(INVALID) from exc
    if not isinstance(hub_url, str) or not isinstance(vault_id, str) or not VAULT_ID.match(vault_id):
        raise SetupCodeError(INVALID)
    if invite is not None and not isinstance(invite, str):
        raise SetupCodeError(INVALID)
    return SetupCode(hub_url, vault_id, invite)
