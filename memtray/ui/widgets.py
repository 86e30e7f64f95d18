"""Small widgets the settings window and the setup wizard share."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QTextOption
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from memtray.errors import MemtrayError

MIN_PASSPHRASE_LENGTH = 10
OK_COLOR = "#1b7f3b"
ERROR_COLOR = "#b3261e"


def _t(text: str) -> str:
    return QCoreApplication.translate("widgets", text)


@dataclass(frozen=True)
class Strength:
    score: int
    label: str
    acceptable: bool


def passphrase_strength(text: str) -> Strength:
    """A rough guess at how hard ``text`` is to guess: score 0–4 with a word for it."""
    pools = [
        (any(c.islower() for c in text), 26),
        (any(c.isupper() for c in text), 26),
        (any(c.isdigit() for c in text), 10),
        (any(not c.isalnum() for c in text), 33),
    ]
    pool = sum(size for present, size in pools if present) or 1
    distinct = len(set(text))
    bits = min(len(text), distinct * 2) * math.log2(pool)
    if len(text) < MIN_PASSPHRASE_LENGTH:
        return Strength(0, _t("Too short — use at least {n} characters").format(n=MIN_PASSPHRASE_LENGTH), False)
    if bits < 50:
        return Strength(1, _t("Weak — add a few more words"), False)
    if bits < 65:
        return Strength(2, _t("Fair — longer is better"), True)
    if bits < 90:
        return Strength(3, _t("Good"), True)
    return Strength(4, _t("Strong"), True)


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


def fit_columns(tree: QTreeWidget) -> None:
    """Size each column of ``tree`` to its text; the last one takes the remaining width."""
    header = tree.header()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(tree.columnCount() - 1, QHeaderView.ResizeMode.Stretch)


def select_first(tree: QTreeWidget) -> None:
    item = tree.topLevelItem(0)
    if item is not None:
        tree.setCurrentItem(item)


def password_line(placeholder: str = "") -> QLineEdit:
    line = QLineEdit()
    line.setEchoMode(QLineEdit.EchoMode.Password)
    line.setPlaceholderText(placeholder)
    return line


class NewPassphraseBox(QWidget):
    """A new passphrase typed twice, with a strength meter and a plain verdict."""

    validity_changed = Signal(bool)

    def __init__(self, label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = password_line(self.tr("At least {n} characters").format(n=MIN_PASSPHRASE_LENGTH))
        self.second = password_line()
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(8)
        self.verdict = QLabel()
        self.show_text = QCheckBox(self.tr("Show what I type"))
        self.form = QFormLayout(self)
        form = self.form
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(label or self.tr("&Passphrase:"), self.first)
        form.addRow("", self.meter)
        form.addRow(self.tr("&Type it again:"), self.second)
        form.addRow("", self.verdict)
        form.addRow("", self.show_text)
        for line in (self.first, self.second):
            line.textChanged.connect(self._update)
        self.show_text.toggled.connect(self._toggle_echo)
        self._valid = False
        self._update()

    def passphrase(self) -> str:
        return self.first.text()

    def insert_row(self, row: int, label: str, field: QWidget) -> None:
        """Add a row of the caller's (e.g. the current passphrase) so all labels line up."""
        self.form.insertRow(row, label, field)

    def is_valid(self) -> bool:
        return self._valid

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()

    def _toggle_echo(self, visible: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if visible else QLineEdit.EchoMode.Password
        self.first.setEchoMode(mode)
        self.second.setEchoMode(mode)

    def _update(self) -> None:
        strength = passphrase_strength(self.first.text())
        self.meter.setValue(strength.score)
        colors = ("#b3261e", "#c75a00", "#b08900", "#3d8b37", "#1b7f3b")
        self.meter.setStyleSheet(f"QProgressBar::chunk {{ background: {colors[strength.score]}; }}")
        matches = self.first.text() == self.second.text()
        if not self.first.text():
            text, color = self.tr("Pick something long you can remember, like four random words."), ""
        elif not strength.acceptable:
            text, color = strength.label, ERROR_COLOR
        elif self.second.text() and not matches:
            text, color = self.tr("The two passphrases are not the same yet."), ERROR_COLOR
        else:
            text, color = self.tr("Strength: {label}").format(label=strength.label), OK_COLOR
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"color: {color};" if color else "")
        valid = strength.acceptable and matches
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)


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


class SecretBox(QWidget):
    """A secret shown once (recovery key, setup code) with Copy and Save to file…."""

    saved = Signal(str)

    def __init__(self, file_name: str, lines: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._file_name = file_name
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        fixed.setPointSizeF(fixed.pointSizeF() * 1.15)
        self.text.setFont(fixed)
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * lines + 14)
        self.text.setTabChangesFocus(True)
        self.copy_button = QPushButton(self.tr("&Copy"))
        self.save_button = QPushButton(self.tr("&Save to file…"))
        self.note = QLabel()
        self.note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.text)
        column.addLayout(buttons)
        column.addWidget(self.note)
        self.copy_button.clicked.connect(self.copy)
        self.save_button.clicked.connect(self._ask_where_to_save)

    def set_secret(self, secret: str) -> None:
        self.text.setPlainText(secret)
        self.note.clear()

    def secret(self) -> str:
        return self.text.toPlainText()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.secret())
        self.note.setText(self.tr("Copied."))

    def save_to(self, path: str) -> None:
        """Write the secret to ``path``; errors are shown next to the buttons."""
        try:
            Path(path).touch(mode=0o600)  # a new file holding a secret is readable by its owner only
            Path(path).write_text(self.secret() + "\n", encoding="utf-8")
        except OSError as exc:
            self.note.setText(self.tr("Could not save: {reason}").format(reason=exc.strerror or exc))
            return
        self.note.setText(self.tr("Saved to {path}").format(path=home_relative(path)))
        self.saved.emit(path)

    def _ask_where_to_save(self) -> None:
        suggested = str(Path.home() / self._file_name)
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save"), suggested, self.tr("Text files (*.txt)"))
        if path:
            self.save_to(path)


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
