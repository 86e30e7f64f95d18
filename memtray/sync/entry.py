"""Log entries: one per sync cycle per laptop, encrypted, chained, and bound to their slot.

Plaintext layout (then zlib, then the vault envelope): u32 length of a JSON header, the header,
then the inline contents back to back; each change in the header says where its bytes are.
The envelope's associated data binds vault, ``log``, device and sequence number, so the hub
cannot move an entry to another slot; ``prev`` (the SHA-256 of the previous sealed entry)
chains the entries, so it cannot drop or reorder one unnoticed either.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from dataclasses import dataclass, field

from memtray.errors import IntegrityError
from memtray.sync.records import FileVersion, FolderDef
from memtray.vault.envelope import object_aad, open_sealed, seal
from memtray.vault.keys import VaultKeys

FORMAT = 1
GENESIS = "0" * 64
MALFORMED = "A log entry on the hub could not be read: it is damaged or was written by a newer memtray."


@dataclass
class FileChange:
    version: FileVersion
    data: bytes | None = None


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


def _change_header(change: FileChange, offset: int) -> dict[str, object]:
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
        "off": offset,
        "len": -1 if change.data is None else len(change.data),
    }


def encode(entry: LogEntry) -> bytes:
    offset = 0
    headers = []
    for change in entry.changes:
        headers.append(_change_header(change, offset))
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
    }
    header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    body = b"".join(change.data or b"" for change in entry.changes)
    return zlib.compress(struct.pack(">I", len(header_bytes)) + header_bytes + body, 1)


def decode(packed: bytes) -> LogEntry:
    try:
        raw = zlib.decompress(packed)
        (length,) = struct.unpack(">I", raw[:4])
        header = json.loads(raw[4 : 4 + length].decode("utf-8"))
        body = memoryview(raw)[4 + length :]
        if header["v"] != FORMAT:
            raise ValueError("format")
        changes = []
        for item in header["changes"]:
            size = int(item["len"])
            data = None if size < 0 else bytes(body[item["off"] : item["off"] + size])
            if data is not None and len(data) != size:
                raise ValueError("truncated content")
            version = FileVersion(
                folder=str(item["f"]),
                path=str(item["p"]),
                vv={str(k): int(n) for k, n in item["vv"].items()},
                deleted=bool(item["del"]),
                sha=str(item["h"]),
                size=int(item["n"]),
                mtime=float(item["m"]),
                origin=str(item["o"]),
                resolved=bool(item["r"]),
                blob=item["b"],
            )
            changes.append(FileChange(version, data))
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
        )
    except (ValueError, KeyError, TypeError, AttributeError, AssertionError, struct.error, zlib.error) as exc:
        raise IntegrityError(MALFORMED) from exc


def seal_entry(keys: VaultKeys, entry: LogEntry) -> bytes:
    return seal(keys.log_key, encode(entry), object_aad(keys.vault_id, "log", entry.device_id, entry.seq))


def open_entry(keys: VaultKeys, sealed: bytes, device_id: str, seq: int) -> LogEntry:
    entry = decode(open_sealed(keys.log_key, sealed, object_aad(keys.vault_id, "log", device_id, seq)))
    if entry.device_id != device_id or entry.seq != seq:
        raise IntegrityError(MALFORMED)
    return entry


def entry_hash(sealed: bytes) -> str:
    return hashlib.sha256(sealed).hexdigest()


def seal_blob(keys: VaultKeys, blob_id: str, data: bytes) -> bytes:
    return seal(keys.blob_key, zlib.compress(data, 1), object_aad(keys.vault_id, "blob", blob_id))


def open_blob(keys: VaultKeys, blob_id: str, sealed: bytes, expected_sha: str) -> bytes:
    try:
        data = zlib.decompress(open_sealed(keys.blob_key, sealed, object_aad(keys.vault_id, "blob", blob_id)))
    except zlib.error as exc:
        raise IntegrityError(MALFORMED) from exc
    if hashlib.sha256(data).hexdigest() != expected_sha:
        raise IntegrityError(
            "A file's content on the hub does not match its recorded fingerprint. memtray did not use it."
        )
    return data
