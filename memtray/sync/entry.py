"""Log entries: one per sync cycle per laptop, encrypted, chained, and bound to their slot.

Plaintext layout (then zlib, then the vault envelope): u32 length of a JSON header, the header,
then the inline contents back to back; each change in the header says where its bytes are.
The envelope's associated data binds vault, ``log``, device and sequence number, so the hub
cannot move an entry to another slot; ``prev`` (the SHA-256 of the previous sealed entry)
chains the entries, so it cannot drop or reorder one unnoticed either.

A laptop with a key (see memtray/membership/laptop_key.py) signs each entry it writes: the plaintext is then
``packed ‖ SIGNATURE_MARKER ‖ 64-byte Ed25519 signature`` over ``entry_message``. Unpacking stops at the end of
the zlib stream and hands back what follows it, which must be nothing (an unsigned entry) or exactly one such
trailer. A laptop on an older memtray inflates the stream the same way and never looks past its end, so it reads
signed entries as it always read entries (tests/core/test_signed_entries.py decodes one with that release's code).
The envelope's key generation is the vault key epoch the object is sealed under (see memtray/vault/epochs.py).

Unpacking is bounded: an entry or blob may expand to at most ``RATIO`` times its packed size (but
always ``RATIO_FLOOR``) and never past ``PLAIN_CAPS`` for its kind, so a compression bomb, even one
sealed with the real vault key, stops with an error naming the object. Packing keeps to the same
rule: data that would compress beyond the ratio is stored uncompressed instead.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zlib
from dataclasses import dataclass, field

from memtray.errors import HubPayloadTooLargeError, IntegrityError, ObjectTooLargeError
from memtray.hubs.base import MIB, describe_size
from memtray.hubs.keys import blob_key, log_key
from memtray.membership.view import Signer
from memtray.sync.pathsafety import check_relative
from memtray.sync.records import FileVersion, FolderDef
from memtray.vault.envelope import canonical, key_generation_of, object_aad, open_sealed, seal
from memtray.vault.epochs import FIRST_EPOCH, EpochKeys
from memtray.vault.keys import VaultKeys

FORMAT = 1
NOTICE_FORMAT = 2
"""The format of the one entry a laptop writes, sealed under the first epoch, before its first entry under a later
epoch (see publish.py): releases before membership refuse it as "written by a newer memtray" instead of failing
on the new epoch's key as if the data were damaged. It holds only its slot and the hash of the entry before it,
which the storage shows anyway, so a removed laptop that still holds the first epoch's key learns nothing new."""
NOTICE_FIELDS = frozenset({"v", "device", "seq", "prev"})
GENESIS = "0" * 64
DEVICE_ID = re.compile(r"^[0-9a-f]{32}$")
SHA256 = re.compile(r"[0-9a-f]{64}")
FOLDER_ID_MAX = 64
CONFLICT_NEWS_MAX = 256
"""At most this many conflicts opened, and as many settled, in one entry (publish sends the rest later)."""
RATIO = 32
RATIO_FLOOR = 16 * MIB
# A blob's plaintext cap leaves room for zlib framing and padding under the hub's 256 MiB cap for blobs.
PLAIN_CAPS = {"log": 256 * MIB, "ckpt": 256 * MIB, "blob": 240 * MIB}
INFLATE_CHUNK = 1 * MIB
INLINE_MAX = 512 * 1024
"""Content up to this size travels inside its entry; a larger file goes as a blob of its own (see publish.py)."""
SIGNATURE_MARKER = b"MTsig1"
SIGNATURE_BYTES = 64


def malformed_error(key: str) -> IntegrityError:
    """The error for a stored item that does not parse: damaged, or of a newer format."""
    return IntegrityError(
        f"The stored item {key} could not be read: it is damaged or was written by a newer memtray. "
        "memtray did not use it."
    )


def tampered_error(key: str) -> IntegrityError:
    """The error for a stored item that fails its integrity check."""
    return IntegrityError(
        f"The stored item {key} failed its integrity check: it was changed, moved or damaged, or it belongs "
        "to another synced memory. memtray did not use it."
    )


def _ratio_limit(packed_size: int) -> int:
    return max(RATIO_FLOOR, RATIO * packed_size)


def _pack(raw: bytes) -> bytes:
    """zlib-compress ``raw``, falling back to stored blocks where it would pass the unpacking ratio."""
    packed = zlib.compress(raw, 1)
    return packed if len(raw) <= _ratio_limit(len(packed)) else zlib.compress(raw, 0)


def _unpack(packed: bytes, kind: str, key: str) -> tuple[bytes, bytes]:
    """Inflate the zlib stream at the start of ``packed`` a chunk at a time, stopping as soon as it passes its
    bound; the inflated bytes, and the bytes after the stream."""
    limit = min(PLAIN_CAPS[kind], _ratio_limit(len(packed)))
    inflater = zlib.decompressobj()
    parts: list[bytes] = []
    total = 0
    pending = packed
    try:
        while not inflater.eof:
            chunk = inflater.decompress(pending, min(INFLATE_CHUNK, limit + 1 - total))
            total += len(chunk)
            if total > limit:
                raise ObjectTooLargeError(
                    f"The stored item {key} unpacks to more than memtray accepts ({describe_size(limit)}); "
                    "memtray did not use it."
                )
            parts.append(chunk)
            pending = inflater.unconsumed_tail
            if not (chunk or pending or inflater.eof):
                raise malformed_error(key)
    except zlib.error as exc:
        raise malformed_error(key) from exc
    return b"".join(parts), inflater.unused_data


pack = _pack
unpack = _unpack
"""The packing entries use, for checkpoints (see checkpoint.py)."""


@dataclass
class FileChange:
    version: FileVersion
    data: bytes | None = None


ConflictKey = tuple[str, str, str, str]
"""A conflict as every laptop that has it knows it: folder id, path, and the SHA-256 of the text kept in the file
and of the text set aside."""


@dataclass
class LogEntry:
    device_id: str
    seq: int
    prev: str
    device_name: str
    platform: str
    time: float
    acks: dict[str, int] = field(default_factory=dict)
    folders: list[FolderDef] = field(default_factory=list)
    changes: list[FileChange] = field(default_factory=list)
    retires: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    conflicts: list[ConflictKey] = field(default_factory=list)
    """Conflicts that happened on this laptop (see conflict_news.py); older laptops ignore the field."""
    settled: list[ConflictKey] = field(default_factory=list)
    """Conflicts resolved on this laptop: every laptop marks its own record of them resolved."""
    notice: bool = False
    """A notice for older releases (see ``NOTICE_FORMAT``): a link in the chain and nothing else."""


def change_header(change: FileChange, offset: int) -> dict[str, object]:
    """How ``change`` is described in a header (entries and checkpoints), its bytes at ``offset`` of the body."""
    v = change.version
    return {
        "f": v.folder,
        "p": v.path,
        "vv": v.vv,
        "del": v.deleted,
        "h": v.sha,
        "n": v.size,
        "m": v.mtime,
        "o": v.origin,
        "r": v.resolved,
        "b": v.blob,
        **({"c": True} if v.combined else {}),
        "off": offset,
        "len": -1 if change.data is None else len(change.data),
    }


def encode(entry: LogEntry) -> bytes:
    if entry.notice:
        notice = {"v": NOTICE_FORMAT, "device": entry.device_id, "seq": entry.seq, "prev": entry.prev}
        notice_bytes = json.dumps(notice, separators=(",", ":")).encode("utf-8")
        return _pack(struct.pack(">I", len(notice_bytes)) + notice_bytes)
    offset = 0
    headers = []
    for change in entry.changes:
        headers.append(change_header(change, offset))
        offset += len(change.data or b"")
    header = {
        "v": FORMAT,
        "device": entry.device_id,
        "seq": entry.seq,
        "prev": entry.prev,
        "name": entry.device_name,
        "platform": entry.platform,
        "time": entry.time,
        "acks": entry.acks,
        "folders": [folder.to_json() for folder in entry.folders],
        "changes": headers,
        **({"retires": entry.retires} if entry.retires else {}),
        **({"damaged": entry.damaged} if entry.damaged else {}),
        **({"conflicts": [list(key) for key in entry.conflicts]} if entry.conflicts else {}),
        **({"settled": [list(key) for key in entry.settled]} if entry.settled else {}),
    }
    header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    body = b"".join(change.data or b"" for change in entry.changes)
    return _pack(struct.pack(">I", len(header_bytes)) + header_bytes + body)


def decode(packed: bytes, key: str) -> LogEntry:
    """The entry packed by ``encode`` (signed or not); errors name ``key``, the hub object it came from."""
    return _decode_signed(packed, key)[0]


def _decode_signed(plaintext: bytes, key: str) -> tuple[LogEntry, bytes, bytes | None]:
    """The entry, its packed bytes (what the signature covers) and its signature (None when unsigned)."""
    raw, trailer = _unpack(plaintext, "log", key)
    signed = len(trailer) == len(SIGNATURE_MARKER) + SIGNATURE_BYTES and trailer.startswith(SIGNATURE_MARKER)
    if trailer and not signed:
        raise malformed_error(key)
    signature = trailer[len(SIGNATURE_MARKER) :] if trailer else None
    return _parse(raw, key), plaintext[: len(plaintext) - len(trailer)], signature


def _parse(raw: bytes, key: str) -> LogEntry:
    try:
        (length,) = struct.unpack(">I", raw[:4])
        header = json.loads(raw[4 : 4 + length].decode("utf-8"))
        body = memoryview(raw)[4 + length :]
        if header["v"] == NOTICE_FORMAT and set(header) == NOTICE_FIELDS and not body:
            return LogEntry(str(header["device"]), int(header["seq"]), str(header["prev"]), "", "", 0.0, notice=True)
        if header["v"] != FORMAT:
            raise ValueError("format")
        changes = [parse_change(item, body) for item in header["changes"]]
        return LogEntry(
            device_id=str(header["device"]),
            seq=int(header["seq"]),
            prev=str(header["prev"]),
            device_name=str(header["name"]),
            platform=str(header["platform"]),
            time=float(header["time"]),
            acks={str(k): int(n) for k, n in header["acks"].items()},
            folders=[FolderDef.from_json(folder) for folder in header["folders"]],
            changes=changes,
            retires=_device_ids(header.get("retires", [])),
            damaged=_device_ids(header.get("damaged", [])),
            conflicts=_conflict_keys(header.get("conflicts", [])),
            settled=_conflict_keys(header.get("settled", [])),
        )
    except (ValueError, KeyError, TypeError, AttributeError, AssertionError, struct.error) as exc:
        raise malformed_error(key) from exc


def parse_change(item: dict[str, object], body: memoryview) -> FileChange:
    """The change ``change_header`` described, its bytes taken from ``body``; ValueError, KeyError or TypeError
    when it is malformed."""
    size = int(item["len"])  # type: ignore[call-overload]
    offset = int(item["off"])  # type: ignore[call-overload]
    data = None if size < 0 else bytes(body[offset : offset + size])
    if data is not None and len(data) != size:
        raise ValueError("truncated content")
    vv = item["vv"]
    if not isinstance(vv, dict):
        raise TypeError("version vector")
    blob = item["b"]
    if blob is not None and not isinstance(blob, str):
        raise TypeError("blob")
    version = FileVersion(
        folder=str(item["f"]),
        path=str(item["p"]),
        vv={str(k): int(n) for k, n in vv.items()},
        deleted=bool(item["del"]),
        sha=str(item["h"]),
        size=int(item["n"]),  # type: ignore[call-overload]
        mtime=float(item["m"]),  # type: ignore[arg-type]
        origin=str(item["o"]),
        resolved=bool(item["r"]),
        blob=blob,
        combined=item.get("c") is True,
    )
    return FileChange(version, data)


def _device_ids(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and DEVICE_ID.match(item) for item in value):
        raise ValueError("device ids")
    return list(value)


def _conflict_keys(value: object) -> list[ConflictKey]:
    if not isinstance(value, list) or len(value) > CONFLICT_NEWS_MAX:
        raise ValueError("conflicts")
    keys = []
    for item in value:
        if not isinstance(item, list):
            raise ValueError("conflict")
        folder, path, kept, other = item
        if not 0 < len(folder) <= FOLDER_ID_MAX or not SHA256.fullmatch(kept) or not SHA256.fullmatch(other):
            raise ValueError("conflict")
        keys.append((folder, check_relative(path), kept, other))
    return keys


@dataclass(frozen=True)
class OpenedEntry:
    """An entry as read from the hub: the epoch it was sealed under, and what its signature must cover."""

    entry: LogEntry
    epoch: int
    message: bytes
    signature: bytes | None


def entry_message(vault_id: str, device_id: str, seq: int, epoch: int, packed: bytes) -> bytes:
    """What a laptop signs for its entry ``seq`` sealed under ``epoch``."""
    return canonical("memtray/v1/entry", vault_id, device_id, seq, epoch, hashlib.sha256(packed).digest())


def seal_entry(
    keys: VaultKeys,
    entry: LogEntry,
    *,
    epoch: int = FIRST_EPOCH,
    signer: Signer | None = None,
) -> bytes:
    """``entry`` sealed with ``keys`` (those of ``epoch``), signed by ``signer`` when there is one."""
    plaintext = encode(entry)
    if signer is not None:
        signature = signer.sign(entry_message(keys.vault_id, entry.device_id, entry.seq, epoch, plaintext))
        if len(signature) != SIGNATURE_BYTES:
            raise ValueError("an entry's signature is 64 bytes")
        plaintext += SIGNATURE_MARKER + signature
    aad = object_aad(keys.vault_id, "log", entry.device_id, entry.seq)
    return seal(keys.log_key, plaintext, aad, key_generation=epoch)


def open_signed_entry(keys: VaultKeys | EpochKeys, sealed: bytes, device_id: str, seq: int) -> OpenedEntry:
    """The entry in slot ``device_id``/``seq``, opened with the keys of the epoch its envelope names (an epoch this
    laptop does not hold raises ``UnknownEpochError``). Its signature is not checked here (see admission.py)."""
    key = log_key(device_id, seq)
    epoch, vault_keys = _opening(keys, sealed, key)
    try:
        plaintext = open_sealed(vault_keys.log_key, sealed, object_aad(vault_keys.vault_id, "log", device_id, seq))
    except IntegrityError as exc:
        raise tampered_error(key) from exc
    entry, packed, signature = _decode_signed(plaintext, key)
    if entry.device_id != device_id or entry.seq != seq:
        raise malformed_error(key)
    return OpenedEntry(entry, epoch, entry_message(vault_keys.vault_id, device_id, seq, epoch, packed), signature)


def open_entry(keys: VaultKeys | EpochKeys, sealed: bytes, device_id: str, seq: int) -> LogEntry:
    return open_signed_entry(keys, sealed, device_id, seq).entry


def _opening(keys: VaultKeys | EpochKeys, sealed: bytes, key: str) -> tuple[int, VaultKeys]:
    """The epoch ``sealed`` names and its keys; plain ``VaultKeys`` are a vault's first epoch."""
    epochs = keys if isinstance(keys, EpochKeys) else EpochKeys.single(keys)
    try:
        epoch = key_generation_of(sealed)
    except IntegrityError as exc:
        raise tampered_error(key) from exc
    return epoch, epochs.opening(epoch)


def entry_hash(sealed: bytes) -> str:
    return hashlib.sha256(sealed).hexdigest()


def seal_blob(keys: VaultKeys, blob_id: str, data: bytes, *, epoch: int = FIRST_EPOCH) -> bytes:
    """The sealed blob for one whole file, under ``keys`` of ``epoch``; refused when other laptops could not
    unpack it."""
    if len(data) > PLAIN_CAPS["blob"]:
        raise HubPayloadTooLargeError(
            f"A file of {describe_size(len(data))} is larger than memtray syncs ({describe_size(PLAIN_CAPS['blob'])})."
        )
    return seal(keys.blob_key, _pack(data), object_aad(keys.vault_id, "blob", blob_id), key_generation=epoch)


def open_blob(keys: VaultKeys | EpochKeys, blob_id: str, sealed: bytes, expected_sha: str) -> bytes:
    key = blob_key(blob_id)
    _, vault_keys = _opening(keys, sealed, key)
    try:
        packed = open_sealed(vault_keys.blob_key, sealed, object_aad(vault_keys.vault_id, "blob", blob_id))
    except IntegrityError as exc:
        raise tampered_error(key) from exc
    data, _ = _unpack(packed, "blob", key)
    if hashlib.sha256(data).hexdigest() != expected_sha:
        raise IntegrityError(
            f"The stored item {key} does not match the fingerprint recorded for its file. memtray did not use it."
        )
    return data
