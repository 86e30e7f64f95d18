"""Reading QR codes back in tests, with a real decoder (zxing-cpp): from a terminal's half blocks or from pixels."""

from __future__ import annotations

import zxingcpp

HALF_BLOCKS = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}
SCALE = 4


def modules_from_text(lines: list[str]) -> list[list[bool]]:
    """The modules a terminal QR code shows: each character stands for two rows (upper and lower half)."""
    width = max(len(line) for line in lines)
    rows: list[list[bool]] = []
    for line in lines:
        halves = [HALF_BLOCKS[char] for char in line.ljust(width)]
        rows.append([upper for upper, _ in halves])
        rows.append([lower for _, lower in halves])
    return rows


def decode_gray(pixels: bytes, width: int, height: int) -> list[str]:
    """The texts of the QR codes in an 8-bit grey image stored row after row."""
    image = memoryview(pixels).cast("B", (height, width))
    return [found.text for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def decode_modules(rows: list[list[bool]]) -> list[str]:
    """Draw the modules black on white, ``SCALE`` pixels each, and decode what is drawn."""
    width = len(rows[0]) * SCALE
    pixels = bytearray()
    for row in rows:
        line = b"".join((b"\x00" if dark else b"\xff") * SCALE for dark in row)
        pixels += line * SCALE
    return decode_gray(bytes(pixels), width, len(rows) * SCALE)
