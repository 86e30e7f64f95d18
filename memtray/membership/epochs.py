"""Epoch records: how a new vault key reaches the laptops that remain after a removal.

Removing a laptop starts epoch n (n >= 2) with a fresh random key. The remover writes ``epoch/<n:08x>``, plain
JSON (sorted keys, compact)::

    {"v": 1, "vault": vault id, "epoch": n, "by": remover's device id, "roster_seq": seq of the remove entry,
     "grants": {device id: b64(grant of the epoch n key for that laptop)},
     "previous": b64(nonce ‖ AES-256-GCM(epoch n key, epoch n-1 key, aad canonical("previous", vault, n))),
     "sig": b64(Ed25519 by "by" over canonical("memtray/v1/epoch", the JSON of every other field))}

A remaining laptop opens its grant with its own laptop key, and walks ``previous`` down to epoch 1 to read older
objects. The removed laptop has no grant; the old passphrase and recovery key do not open the new key file.
Parsing is bounded (256 KiB, fields exactly as listed, Base64 and sizes checked) and happens before any crypto.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from memtray.errors import MembershipError
from memtray.hubs.keys import epoch_key
from memtray.membership.fields import b64, is_device_id, is_int_between, no_duplicate_keys, unb64
from memtray.membership.grants import grant_context, grant_size, unwrap_with, wrap_for
from memtray.membership.laptop_key import SIGNATURE_BYTES, LaptopKey, LaptopSigner, verify_signature
from memtray.vault.envelope import canonical
from memtray.vault.keys import FIRST_EPOCH, KEY_BYTES, MAX_EPOCH, is_vault_id

RECORD_VERSION = 1
MAX_RECORD_BYTES = 256 * 1024
MAX_GRANTS = 1024
NONCE_BYTES = 12
PREVIOUS_BYTES = NONCE_BYTES + KEY_BYTES + 16
GRANT_BYTES = grant_size(KEY_BYTES)
_FIELDS = frozenset({"v", "vault", "epoch", "by", "roster_seq", "grants", "previous", "sig"})
_MAX_SEQ = 2**63 - 1


def _damaged(epoch: int | None) -> MembershipError:
    where = f"The stored item {epoch_key(epoch)}" if epoch is not None else "A key change record in your storage"
    return MembershipError(
        f"{where} is damaged or was tampered with, so memtray did not use it. Nothing on this laptop was changed."
    )


@dataclass(frozen=True, repr=False)
class EpochRecord:
    vault_id: str
    epoch: int
    by: str
    roster_seq: int
    grants: Mapping[str, bytes]
    previous: bytes
    sig: bytes

    @classmethod
    def from_bytes(cls, data: bytes, *, expected_epoch: int | None = None) -> EpochRecord:
        """Parse a record read from the hub; MembershipError naming it for anything malformed, or for a record
        stored under another epoch's key (``expected_epoch``: the number in its hub key). Checks no signature."""
        if len(data) > MAX_RECORD_BYTES:
            raise _damaged(expected_epoch)
        try:
            document = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicate_keys)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise _damaged(expected_epoch) from None
        if not isinstance(document, dict) or set(document) != _FIELDS or document["v"] != RECORD_VERSION:
            raise _damaged(expected_epoch)
        epoch, by, roster_seq, grants = document["epoch"], document["by"], document["roster_seq"], document["grants"]
        if not (
            is_vault_id(document["vault"])
            and is_int_between(epoch, FIRST_EPOCH + 1, MAX_EPOCH)
            and (expected_epoch is None or epoch == expected_epoch)
            and is_device_id(by)
            and is_int_between(roster_seq, 2, _MAX_SEQ)
            and isinstance(grants, dict)
            and len(grants) <= MAX_GRANTS
            and all(is_device_id(device) for device in grants)
        ):
            raise _damaged(expected_epoch)
        try:
            wrapped = {device: unb64(text, GRANT_BYTES) for device, text in grants.items()}
            previous, sig = unb64(document["previous"], PREVIOUS_BYTES), unb64(document["sig"], SIGNATURE_BYTES)
        except ValueError:
            raise _damaged(expected_epoch) from None
        record = cls(
            vault_id=document["vault"],
            epoch=epoch,
            by=by,
            roster_seq=roster_seq,
            grants=wrapped,
            previous=previous,
            sig=sig,
        )
        if record.to_bytes() != data:
            raise _damaged(expected_epoch)
        return record

    def to_bytes(self) -> bytes:
        return _dumps({**self._unsigned_document(), "sig": b64(self.sig)})

    def verify(self, sign_public_of_by: bytes) -> None:
        """Refuse the record unless its laptop ``by`` signed it (its sign key as the verified roster has it)."""
        if not verify_signature(sign_public_of_by, _signed_message(self._unsigned_document()), self.sig):
            raise MembershipError(
                f"The stored item {epoch_key(self.epoch)} is not signed by the laptop it names, "
                "so memtray did not use it. Nothing on this laptop was changed."
            )

    def open_grant(self, device_id: str, laptop_key: LaptopKey) -> bytes | None:
        """This epoch's key, if the record holds a grant for ``device_id`` that ``laptop_key`` opens."""
        wrapped = self.grants.get(device_id)
        if wrapped is None:
            return None
        key = unwrap_with(laptop_key, wrapped, grant_context(self.vault_id, self.epoch, device_id))
        return key if key is not None and len(key) == KEY_BYTES else None

    def previous_key(self, new_key: bytes) -> bytes:
        """The key of epoch n-1, opened with this epoch's key; MembershipError if it does not open."""
        try:
            key = AESGCM(new_key).decrypt(
                self.previous[:NONCE_BYTES], self.previous[NONCE_BYTES:], _previous_aad(self.vault_id, self.epoch)
            )
        except (InvalidTag, ValueError):
            raise _damaged(self.epoch) from None
        return key

    def _unsigned_document(self) -> dict[str, object]:
        return {
            "v": RECORD_VERSION,
            "vault": self.vault_id,
            "epoch": self.epoch,
            "by": self.by,
            "roster_seq": self.roster_seq,
            "grants": {device: b64(wrapped) for device, wrapped in self.grants.items()},
            "previous": b64(self.previous),
        }

    def __repr__(self) -> str:
        return f"EpochRecord(epoch={self.epoch}, by={self.by!r}, roster_seq={self.roster_seq})"


def make_epoch(
    vault_id: str,
    n: int,
    by: LaptopSigner,
    roster_seq: int,
    members: Mapping[str, bytes],
    new_key: bytes,
    previous_key: bytes,
) -> bytes:
    """The record that starts epoch ``n``: ``new_key`` granted to each of ``members`` ({device id: agree public
    key}, the remover included), epoch n-1's ``previous_key`` under ``new_key``, signed by ``by``."""
    if not (
        is_vault_id(vault_id)
        and is_int_between(n, FIRST_EPOCH + 1, MAX_EPOCH)
        and is_int_between(roster_seq, 2, _MAX_SEQ)
    ):
        raise ValueError("an epoch record needs a vault id, an epoch of 2 or more and the remove entry's seq")
    if len(new_key) != KEY_BYTES or len(previous_key) != KEY_BYTES or not 0 < len(members) <= MAX_GRANTS:
        raise ValueError("an epoch record carries two 32-byte keys and a grant for each remaining laptop")
    nonce = os.urandom(NONCE_BYTES)
    unsigned = EpochRecord(
        vault_id=vault_id,
        epoch=n,
        by=by.device_id,
        roster_seq=roster_seq,
        grants={
            device: wrap_for(agree, new_key, grant_context(vault_id, n, device)) for device, agree in members.items()
        },
        previous=nonce + AESGCM(new_key).encrypt(nonce, previous_key, _previous_aad(vault_id, n)),
        sig=bytes(SIGNATURE_BYTES),
    )
    signature = by.sign(_signed_message(unsigned._unsigned_document()))
    return _dumps({**unsigned._unsigned_document(), "sig": b64(signature)})


def unwind_keys(records: Mapping[int, EpochRecord], epoch: int, key: bytes) -> dict[int, bytes]:
    """{epoch: key} from ``epoch`` (whose ``key`` is known) down to epoch 1, through each record's ``previous``.
    MembershipError naming the record if one on the way is missing or does not open."""
    keys = {epoch: key}
    for number in range(epoch, FIRST_EPOCH, -1):
        record = records.get(number)
        if record is None:
            raise MembershipError(
                f"Your storage is missing its item {epoch_key(number)}, which older files need. "
                "memtray did not use it. Nothing on this laptop was changed."
            )
        keys[number - 1] = record.previous_key(keys[number])
    return keys


def _previous_aad(vault_id: str, epoch: int) -> bytes:
    return canonical("previous", vault_id, epoch)


def _signed_message(unsigned_document: Mapping[str, object]) -> bytes:
    return canonical("memtray/v1/epoch", _dumps(unsigned_document))


def _dumps(document: Mapping[str, object]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")
