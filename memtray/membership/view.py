"""What the sync engine needs to know of the roster: whose log entries to apply, and how to check them.

The roster itself (``memtray/membership/roster.py``) is read and verified by the service; the engine sees only
this view of it, and the signer of this laptop's own entries.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


class Signer(Protocol):
    """This laptop's signing key: it signs each log entry the laptop writes."""

    @property
    def device_id(self) -> str: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True)
class MemberRecord:
    """A laptop the roster ever added; ``removed_after`` is set once it was removed."""

    device_id: str
    name: str
    sign_public: bytes
    agree_public: bytes
    first_signed_seq: int
    """Entries of its log from this sequence number on must carry its signature; earlier ones were written
    before it had a key (by an older memtray) and are taken as they are."""
    removed_after: int | None = None
    """For a removed laptop: the last sequence number of its log that is still applied."""


class EntryRule(enum.Enum):
    UNSIGNED_OK = "unsigned-ok"
    """Taken as it is: written before its laptop had a key, or by a laptop on an older memtray while no laptop
    was ever removed (until then everyone who knows the passphrase is trusted, as before the roster)."""
    SIGNED = "signed"
    """Applied only with a valid signature by the member's key."""
    REFUSED = "refused"
    """Never applied: a removed laptop's entries after its removal, or a laptop the roster never added once a
    laptop was removed."""


@dataclass(frozen=True)
class Membership:
    """The verified roster as the engine uses it. ``Membership()`` is a vault with no roster yet."""

    members: Mapping[str, MemberRecord] = field(default_factory=dict)
    strict: bool = False
    """True once any laptop was removed: laptops the roster never added are refused from then on."""

    def rule(self, device_id: str, seq: int) -> EntryRule:
        member = self.members.get(device_id)
        if member is None:
            return EntryRule.REFUSED if self.strict else EntryRule.UNSIGNED_OK
        if member.removed_after is not None and seq > member.removed_after:
            return EntryRule.REFUSED
        return EntryRule.SIGNED if seq >= member.first_signed_seq else EntryRule.UNSIGNED_OK

    def is_current_member(self, device_id: str) -> bool:
        member = self.members.get(device_id)
        return member is not None and member.removed_after is None
