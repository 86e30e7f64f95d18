"""Tray icons: every state rendered crisp at tray sizes, distinct, on light and dark panels; macOS templates mono."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from memtray.ui.icons import TRAY_SIZES, TrayState, all_svg_sources, render_svg, svg_path, tray_icon
from tests.support.display import artifact_path

pytestmark = pytest.mark.usefixtures("qapp")

SIZES = (16, 24, 32)
PANELS = {"Light panel": QColor("#f3f4f6"), "Dark panel": QColor("#1f2329")}
LABELS = {
    TrayState.IDLE: "Idle",
    TrayState.SYNCING: "Syncing",
    TrayState.PAUSED: "Paused",
    TrayState.OFFLINE: "Offline",
    TrayState.ATTENTION: "Attention",
}


def opaque_pixels(image: QImage) -> list[QColor]:
    return [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 200
    ]


def contrast(a: QColor, b: QColor) -> float:
    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_state_has_a_colour_and_a_template_icon_at_every_tray_size():
    for state in TrayState:
        for template in (False, True):
            icon = tray_icon(state, template)
            assert icon.isMask() is template
            assert sorted(size.width() for size in icon.availableSizes()) == sorted(TRAY_SIZES)


def test_states_look_different_even_at_16_px():
    images = {state: render_svg(svg_path(f"tray-{state.value}"), 16) for state in TrayState}
    signatures = {state: bytes(image.constBits()) for state, image in images.items()}
    assert len(set(signatures.values())) == len(TrayState)
    for image in images.values():
        assert len(opaque_pixels(image)) > 100, "the badge fills most of the 16 px square"


def test_the_badge_stands_out_on_light_and_dark_panels():
    for state in TrayState:
        badge = render_svg(svg_path(f"tray-{state.value}"), 32).pixelColor(4, 16)
        for name, panel in PANELS.items():
            assert contrast(badge, panel) >= 1.6, (state, name)


def test_macos_templates_are_black_and_alpha_only():
    for state in TrayState:
        image = render_svg(svg_path(f"tray-{state.value}-template"), 32)
        colours = {(c.red(), c.green(), c.blue()) for c in opaque_pixels(image)}
        assert colours == {(0, 0, 0)}, state


def test_all_bundled_svgs_render():
    names = {path.stem for path in all_svg_sources()}
    assert "app" in names
    assert {f"tray-{state.value}" for state in TrayState} <= names
    assert opaque_pixels(render_svg(svg_path("app"), 64))


def test_composite_screenshot_of_the_icons():
    cell, label_width, margin = 44, 120, 16
    columns = len(TrayState) * len(SIZES)
    width = label_width + columns * cell + margin
    row_height = 56
    height = 34 + row_height * (len(PANELS) + 1)
    sheet = QImage(width, height, QImage.Format.Format_ARGB32)
    sheet.fill(QColor("#ffffff"))
    painter = QPainter(sheet)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont(painter.font())
    font.setPixelSize(12)
    painter.setFont(font)
    painter.setPen(QColor("#333333"))
    for index, state in enumerate(TrayState):
        x = label_width + index * len(SIZES) * cell
        painter.drawText(
            QRect(x, 6, len(SIZES) * cell, 22), Qt.AlignmentFlag.AlignCenter, f"{LABELS[state]} 16 · 24 · 32"
        )
    rows = [*PANELS.items(), ("macOS template", QColor("#e8e8ea"))]
    for row, (name, panel) in enumerate(rows):
        top = 34 + row * row_height
        painter.fillRect(QRect(0, top, width, row_height), panel)
        painter.setPen(QColor("#f3f4f6") if panel.lightness() < 128 else QColor("#333333"))
        painter.drawText(QRect(margin, top, label_width - margin, row_height), Qt.AlignmentFlag.AlignVCenter, name)
        for index, state in enumerate(TrayState):
            suffix = "-template" if name == "macOS template" else ""
            for offset, size in enumerate(SIZES):
                x = label_width + (index * len(SIZES) + offset) * cell + (cell - size) // 2
                image = render_svg(svg_path(f"tray-{state.value}{suffix}"), size)
                painter.drawImage(QPoint(x, top + (row_height - size) // 2), image)
    painter.end()
    path = artifact_path("tray-icons")
    assert sheet.save(str(path))
    assert QImage(str(path)).size() == sheet.size()
