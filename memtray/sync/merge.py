"""Merging two laptops' versions of a file (reconcile.py says when; ``merge_contents`` picks the way).

``merge_text`` merges their edits against their last common version, line by line (merge3, with the
shortest edit script of linediff.py). Where both only inserted lines at one place, both insertions are
kept; where one side rewrote lines and the other inserted lines just before or after them, both are
kept; only where both changed the same lines, or one inserted between lines the other changed, is it a
conflict. ``combine_texts`` joins two texts that share no earlier version: both kept, a line both hold
once. JSON objects merge key by key instead (merge_json.py).

None of these is symmetric: the caller passes the two sides in an order every laptop agrees on (the
earlier edit first), so every laptop computes the same bytes and the laptops converge on one version.
A text without a final line break is merged as if it had one, so an appended line is never glued to
the last one; the result ends without one only when the sides' edits say so (see ``_final_break``).
"""

from __future__ import annotations

from dataclasses import dataclass

from memtray.sync.linediff import LineMatcher, matching_blocks
from memtray.sync.merge_json import is_json_path, json_objects, merge_json


def as_text(data: bytes) -> str | None:
    """The UTF-8 text of ``data``, or None for binary content (which is never merged)."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class _Lines:
    """A text as lines that each end with a line break, and whether the text itself ended with one
    (None for an empty text, which has no say in how the result ends)."""

    lines: list[str]
    final_break: bool | None


def _split(text: str) -> _Lines:
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    last = parts[-1]
    if not last:
        return _Lines(lines, True if lines else None)
    return _Lines([*lines, last + ("\r\n" if "\r\n" in text else "\n")], False)


def _join(lines: list[str], final_break: bool | None) -> str:
    text = "".join(lines)
    if final_break is not False or not text:
        return text
    crlf = text.endswith("\r\n") and "\r\n" in text[:-2]
    return text[:-2] if crlf else text[:-1]


def _final_break(base: bool | None, first: bool | None, second: bool | None) -> bool:
    """Whether the merged text ends with a line break: a side that changed it from the base decides;
    if both changed it differently, or the decision fell to an empty text, it does."""
    if first == second:
        chosen = first
    elif first == base:
        chosen = second
    elif second == base:
        chosen = first
    else:
        chosen = True
    return True if chosen is None else chosen


def _union_lines(first: list[str], second: list[str]) -> list[str]:
    """Both line lists in one: runs they share once, where they differ the first's lines, then the second's."""
    result: list[str] = []
    first_at = second_at = 0
    for first_start, second_start, size in matching_blocks(first, second):
        result.extend(first[first_at:first_start])
        result.extend(second[second_at:second_start])
        result.extend(first[first_start : first_start + size])
        first_at, second_at = first_start + size, second_start + size
    return result


def combine_texts(first: str, second: str) -> str:
    """Two whole texts in one (see ``_union_lines``): nothing either holds is lost, a line both hold appears once."""
    one, two = _split(first), _split(second)
    lines = _union_lines(one.lines, two.lines)
    return _join(lines, _final_break(None, one.final_break, two.final_break))


def _insertions(base: list[str], side: list[str]) -> list[list[str]] | None:
    """The lines ``side`` inserted before each base line and after the last (len(base) + 1 runs), or None
    if ``side`` changed or removed a base line (the base is then not a subsequence of it)."""
    runs: list[list[str]] = [[]]
    position = 0
    for line in side:
        if position < len(base) and line == base[position]:
            position += 1
            runs.append([])
        else:
            runs[-1].append(line)
    return runs if position == len(base) else None


def _merge_region(base: list[str], first: list[str], second: list[str]) -> list[str] | None:
    """One region both sides changed, merged; None where both changed the same lines.
    Where both only inserted lines, both insertions are kept, the first's before the second's at each place.
    Where one side replaced the region's lines (merge3 ends a region at the lines both kept) and the other
    only inserted lines before or after them, the insertions stay around the replacement."""
    first_runs, second_runs = _insertions(base, first), _insertions(base, second)
    if first_runs is not None and second_runs is not None:
        result = _union_lines(first_runs[0], second_runs[0])
        for line, first_run, second_run in zip(base, first_runs[1:], second_runs[1:], strict=True):
            result.append(line)
            result.extend(_union_lines(first_run, second_run))
        return result
    inserted, replacement = (first_runs, second) if first_runs is not None else (second_runs, first)
    if inserted is None or any(inserted[1:-1]):
        return None
    return [*inserted[0], *replacement, *inserted[-1]]


def merge_contents(path: str, base: bytes | None, first: bytes, second: bytes) -> bytes | None:
    """Two laptops' versions of the file at ``path`` in one (``first`` is the earlier edit), or None if they
    cannot be: a conflict, or binary content. Without a common version (``base`` None) the two are combined.
    JSON objects merge key by key (see merge_json.py), other text line by line."""
    if is_json_path(path) and json_objects(first, second):
        return merge_json(base, first, second)
    if base is not None:
        return merge_text(base, first, second)
    first_text, second_text = as_text(first), as_text(second)
    if first_text is None or second_text is None:
        return None
    return combine_texts(first_text, second_text).encode("utf-8")


def merge_text(base: bytes | None, first: bytes, second: bytes) -> bytes | None:
    """Both sides' changes to ``base`` in one text, or None if they changed the same lines, are not text,
    or have no common version (``base`` None: see ``combine_texts``).
    ``first`` is the earlier edit: where both inserted at one place, its lines come first."""
    if base is None:
        return None
    texts = [as_text(part) for part in (base, first, second)]
    if any(text is None for text in texts):
        return None
    base_text, first_text, second_text = (_split(str(text)) for text in texts)
    base_lines, first_lines, second_lines = base_text.lines, first_text.lines, second_text.lines
    result: list[str] = []
    from merge3 import Merge3  # only when two laptops edited one file: not on every sync

    regions = Merge3(base_lines, first_lines, second_lines, sequence_matcher=LineMatcher).merge_regions()
    for kind, *bounds in regions:
        if kind == "unchanged":
            result.extend(base_lines[bounds[0] : bounds[1]])
        elif kind in ("a", "same"):
            result.extend(first_lines[bounds[0] : bounds[1]])
        elif kind == "b":
            result.extend(second_lines[bounds[0] : bounds[1]])
        else:
            first_part, second_part = first_lines[bounds[2] : bounds[3]], second_lines[bounds[4] : bounds[5]]
            merged = (
                first_part
                if first_part == second_part
                else _merge_region(base_lines[bounds[0] : bounds[1]], first_part, second_part)
            )
            if merged is None:
                return None
            result.extend(merged)
    final = _final_break(base_text.final_break, first_text.final_break, second_text.final_break)
    return _join(result, final).encode("utf-8")
