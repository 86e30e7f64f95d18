"""Merging two laptops' edits of a JSON file key by key (see merge.py for text, reconcile.py for when).

Both sides must be JSON objects; anything else is merged as text. Against the last common version,
each key takes the side that changed it; nested objects merge the same way, key by key. A key changed
differently on both sides (or changed on one and removed on the other) is a conflict. Without a common
version, the keys of both are joined, and a key the two give different values is a conflict.

The result is written the same way on every laptop: the first side's keys in its order, then the
second's new keys in theirs; indented like the common version (else the first side): its second line's
leading whitespace, or on one line if it was on one line; UTF-8 characters as they are, not escaped;
ending with a line break if that text did.
"""

from __future__ import annotations

import json
from typing import Any

_MISSING = object()


class _Conflict(Exception):
    """Both sides changed one key differently."""


def _object(data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=True)


def _merge_value(base: object, first: object, second: object) -> object:
    """The merged value of one key; ``_MISSING`` stands for a key that is not there."""
    if _equal(first, second) or _equal(second, base):
        return first
    if _equal(first, base):
        return second
    if isinstance(first, dict) and isinstance(second, dict):
        return _merge_objects(base if isinstance(base, dict) else None, first, second)
    raise _Conflict


def _equal(one: object, other: object) -> bool:
    if one is _MISSING or other is _MISSING:
        return one is other
    return _canonical(one) == _canonical(other)


def _merge_objects(base: dict[str, Any] | None, first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in [*first, *(key for key in second if key not in first)]:
        before = _MISSING if base is None else base.get(key, _MISSING)
        value = _merge_value(before, first.get(key, _MISSING), second.get(key, _MISSING))
        if value is not _MISSING:
            merged[key] = value
    return merged


def _layout_of(text: str) -> tuple[str | None, bool]:
    """How ``text`` is written: the indent of its second line (None when it is one line), and whether it
    ends with a line break."""
    lines = text.strip().splitlines()
    indent = lines[1][: len(lines[1]) - len(lines[1].lstrip())] if len(lines) > 1 else None
    return indent, text.endswith("\n")


def is_json_path(path: str) -> bool:
    return path.lower().endswith(".json")


def merge_json(base: bytes | None, first: bytes, second: bytes) -> bytes | None:
    """The key-by-key merge of two JSON objects (``first`` is the earlier edit: its keys come first).
    None if a key was changed differently on both sides, or if either side is not a JSON object."""
    first_object, second_object = _object(first), _object(second)
    if first_object is None or second_object is None:
        return None
    base_object = _object(base)
    try:
        merged = _merge_objects(base_object, first_object, second_object)
        layout_source = base if base is not None and base_object is not None else first
        indent, final_break = _layout_of(layout_source.decode("utf-8"))
        text = json.dumps(merged, indent=indent, ensure_ascii=False)
    except (_Conflict, RecursionError):
        return None
    return (text + ("\n" if final_break else "")).encode("utf-8")


def json_objects(*sides: bytes) -> bool:
    """Whether every one of ``sides`` is a JSON object (only then are they merged key by key)."""
    return all(_object(side) is not None for side in sides)
