"""Fields for passphrases and keys: hidden as dots with a Show/Hide button, and a new passphrase with its strength.

``PasswordField`` is a ``QLineEdit`` whose Show/Hide button sits inside it, right after it in the Tab
order (Space or Enter presses it), so every passphrase field can be checked by mouse or keyboard.
``NewPassphraseBox`` asks for a new passphrase twice and rates it in plain words with zxcvbn
(``memtray.strength``); it is valid only when the passphrase is acceptable there and typed the same twice.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QProgressBar, QStyle, QToolButton, QWidget

from memtray.strength import MAX_SCORE, MIN_LENGTH, MIN_SCORE, Strength, estimate

SCORE_COLORS = ("#b3261e", "#b3261e", "#c75a00", "#3d8b37", "#1b7f3b")
REFUSED_COLOR, ACCEPTED_COLOR = SCORE_COLORS[0], SCORE_COLORS[MAX_SCORE]

FEEDBACK_CONTEXT = "PassphraseFeedback"
ZXCVBN_FEEDBACK = frozenset(
    {
        # zxcvbn's own sentences, listed so that pyside6-lupdate offers them for translation.
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Use a few words, avoid common phrases."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "No need for symbols, digits, or uppercase letters."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Add another word or two. Uncommon words are better."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Straight rows of keys are easy to guess."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Short keyboard patterns are easy to guess."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Use a longer keyboard pattern with more turns."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", 'Repeats like "aaa" are easy to guess.'),
        QT_TRANSLATE_NOOP(
            "PassphraseFeedback", 'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'
        ),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Avoid repeated words and characters."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", 'Sequences like "abc" or "6543" are easy to guess.'),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Avoid sequences."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Recent years are easy to guess."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Avoid recent years."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Avoid years that are associated with you."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Dates are often easy to guess."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Avoid dates and years that are associated with you."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "This is a top-10 common password."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "This is a top-100 common password."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "This is a very common password."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "This is similar to a commonly used password."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "A word by itself is easy to guess."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Names and surnames by themselves are easy to guess."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Common names and surnames are easy to guess."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Capitalization doesn't help very much."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "All-uppercase is almost as easy to guess as all-lowercase."),
        QT_TRANSLATE_NOOP("PassphraseFeedback", "Reversed words aren't much harder to guess."),
        QT_TRANSLATE_NOOP(
            "PassphraseFeedback", "Predictable substitutions like '@' instead of 'a' don't help very much."
        ),
    }
)


def _t(text: str) -> str:
    return QCoreApplication.translate("NewPassphraseBox", text)


def rating(score: int) -> str:
    """The plain word for a zxcvbn score."""
    words = (_t("Very weak"), _t("Weak"), _t("Not strong enough yet"), _t("Good"), _t("Strong"))
    return words[max(0, min(score, MAX_SCORE))]


def advice(strength: Strength) -> str:
    """zxcvbn's warning and its first suggestion, translated where a translation exists."""
    texts = [strength.warning, *strength.suggestions[:1]]
    return " ".join(
        QCoreApplication.translate(FEEDBACK_CONTEXT, text) if text in ZXCVBN_FEEDBACK else text
        for text in texts
        if text
    )


class PasswordField(QLineEdit):
    """A line whose text shows as dots until its Show button (inside it, reachable with Tab) is pressed."""

    revealed_changed = Signal(bool)

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setPlaceholderText(placeholder)
        self.toggle = QToolButton(self)
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setCursor(Qt.CursorShape.ArrowCursor)
        self.toggle.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.toggle.toggled.connect(self._apply)
        self._apply(False)

    def is_revealed(self) -> bool:
        return self.echoMode() == QLineEdit.EchoMode.Normal

    def set_revealed(self, revealed: bool) -> None:
        self.toggle.setChecked(revealed)

    def forget(self) -> None:
        """Clear the text and hide it again (once it has been used)."""
        self.clear()
        self.set_revealed(False)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_toggle()

    def _apply(self, revealed: bool) -> None:
        self.setEchoMode(QLineEdit.EchoMode.Normal if revealed else QLineEdit.EchoMode.Password)
        self.toggle.setText(self.tr("Hide") if revealed else self.tr("Show"))
        spoken = self.tr("Hide what you typed") if revealed else self.tr("Show what you typed")
        self.toggle.setToolTip(spoken)
        self.toggle.setAccessibleName(spoken)
        self._place_toggle()
        self.revealed_changed.emit(revealed)

    def _place_toggle(self) -> None:
        frame = self.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, self)
        height = max(0, self.height() - 2 * frame)
        width = self.toggle.sizeHint().width()
        self.toggle.setGeometry(self.width() - frame - width, frame, width, height)
        self.setTextMargins(0, 0, width, 0)


class NewPassphraseBox(QWidget):
    """A new passphrase typed twice, with a strength meter, a plain verdict and zxcvbn's advice."""

    validity_changed = Signal(bool)

    def __init__(self, label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = PasswordField(self.tr("At least {n} characters").format(n=MIN_LENGTH))
        self.second = PasswordField()
        self.meter = QProgressBar()
        self.meter.setRange(0, MAX_SCORE)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(8)
        self.meter.setAccessibleName(self.tr("Passphrase strength"))
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setStyleSheet("color: palette(placeholder-text);")
        self.form = QFormLayout(self)
        form = self.form
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(label or self.tr("&Passphrase:"), self.first)
        form.addRow("", self.meter)
        form.addRow("", self.verdict)
        form.addRow("", self.advice)
        form.addRow(self.tr("&Type it again:"), self.second)
        for line in (self.first, self.second):
            line.textChanged.connect(self._update)
        self.first.revealed_changed.connect(self.second.set_revealed)
        self.second.revealed_changed.connect(self.first.set_revealed)
        self._valid = False
        self.strength = estimate("")
        self._estimated = ""
        self._update()

    def passphrase(self) -> str:
        return self.first.text()

    def insert_row(self, row: int, label: str, field: QWidget) -> None:
        """Add a row of the caller's (e.g. the current passphrase) so all labels line up."""
        self.form.insertRow(row, label, field)

    def is_valid(self) -> bool:
        return self._valid

    def clear(self) -> None:
        self.first.forget()
        self.second.forget()

    def _update(self) -> None:
        first, second = self.first.text(), self.second.text()
        if first != self._estimated:
            self.strength, self._estimated = estimate(first), first
        strength = self.strength
        self.meter.setValue(strength.score if first else 0)
        self.meter.setStyleSheet(f"QProgressBar::chunk {{ background: {SCORE_COLORS[strength.score]}; }}")
        if not first:
            text, color = self.tr("Pick something long you can remember, like four random words."), ""
        elif strength.too_short:
            text, color = self.tr("Too short — use at least {n} characters.").format(n=MIN_LENGTH), REFUSED_COLOR
        elif not strength.acceptable:
            text = self.tr("{rating} — too easy to guess. memtray needs at least “{good}”.")
            text, color = text.format(rating=rating(strength.score), good=rating(MIN_SCORE)), REFUSED_COLOR
        elif second and first != second:
            text, color = self.tr("The two passphrases are not the same yet."), REFUSED_COLOR
        else:
            text, color = self.tr("Strength: {rating}").format(rating=rating(strength.score)), ACCEPTED_COLOR
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"color: {color};" if color else "")
        self.advice.setText(advice(strength) if first and not strength.acceptable else "")
        self.advice.setVisible(bool(self.advice.text()))
        valid = strength.acceptable and first == second
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
