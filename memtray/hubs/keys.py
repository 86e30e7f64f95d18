"""The names of hub objects, written once for sync, the hub adapters and the hub server.

- ``vault/keyfile/<generation:016x>``: one generation of the vault's key file,
- ``log/<device id>/<seq:016x>``: a laptop's log entries, numbered from 1,
- ``ckpt/<device id>/…``: a laptop's checkpoints,
- ``blob/<blob id>``: the content of one large file version,
- ``roster/<seq:016x>``: entry n of the vault's roster of member laptops, numbered from 1,
- ``epoch/<epoch:08x>``: the record that started key epoch n (n >= 2), written by the laptop that removed one.

Adapters refuse any other key. A part starting with ``.`` marks an adapter's own temporary or probe
object, which ``list`` never returns.
"""

from __future__ import annotations

import re

KEY_PATTERN = re.compile(r"^(vault|log|blob|ckpt|roster|epoch)(/[A-Za-z0-9._-]{1,128}){1,3}$")
LOG_PREFIX = "log/"
KEYFILE_PREFIX = "vault/keyfile/"
ROSTER_PREFIX = "roster/"
EPOCH_PREFIX = "epoch/"
_LOG_KEY = re.compile(r"^log/([0-9a-f]{32})/([0-9a-f]{16})$")
_ROSTER_KEY = re.compile(r"^roster/([0-9a-f]{16})$")
_EPOCH_KEY = re.compile(r"^epoch/([0-9a-f]{8})$")


def is_valid_key(key: str) -> bool:
    """True for keys of the shapes the sync protocol writes; adapters refuse anything else."""
    return bool(KEY_PATTERN.match(key)) and ".." not in key


def is_listed_key(key: str) -> bool:
    """True for keys ``list`` returns: valid protocol keys, never hidden temp or probe objects."""
    return is_valid_key(key) and not any(part.startswith(".") for part in key.split("/"))


def log_key(device_id: str, seq: int) -> str:
    return f"{LOG_PREFIX}{device_id}/{seq:016x}"


def parse_log_key(key: str) -> tuple[str, int] | None:
    """The device id and sequence number of a log entry's key; None for any other key."""
    match = _LOG_KEY.match(key)
    return (match.group(1), int(match.group(2), 16)) if match else None


def blob_key(blob_id: str) -> str:
    return f"blob/{blob_id}"


def keyfile_key(generation: int) -> str:
    return f"{KEYFILE_PREFIX}{generation:016x}"


def roster_key(seq: int) -> str:
    return f"{ROSTER_PREFIX}{seq:016x}"


def parse_roster_key(key: str) -> int | None:
    """The sequence number of a roster entry's key; None for any other key."""
    match = _ROSTER_KEY.fullmatch(key)
    return int(match.group(1), 16) if match else None


def epoch_key(epoch: int) -> str:
    return f"{EPOCH_PREFIX}{epoch:08x}"


def parse_epoch_key(key: str) -> int | None:
    """The epoch number of an epoch record's key; None for any other key."""
    match = _EPOCH_KEY.fullmatch(key)
    return int(match.group(1), 16) if match else None
