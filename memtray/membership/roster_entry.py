"""One roster entry: its fields, how it is proved, signed and sealed, and its bounded parse.

Stored at ``roster/<seq:016x>``, sealed with the roster key (HKDF ``memtray/v1/roster`` of the epoch 1 key, so
every laptop that was ever a member can read the whole roster; the hub cannot) under
``object_aad(vault, "roster", seq)``. The plaintext is JSON (sorted keys, compact)::

    {"v": 1, "seq", "prev": SHA-256 hex of the previous sealed entry ("0" * 64 for seq 1),
     "action": "add" | "remove", "device", "name", "sign": b64, "agree": b64 (the added or removed laptop's
     public keys), "first_seq" (add: the first seq of its log it signs; remove: 0), "last_seq" (remove: the last
     seq of the removed laptop's log still applied; add: 0), "by": device id, "epoch", "time",
     "proof": b64 HMAC-SHA256(proof key of "epoch", canonical("memtray/v1/roster-proof", body)),
     "sig": b64 Ed25519 by "by" over canonical("memtray/v1/roster", body with proof)}

where body is the JSON of every field but ``proof`` and ``sig``. The proof shows the entry was made by a laptop
holding that epoch's key; the signature shows which laptop made it. The rules are in roster.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass, replace
from time import time as now

from memtray.errors import IntegrityError, MembershipError
from memtray.hubs.keys import roster_key
from memtray.membership.fields import b64, is_device_id, is_int_between, no_duplicate_keys, unb64
from memtray.membership.laptop_key import PUBLIC_BYTES, SIGNATURE_BYTES, LaptopPublic, LaptopSigner
from memtray.vault.envelope import HEADER_BYTES, NONCE_BYTES, TAG_BYTES, canonical, object_aad, open_sealed, seal
from memtray.vault.envelope import padded_size as envelope_padded_size
from memtray.vault.keys import MAX_EPOCH, VaultKeys

ENTRY_VERSION = 1
ADD = "add"
REMOVE = "remove"
GENESIS_HASH = "0" * 64
MAX_ENTRY_BYTES = 16 * 1024
MAX_SEALED_BYTES = HEADER_BYTES + NONCE_BYTES + envelope_padded_size(4 + MAX_ENTRY_BYTES) + TAG_BYTES
MAX_NAME_CHARS = 200
MAX_SEQ = 2**63 - 1
MAX_TIME = 1e11
PROOF_BYTES = 32
ROSTER_GENERATION = 1
_FIELDS = frozenset(
    {"v", "seq", "prev", "action", "device", "name", "sign", "agree", "first_seq", "last_seq", "by", "epoch"}
    | {"time", "proof", "sig"}
)
_HASH = re.compile(r"[0-9a-f]{64}")


def refusal(seq: int, why: str) -> MembershipError:
    """The error for roster entry ``seq``: ``why`` completes "The stored item roster/… "."""
    return MembershipError(
        f"The stored item {roster_key(seq)} {why}, so memtray did not use your storage's list of laptops. "
        "Nothing on this laptop was changed."
    )


@dataclass(frozen=True)
class RosterEntry:
    seq: int
    prev: str
    action: str
    device: str
    name: str
    public: LaptopPublic
    """The added or removed laptop's public keys."""
    first_seq: int
    last_seq: int
    by: str
    epoch: int
    time: float
    proof: bytes
    sig: bytes

    def body(self) -> bytes:
        """The JSON of every field but ``proof`` and ``sig``: what the proof covers."""
        return _dumps(self._body_document())

    def proof_message(self) -> bytes:
        return canonical("memtray/v1/roster-proof", self.body())

    def signed_message(self) -> bytes:
        return canonical("memtray/v1/roster", _dumps({**self._body_document(), "proof": b64(self.proof)}))

    def proof_holds(self, proof_key: bytes) -> bool:
        expected = hmac.new(proof_key, self.proof_message(), hashlib.sha256).digest()
        return hmac.compare_digest(expected, self.proof)

    def to_plaintext(self) -> bytes:
        return _dumps({**self._body_document(), "proof": b64(self.proof), "sig": b64(self.sig)})

    def _body_document(self) -> dict[str, object]:
        return {
            "v": ENTRY_VERSION,
            "seq": self.seq,
            "prev": self.prev,
            "action": self.action,
            "device": self.device,
            "name": self.name,
            "sign": b64(self.public.sign),
            "agree": b64(self.public.agree),
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "by": self.by,
            "epoch": self.epoch,
            "time": self.time,
        }


def sealed_hash(sealed: bytes) -> str:
    """What the next entry's ``prev`` and a pin name: SHA-256 hex of the sealed bytes."""
    return hashlib.sha256(sealed).hexdigest()


def make_roster_entry(
    signer: LaptopSigner,
    *,
    roster_keys: VaultKeys,
    proof_keys: VaultKeys,
    seq: int,
    prev: str,
    action: str,
    device: str,
    name: str,
    public: LaptopPublic,
    epoch: int,
    first_seq: int = 0,
    last_seq: int = 0,
    time: float | None = None,
) -> bytes:
    """One entry, proved under ``proof_keys`` (the keys of ``epoch``), signed by ``signer`` and sealed under
    ``roster_keys`` (epoch 1's keys) for ``roster/<seq>``. It follows the entry whose sealed hash is ``prev``."""
    unproved = RosterEntry(
        seq=seq,
        prev=prev,
        action=action,
        device=device,
        name=name,
        public=public,
        first_seq=first_seq,
        last_seq=last_seq,
        by=signer.device_id,
        epoch=epoch,
        time=now() if time is None else time,
        proof=bytes(PROOF_BYTES),
        sig=bytes(SIGNATURE_BYTES),
    )
    if not _well_formed(unproved):
        raise ValueError("a roster entry's fields are out of range")
    proof = hmac.new(proof_keys.proof_key, unproved.proof_message(), hashlib.sha256).digest()
    proved = replace(unproved, proof=proof)
    entry = replace(proved, sig=signer.sign(proved.signed_message()))
    plaintext = entry.to_plaintext()
    if len(plaintext) > MAX_ENTRY_BYTES:
        raise ValueError("a roster entry is too large")
    return seal(
        roster_keys.roster_key,
        plaintext,
        object_aad(roster_keys.vault_id, "roster", seq),
        key_generation=ROSTER_GENERATION,
    )


def open_entry(roster_keys: VaultKeys, sealed: bytes, seq: int) -> RosterEntry:
    """The entry stored at ``roster/<seq>``; MembershipError naming it if it is too large, does not open for that
    place, or is malformed."""
    if len(sealed) > MAX_SEALED_BYTES:
        raise refusal(seq, "is larger than memtray accepts")
    try:
        plaintext = open_sealed(roster_keys.roster_key, sealed, object_aad(roster_keys.vault_id, "roster", seq))
    except IntegrityError:
        raise refusal(seq, "is damaged, or was changed or moved in your storage") from None
    entry = _parse_entry(plaintext, seq)
    if entry.seq != seq:
        raise refusal(seq, "is out of order")
    return entry


def _parse_entry(plaintext: bytes, seq: int) -> RosterEntry:
    """Parse of an entry's plaintext, bounded by the sealed size (``seq``: where it was stored, for the error)."""
    damaged = refusal(seq, "is damaged")
    try:
        document = json.loads(plaintext.decode("utf-8"), object_pairs_hook=no_duplicate_keys)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise damaged from None
    if not isinstance(document, dict) or set(document) != _FIELDS or not is_int_between(document["v"], 1, 1):
        raise damaged
    try:
        entry = RosterEntry(
            seq=document["seq"],
            prev=document["prev"],
            action=document["action"],
            device=document["device"],
            name=document["name"],
            public=LaptopPublic(unb64(document["sign"], PUBLIC_BYTES), unb64(document["agree"], PUBLIC_BYTES)),
            first_seq=document["first_seq"],
            last_seq=document["last_seq"],
            by=document["by"],
            epoch=document["epoch"],
            time=document["time"],
            proof=unb64(document["proof"], PROOF_BYTES),
            sig=unb64(document["sig"], SIGNATURE_BYTES),
        )
    except ValueError:
        raise damaged from None
    if not _well_formed(entry):
        raise damaged
    return entry


def _well_formed(entry: RosterEntry) -> bool:
    adding = entry.action == ADD
    return (
        is_int_between(entry.seq, 1, MAX_SEQ)
        and isinstance(entry.prev, str)
        and _HASH.fullmatch(entry.prev) is not None
        and entry.action in (ADD, REMOVE)
        and is_device_id(entry.device)
        and is_device_id(entry.by)
        and isinstance(entry.name, str)
        and 0 < len(entry.name) <= MAX_NAME_CHARS
        and is_int_between(entry.first_seq, 1 if adding else 0, MAX_SEQ if adding else 0)
        and is_int_between(entry.last_seq, 0, 0 if adding else MAX_SEQ)
        and is_int_between(entry.epoch, 1, MAX_EPOCH)
        and isinstance(entry.time, (int, float))
        and not isinstance(entry.time, bool)
        and math.isfinite(entry.time)
        and 0 <= entry.time <= MAX_TIME
    )


def _dumps(document: dict[str, object]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
