"""Tray apps of real laptops without a tray icon, for tests of what they tell the person: their notices are the
small dialogs that stand in for system notifications."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from memtray.model import SyncResult
from memtray.service import Service
from memtray.ui.tray_app import TrayApp
from tests.ui.laptop_pair import WAIT_MS


def notices() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


@pytest.fixture
def start_app(qtbot) -> Iterator[Callable[[Service], TrayApp]]:  # type: ignore[no-untyped-def]
    """``start_app(service)``: the tray app of that laptop, without a tray icon, its first snapshot read."""
    apps: list[TrayApp] = []

    def start(service: Service) -> TrayApp:
        app = TrayApp(service.home, use_tray=False)
        apps.append(app)
        with qtbot.waitSignal(app.client.snapshot_changed, timeout=WAIT_MS):
            app.client.refresh()
        return app

    yield start
    for app in apps:
        window = app._settings_window
        if window is not None:
            window.finished.disconnect()
            window.close()
        assert app.shutdown()
    for box in notices():
        box.close()


def sync(qtbot, app: TrayApp) -> SyncResult:  # type: ignore[no-untyped-def]
    """One sync the person asked for in ``app``, and its result."""
    with qtbot.waitSignal(app.controller.finished, timeout=WAIT_MS) as finished:
        app.controller.request()
    result: SyncResult = finished.args[0]
    return result
