"""Small widgets the settings window and the setup wizard share."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError
from memtray.ui.password_field import PasswordField

OK_COLOR = "#1b7f3b"
ERROR_COLOR = "#b3261e"


def _t(text: str) -> str:
    return QCoreApplication.translate("widgets", text)


def relative_time(when: float | None, now: float | None = None) -> str:
    """'just now', '2 minutes ago', 'yesterday'… for a Unix time; 'never' for None."""
    if when is None:
        return _t("never")
    seconds = max(0, int((time.time() if now is None else now) - when))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 1:
        return _t("just now")
    if hours < 1:
        return _t("1 minute ago") if minutes == 1 else _t("{n} minutes ago").format(n=minutes)
    if days < 1:
        return _t("1 hour ago") if hours == 1 else _t("{n} hours ago").format(n=hours)
    if days < 60:
        return _t("yesterday") if days == 1 else _t("{n} days ago").format(n=days)
    return time.strftime("%d %b %Y", time.localtime(when))


def heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    return label


def explanation(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


def fill_with_scrolling(owner: QWidget, content: QWidget) -> None:
    """Make ``content`` all of ``owner``, scrolling up and down when it is taller, so every text keeps its full
    height however small the window."""
    scroller = QScrollArea()
    scroller.setWidgetResizable(True)
    scroller.setFrameShape(QFrame.Shape.NoFrame)
    scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroller.setWidget(content)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(scroller)


def fit_columns(tree: QTreeWidget) -> None:
    """Size each column of ``tree`` to its text; the last one takes the remaining width."""
    header = tree.header()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(tree.columnCount() - 1, QHeaderView.ResizeMode.Stretch)


def select_first(tree: QTreeWidget) -> None:
    item = tree.topLevelItem(0)
    if item is not None:
        tree.setCurrentItem(item)


def password_line(placeholder: str = "") -> PasswordField:
    """A field for a passphrase or server password, hidden as dots, with its own Show button."""
    return PasswordField(placeholder)


def home_relative(path: Path | str) -> str:
    """``path`` shown the short way, ``~/.claude`` rather than ``/home/anna/.claude``."""
    if not str(path):
        return ""
    try:
        return "~/" + Path(path).relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


class PathPicker(QWidget):
    """A folder path: type it or pick it with Browse…."""

    changed = Signal(str)

    def __init__(self, path: Path | str = "", dialog_title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit(home_relative(path))
        self.line.setCursorPosition(0)
        self.browse = QPushButton(self.tr("Browse…"))
        self._dialog_title = dialog_title or self.tr("Choose a folder")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line, 1)
        row.addWidget(self.browse)
        self.setFocusProxy(self.line)
        self.line.textChanged.connect(self.changed)
        self.browse.clicked.connect(self._browse)

    def path(self) -> str:
        """The chosen folder with ``~`` expanded; empty when nothing is typed."""
        text = self.line.text().strip()
        return str(Path(text).expanduser()) if text else ""

    def set_path(self, path: Path | str) -> None:
        self.line.setText(home_relative(path))
        self.line.setCursorPosition(0)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self._dialog_title, self.path() or str(Path.home()))
        if chosen:
            self.set_path(chosen)


class StatusLine(QWidget):
    """Progress, success or an error for one action, in one place under its buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumHeight(10)
        self.bar.setTextVisible(False)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.bar)
        column.addWidget(self.label)
        self.clear()

    def busy(self, text: str, done: int = 0, total: int = 0) -> None:
        self.show()
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self.bar.show()
        self._say(text, "")

    def success(self, text: str) -> None:
        self.bar.hide()
        self._say("✔ " + text, OK_COLOR)

    def error(self, error: MemtrayError) -> None:
        self.bar.hide()
        self._say(f"<b>{_escape(error.title)}</b><br>{_escape(error.message)}", ERROR_COLOR)

    def clear(self) -> None:
        self.bar.hide()
        self.label.clear()
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def _say(self, text: str, color: str) -> None:
        self.label.setText(text)
        self.label.setStyleSheet(f"color: {color};" if color else "")
        self.show()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def ask_confirmation(parent: QWidget, title: str, text: str, action: str, on_yes: Callable[[], None]) -> QMessageBox:
    """Open a Yes/Cancel question without blocking; ``on_yes`` runs if the person agrees."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def finished() -> None:
        if box.clickedButton() is yes:
            on_yes()

    box.finished.connect(finished)
    box.open()
    return box
