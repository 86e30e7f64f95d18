"""Secrets never leave through ``memtray mcp``: every line the secret guard flags is replaced before a text is
returned or indexed for search.

The guard's own detectors (memtray/sync/secret_guard.py) find the first line with a secret; that line (for a
private key, the whole block up to its END line) is replaced by a plain note naming what was there, and the text
is checked again until nothing is found.
"""

from __future__ import annotations

from memtray.sync.secret_guard import first_finding

PRIVATE_KEY = "a private key"


def hidden_note(kind: str) -> str:
    return f"[memtray hid this line: it holds {kind}]"


def mask_secrets(text: str) -> str:
    """``text`` with every line that holds a password, token or key replaced by a note saying what was there."""
    lines = text.split("\n")
    for _ in range(len(lines)):
        finding = first_finding("\n".join(lines).encode("utf-8", "surrogatepass"))
        if finding is None:
            break
        first = max(finding.line, 1) - 1
        last = first
        if finding.kind == PRIVATE_KEY:
            last = next((n for n in range(first, len(lines)) if "-----END" in lines[n]), len(lines) - 1)
        lines[first : last + 1] = [hidden_note(finding.kind)] * (last - first + 1)
    return "\n".join(lines)
