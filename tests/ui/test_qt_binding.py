"""The Qt binding must not leak references on signal emits: PySide6 6.12.0 did, and aborted within hours."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ticked = Signal(int)


def test_emitting_signals_keeps_bool_reference_counts_steady(qapp):
    emitter = _Emitter()
    received: list[int] = []
    emitter.ticked.connect(received.append)
    before = sys.getrefcount(True)
    for number in range(1000):
        emitter.ticked.emit(number)
    assert len(received) == 1000
    assert abs(sys.getrefcount(True) - before) < 50
