"""The codes that let another laptop join. The passphrase is never inside either.

- The short code, for storage in a folder: 16 symbols of Crockford's base 32 in four groups, like
  ``FX3K-9QPA-2M4D-H8ZT``, to read aloud or type. It names the vault (its id's first 65 bits), not where this
  laptop keeps it: the joining laptop looks for that vault in its own cloud-drive folders (``vault_finder``).
  Typing is forgiving: any case, dashes and spaces ignored, O read as 0 and I or L as 1. Read as one number in
  base 32 the code is a multiple of 1021, a prime: a single wrong symbol and a swap of two neighbouring symbols
  always break that, and other mistakes nearly always do.
- The full code: ``MT1-`` + base64url(JSON) + ``-`` + 6 hex of SHA-256, for every kind of storage (its QR code
  holds it). JSON fields: ``h`` hub URL, ``v`` vault id, ``i`` invite, and ``f`` the pinned fingerprint of a
  memtray hub's certificate, present only when the laptop that made the code has one (codes without it still
  decode). A server's address and its one-time invite do not fit in a short code, so servers have only this one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from memtray.errors import SetupCodeError, UsageError

PREFIX = "MT1-"
VAULT_ID = re.compile(r"^[0-9a-f]{32}$")
WHERE_CODES_ARE = "memtray's menu in the tray → “Add a laptop…”"
INVALID = f"That setup code is not valid. Copy it again from the other laptop ({WHERE_CODES_ARE})."

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
READ_AS = {"O": "0", "I": "1", "L": "1"}
SHORT_SYMBOLS = 16
GROUP = 4
PREFIX_BITS = 65
CHECK_BITS = 10
CHECK_PRIME = 1021
FOLDER_FORMAT = CROCKFORD.index("F")
# Text of at least this many symbols, all of them base 32, is taken for a short code rather than a folder's name.
SHORT_LOOKING = 8
TYPING_MISTAKE = (
    "That setup code has a typing mistake in it. Check each letter and digit against the other laptop's screen, "
    "then type it again."
)


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


@dataclass(frozen=True)
class ShortCode:
    """A short setup code: it names the vault by the first ``PREFIX_BITS`` bits of its id, and nothing else."""

    vault_prefix: int

    @classmethod
    def for_vault(cls, vault_id: str) -> ShortCode:
        return cls(int(vault_id, 16) >> (len(vault_id) * 4 - PREFIX_BITS))

    def matches(self, vault_id: str) -> bool:
        return bool(VAULT_ID.match(vault_id)) and ShortCode.for_vault(vault_id) == self

    def encode(self) -> str:
        payload = (FOLDER_FORMAT << PREFIX_BITS | self.vault_prefix) << CHECK_BITS
        value = payload + (-payload) % CHECK_PRIME
        symbols = "".join(CROCKFORD[(value >> (5 * shift)) & 31] for shift in reversed(range(SHORT_SYMBOLS)))
        return "-".join(symbols[start : start + GROUP] for start in range(0, SHORT_SYMBOLS, GROUP))


@dataclass(frozen=True)
class SetupCodes:
    """What "Add a laptop" shows: the short code (storage in a folder only) and the full code its QR code holds."""

    short: str | None
    full: str


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


def _short_symbols(text: str) -> str | None:
    """The symbols of ``text`` read as a short code (aliases mapped), or None when it has any other character."""
    symbols = "".join(READ_AS.get(char, char) for char in text.upper() if char not in " -\t\r\n")
    return symbols if symbols and all(char in CROCKFORD for char in symbols) else None


def decode_short_code(text: str) -> ShortCode:
    symbols = _short_symbols(text)
    if symbols is None:
        raise SetupCodeError(TYPING_MISTAKE)
    if len(symbols) != SHORT_SYMBOLS:
        raise SetupCodeError(
            f"That setup code has {len(symbols)} letters and digits, and a setup code has {SHORT_SYMBOLS} "
            f"(four groups of four). Check it against the other laptop's screen."
        )
    value = 0
    for char in symbols:
        value = value << 5 | CROCKFORD.index(char)
    if value % CHECK_PRIME or value >> (CHECK_BITS + PREFIX_BITS) != FOLDER_FORMAT:
        raise SetupCodeError(TYPING_MISTAKE)
    return ShortCode((value >> CHECK_BITS) & ((1 << PREFIX_BITS) - 1))


def looks_like_short_code(text: str) -> bool:
    symbols = _short_symbols(text.strip())
    return symbols is not None and len(symbols) >= SHORT_LOOKING


def join_target(text: str) -> SetupCode | ShortCode:
    """What a person gave to join: a full or a short setup code, or just the hub's address (say, a shared folder)."""
    given = text.strip()
    if given.startswith(PREFIX):
        return decode_setup_code(given)
    if looks_like_short_code(given) and not Path(given).expanduser().exists():
        return decode_short_code(given)
    return SetupCode(given, "", None)


def _fingerprint(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SetupCodeError(INVALID)
    from memtray.hubs.pinning import normalise_fingerprint  # loads requests: not on every command

    try:
        return normalise_fingerprint(value)
    except UsageError:
        raise SetupCodeError(INVALID) from None
