"""Checkpoints: one laptop's applied state at a point, so a joining laptop need not read every log from the start.

A checkpoint ``n`` of laptop ``d`` is a *head* ``ckpt/<d>/<n:016x>/0000`` and parts ``…/0001``, ``…/0002``, …
- Each part holds file versions exactly as log entries carry them (folder, path, version vector, deleted, SHA-256,
  size, mtime, content inline or a blob reference), about ``PART_TARGET`` bytes of content at most, so no object
  comes near the hub's 64 MiB cap for checkpoints.
- The head holds the folder definitions, and for every laptop whose log the state covers (the author included) the
  sequence number and sealed hash of the last entry applied (its *chain heads*, which are also its acknowledgements)
  with that laptop's name, platform and acknowledgement vector; and the SHA-256 of every sealed part. The head is
  written last, so a checkpoint exists only once all of it is on the hub.
Every object is sealed like an entry (zlib, then the envelope under the current epoch), its associated data bound to
vault ‖ ``ckpt`` ‖ laptop ‖ checkpoint number ‖ part number, so the hub cannot move one to another slot. The head is
signed like an entry (``MTsig1`` ‖ Ed25519 over vault ‖ laptop ‖ number ‖ epoch ‖ SHA-256 of the packed head); its
list of part hashes makes the signature cover the parts too.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from memtray.errors import IntegrityError
from memtray.sync.entry import (
    DEVICE_ID,
    SHA256,
    SIGNATURE_BYTES,
    SIGNATURE_MARKER,
    FileChange,
    change_header,
    malformed_error,
    pack,
    parse_change,
    tampered_error,
    unpack,
)
from memtray.sync.records import FolderDef
from memtray.vault.envelope import canonical, key_generation_of, object_aad, open_sealed, seal
from memtray.vault.epochs import EpochKeys
from memtray.vault.keys import VaultKeys

FORMAT = 1
CKPT_PREFIX = "ckpt/"
PART_TARGET = 4 * 1024 * 1024
PART_CHANGES_MAX = 20_000
"""At most this many versions in one part, so a part's header stays small even for a folder of tiny files."""
_CKPT_KEY = re.compile(r"^ckpt/([0-9a-f]{32})/([0-9a-f]{16})/([0-9a-f]{4})$")


def ckpt_key(device_id: str, number: int, part: int = 0) -> str:
    return f"{CKPT_PREFIX}{device_id}/{number:016x}/{part:04x}"


def parse_ckpt_key(key: str) -> tuple[str, int, int] | None:
    """Laptop id, checkpoint number and part number of a checkpoint object's key; None for any other key."""
    match = _CKPT_KEY.match(key)
    return (match.group(1), int(match.group(2), 16), int(match.group(3), 16)) if match else None


@dataclass(frozen=True)
class Head:
    """Where a checkpoint's state stands in one laptop's log, and what that laptop last said of itself."""

    seq: int
    hash: str
    name: str = ""
    platform: str = ""
    seen: float = 0.0
    acks: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"seq": self.seq, "hash": self.hash, "name": self.name, "platform": self.platform, "seen": self.seen,
                "acks": self.acks}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Head:
        acks = data.get("acks", {})
        if not isinstance(acks, dict):
            raise TypeError("acks")
        head = cls(
            int(data["seq"]),  # type: ignore[call-overload]
            str(data["hash"]),
            str(data.get("name", "")),
            str(data.get("platform", "")),
            float(data.get("seen", 0.0)),  # type: ignore[arg-type]
            {str(k): int(n) for k, n in acks.items()},
        )
        if head.seq < 1 or not SHA256.fullmatch(head.hash):
            raise ValueError("head")
        return head


@dataclass
class CheckpointHead:
    device_id: str
    number: int
    time: float
    heads: dict[str, Head]
    folders: list[FolderDef]
    parts: list[str]
    """SHA-256 of each sealed part, parts 1, 2, … in order."""

    @property
    def own_seq(self) -> int:
        """How far the checkpoint covers its author's own log."""
        own = self.heads.get(self.device_id)
        return own.seq if own else 0


@dataclass(frozen=True)
class OpenedHead:
    head: CheckpointHead
    epoch: int
    message: bytes
    signature: bytes | None


def head_message(vault_id: str, device_id: str, number: int, epoch: int, packed: bytes) -> bytes:
    """What a laptop signs for the head of its checkpoint ``number`` sealed under ``epoch``."""
    return canonical("memtray/v1/ckpt", vault_id, device_id, number, epoch, hashlib.sha256(packed).digest())


def _aad(keys: VaultKeys, device_id: str, number: int, part: int) -> bytes:
    return object_aad(keys.vault_id, "ckpt", device_id, number, part)


def _packed(header: dict[str, object], body: bytes) -> bytes:
    header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return pack(struct.pack(">I", len(header_bytes)) + header_bytes + body)


def split_parts(changes: Iterable[FileChange]) -> Iterator[list[FileChange]]:
    """``changes`` in parts of about ``PART_TARGET`` bytes of content, read lazily."""
    part: list[FileChange] = []
    size = 0
    for change in changes:
        length = len(change.data or b"")
        if part and (size + length > PART_TARGET or len(part) >= PART_CHANGES_MAX):
            yield part
            part, size = [], 0
        part.append(change)
        size += length
    if part:
        yield part


def seal_part(keys: VaultKeys, device_id: str, number: int, part: int, changes: list[FileChange], epoch: int) -> bytes:
    headers, offset = [], 0
    for change in changes:
        headers.append(change_header(change, offset))
        offset += len(change.data or b"")
    header = {"v": FORMAT, "device": device_id, "number": number, "part": part, "changes": headers}
    body = b"".join(change.data or b"" for change in changes)
    return seal(keys.log_key, _packed(header, body), _aad(keys, device_id, number, part), key_generation=epoch)


def seal_head(
    keys: VaultKeys, head: CheckpointHead, *, epoch: int, sign: Callable[[bytes], bytes] | None = None
) -> bytes:
    header = {
        "v": FORMAT,
        "device": head.device_id,
        "number": head.number,
        "time": head.time,
        "heads": {device: value.to_json() for device, value in sorted(head.heads.items())},
        "folders": [folder.to_json() for folder in head.folders],
        "parts": head.parts,
    }
    plaintext = _packed(header, b"")
    if sign is not None:
        signature = sign(head_message(keys.vault_id, head.device_id, head.number, epoch, plaintext))
        if len(signature) != SIGNATURE_BYTES:
            raise ValueError("a checkpoint's signature is 64 bytes")
        plaintext += SIGNATURE_MARKER + signature
    return seal(keys.log_key, plaintext, _aad(keys, head.device_id, head.number, 0), key_generation=epoch)


def _open(keys: EpochKeys, sealed: bytes, device_id: str, number: int, part: int) -> tuple[int, VaultKeys, bytes]:
    key = ckpt_key(device_id, number, part)
    try:
        epoch = key_generation_of(sealed)
    except IntegrityError as exc:
        raise tampered_error(key) from exc
    vault_keys = keys.opening(epoch)
    try:
        return epoch, vault_keys, open_sealed(vault_keys.log_key, sealed, _aad(vault_keys, device_id, number, part))
    except IntegrityError as exc:
        raise tampered_error(key) from exc


def _header_and_body(plaintext: bytes, key: str) -> tuple[dict[str, object], memoryview, bytes]:
    raw, trailer = unpack(plaintext, "ckpt", key)
    try:
        (length,) = struct.unpack(">I", raw[:4])
        header = json.loads(raw[4 : 4 + length].decode("utf-8"))
    except (ValueError, struct.error) as exc:
        raise malformed_error(key) from exc
    if not isinstance(header, dict) or header.get("v") != FORMAT:
        raise malformed_error(key)
    return header, memoryview(raw)[4 + length :], trailer


def open_head(keys: EpochKeys, sealed: bytes, device_id: str, number: int) -> OpenedHead:
    """The head of checkpoint ``number`` of ``device_id``, opened with the keys of the epoch its envelope names; its
    signature is returned, not checked (see checkpoint_join.py)."""
    key = ckpt_key(device_id, number)
    epoch, vault_keys, plaintext = _open(keys, sealed, device_id, number, 0)
    header, body, trailer = _header_and_body(plaintext, key)
    signed = len(trailer) == len(SIGNATURE_MARKER) + SIGNATURE_BYTES and trailer.startswith(SIGNATURE_MARKER)
    if (trailer and not signed) or body:
        raise malformed_error(key)
    try:
        heads_json, folders_json, parts = header["heads"], header["folders"], header["parts"]
        if not isinstance(heads_json, dict) or not isinstance(folders_json, list) or not isinstance(parts, list):
            raise TypeError("checkpoint header")
        if not all(isinstance(part, str) and SHA256.fullmatch(part) for part in parts):
            raise ValueError("part hashes")
        if not all(DEVICE_ID.match(device) for device in heads_json):
            raise ValueError("device ids")
        head = CheckpointHead(
            str(header["device"]),
            int(header["number"]),  # type: ignore[call-overload]
            float(header["time"]),  # type: ignore[arg-type]
            {str(device): Head.from_json(value) for device, value in heads_json.items()},
            [FolderDef.from_json(folder) for folder in folders_json],
            [str(part) for part in parts],
        )
    except (ValueError, KeyError, TypeError, AttributeError, AssertionError) as exc:
        raise malformed_error(key) from exc
    if head.device_id != device_id or head.number != number:
        raise malformed_error(key)
    packed = plaintext[: len(plaintext) - len(trailer)]
    message = head_message(vault_keys.vault_id, device_id, number, epoch, packed)
    return OpenedHead(head, epoch, message, trailer[len(SIGNATURE_MARKER) :] if trailer else None)


def open_part(keys: EpochKeys, head: CheckpointHead, part: int, sealed: bytes) -> list[FileChange]:
    """The versions in part ``part`` (from 1) of the checkpoint ``head`` describes, checked against the hash the
    head lists for it."""
    key = ckpt_key(head.device_id, head.number, part)
    if hashlib.sha256(sealed).hexdigest() != head.parts[part - 1]:
        raise tampered_error(key)
    _, _, plaintext = _open(keys, sealed, head.device_id, head.number, part)
    header, body, trailer = _header_and_body(plaintext, key)
    if trailer or (header.get("device"), header.get("number"), header.get("part")) != (
        head.device_id,
        head.number,
        part,
    ):
        raise malformed_error(key)
    try:
        items = header["changes"]
        if not isinstance(items, list):
            raise TypeError("changes")
        return [parse_change(item, body) for item in items]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise malformed_error(key) from exc
