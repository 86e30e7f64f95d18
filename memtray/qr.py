"""A setup code as a QR code: its modules (for the "Add a laptop" window to paint) and as text for a terminal.

The terminal form packs two rows of modules into one line of half blocks. Dark modules are ink, as on paper; in
a terminal (``colours``) the code is drawn black on white, so it scans on dark and light themes alike.
"""

from __future__ import annotations

import segno

QUIET_ZONE = 4
UPPER, LOWER, BOTH, NEITHER = "▀", "▄", "█", " "
BLACK_ON_WHITE, RESET = "\x1b[30;107m", "\x1b[0m"


def qr_modules(text: str) -> list[list[bool]]:
    """The QR code of ``text`` (error correction M), True for a dark module, with its quiet zone around it."""
    code = segno.make(text, error="m", micro=False, boost_error=False)
    return [[bool(module) for module in row] for row in code.matrix_iter(border=QUIET_ZONE)]


def qr_text(text: str, *, colours: bool = False) -> str:
    """The QR code of ``text`` as lines of half blocks."""
    rows = qr_modules(text)
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        line = "".join(_half_block(upper, lower) for upper, lower in zip(top, bottom, strict=True))
        lines.append(f"{BLACK_ON_WHITE}{line}{RESET}" if colours else line)
    return "\n".join(lines)


def _half_block(upper: bool, lower: bool) -> str:
    if upper and lower:
        return BOTH
    if upper:
        return UPPER
    return LOWER if lower else NEITHER
