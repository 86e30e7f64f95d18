"""Line-based three-way merge of text files against their last common version."""

from __future__ import annotations

from merge3 import Merge3


def as_text(data: bytes) -> str | None:
    """The UTF-8 text of ``data``, or None for binary content (which is never merged)."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def merge_text(base: bytes | None, local: bytes, remote: bytes) -> bytes | None:
    """The clean merge of both sides' changes to ``base``, or None if they overlap or are not text."""
    texts = [as_text(part) for part in (base or b"", local, remote)]
    if any(text is None for text in texts):
        return None
    base_lines, local_lines, remote_lines = (str(text).splitlines(keepends=True) for text in texts)
    result: list[str] = []
    for kind, *bounds in Merge3(base_lines, local_lines, remote_lines).merge_regions():
        if kind == "unchanged":
            result.extend(base_lines[bounds[0] : bounds[1]])
        elif kind in ("a", "same"):
            result.extend(local_lines[bounds[0] : bounds[1]])
        elif kind == "b":
            result.extend(remote_lines[bounds[0] : bounds[1]])
        else:
            local_part = local_lines[bounds[2] : bounds[3]]
            if local_part != remote_lines[bounds[4] : bounds[5]]:
                return None
            result.extend(local_part)
    return "".join(result).encode("utf-8")
