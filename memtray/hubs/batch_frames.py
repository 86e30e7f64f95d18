"""The memtray hub's batch read on the wire, written once for the server and the laptop.

``POST /v1/vaults/{vault}/objects/batch`` with ``{"keys": [...]}`` (at most ``MAX_KEYS``) answers
``MAGIC`` and then one frame per key, in the order asked, for as many keys as fit in ``MAX_ANSWER`` bytes
(always at least one). A frame is one status byte and a 4-byte big-endian length, then that many bytes:
``FOUND`` with the object, ``MISSING`` (no such object) or ``ALONE`` (too big for a batch: read it with a
plain GET), both with length 0. Keys not answered are simply asked for again.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from memtray.errors import HubError
from memtray.hubs.base import max_object_size, object_too_large

MAGIC = b"MTB1"
MAX_KEYS = 64
MAX_ANSWER = 6 * 1024 * 1024
FOUND, MISSING, ALONE = b"F", b"M", b"A"
HEADER = struct.Struct(">cI")


def frame(status: bytes, data: bytes = b"") -> bytes:
    return HEADER.pack(status, len(data)) + data


def fits(used: int, data: bytes) -> bool:
    """True when an object of ``len(data)`` bytes still fits in an answer that holds ``used`` bytes."""
    return used + HEADER.size + len(data) <= MAX_ANSWER


def too_big_for_a_batch(data: bytes) -> bool:
    return len(MAGIC) + HEADER.size + len(data) > MAX_ANSWER


def read_frames(answer: bytes, keys: list[str]) -> Iterator[tuple[str, bytes | None, bytes]]:
    """``(key, data, status)`` for each frame of ``answer``; refuses a malformed answer or an object over its cap."""
    if not answer.startswith(MAGIC):
        raise garbled()
    position = len(MAGIC)
    for key in keys:
        if position == len(answer):
            return
        if position + HEADER.size > len(answer):
            raise garbled()
        status, length = HEADER.unpack_from(answer, position)
        position += HEADER.size
        if status == FOUND:
            if length > max_object_size(key):
                raise object_too_large(key)
            if position + length > len(answer):
                raise garbled()
            yield key, answer[position : position + length], status
            position += length
        elif status in (MISSING, ALONE) and length == 0:
            yield key, None, status
        else:
            raise garbled()
    if position != len(answer):
        raise garbled()


def garbled() -> HubError:
    return HubError("The memtray server sent a batch of stored items memtray could not read; it may be misbehaving.")
