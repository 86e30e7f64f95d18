"""Bounded checks of the fields roster entries and epoch records hold, shared by both parsers."""

from __future__ import annotations

import base64
import binascii
import re

_DEVICE_ID = re.compile(r"[0-9a-f]{32}")


def is_int_between(value: object, low: int, high: int) -> bool:
    """True for an int (not a bool) from ``low`` to ``high``, both included."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def is_device_id(value: object) -> bool:
    return isinstance(value, str) and _DEVICE_ID.fullmatch(value) is not None


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def unb64(text: object, size: int) -> bytes:
    """The ``size`` bytes that Base64 ``text`` holds; ValueError for anything else, its length checked first."""
    if not isinstance(text, str) or len(text) > 4 * size:
        raise ValueError("not base64 of the right size")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
    if len(raw) != size:
        raise ValueError("not base64 of the right size")
    return raw


def no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """``object_pairs_hook`` for ``json.loads``: ValueError for a key that appears twice."""
    document = dict(pairs)
    if len(document) != len(pairs):
        raise ValueError("duplicate key")
    return document
