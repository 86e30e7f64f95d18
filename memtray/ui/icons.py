"""Tray and app icons, rendered from the SVG sources in ``memtray/resources`` with QtSvg.

QtSvg ships in PySide6-Essentials, so the SVGs are rendered at run time into pixmaps at the
sizes tray hosts ask for; each size is drawn from the vector source, so 16 px stays crisp.
macOS gets the monochrome ``*-template.svg`` variants marked as masks, so the menu bar tints them.
"""

from __future__ import annotations

import enum
import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
TRAY_SIZES = (16, 20, 22, 24, 32, 40, 44, 48, 64)
APP_SIZES = (16, 24, 32, 48, 64, 128, 256)


class TrayState(enum.Enum):
    IDLE = "idle"
    SYNCING = "syncing"
    PAUSED = "paused"
    OFFLINE = "offline"
    ATTENTION = "attention"


def svg_path(name: str) -> Path:
    return RESOURCES / f"{name}.svg"


def render_svg(path: Path, size: int) -> QImage:
    """``path`` drawn into a transparent ``size``×``size`` image; ValueError when the SVG is unreadable."""
    renderer = QSvgRenderer(str(path))
    if not renderer.isValid():
        raise ValueError(f"{path.name} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def _icon_from_svg(path: Path, sizes: tuple[int, ...]) -> QIcon:
    icon = QIcon()
    for size in sizes:
        icon.addPixmap(QPixmap.fromImage(render_svg(path, size)))
    return icon


def uses_template_icons() -> bool:
    return sys.platform == "darwin"


@cache
def tray_icon(state: TrayState, template: bool | None = None) -> QIcon:
    """The tray icon for ``state``; monochrome template variant on macOS unless ``template`` says otherwise."""
    use_template = uses_template_icons() if template is None else template
    name = f"tray-{state.value}" + ("-template" if use_template else "")
    icon = _icon_from_svg(svg_path(name), TRAY_SIZES)
    icon.setIsMask(use_template)
    return icon


@cache
def app_icon() -> QIcon:
    return _icon_from_svg(svg_path("app"), APP_SIZES)


def all_svg_sources() -> list[Path]:
    return sorted(RESOURCES.glob("*.svg"))
