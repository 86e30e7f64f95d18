"""How hard a new passphrase is to guess, estimated with zxcvbn, and whether memtray accepts it.

zxcvbn counts the guesses an attacker who knows common passwords, words, names, keyboard rows, dates
and substitutions would need, and scores them 0–4. memtray asks for at least ``MIN_LENGTH`` characters
and a score of ``MIN_SCORE`` ("Good": about 10^8 guesses or more), because the key file on the storage
can be attacked offline, slowed down only by Argon2id. The words shown for each score live in the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_LENGTH = 10
MIN_SCORE = 3
MAX_SCORE = 4
ESTIMATED_LENGTH = 72
"""zxcvbn refuses longer input; a passphrase is at least as hard to guess as its first 72 characters."""

_KNOWN_TO_ATTACKERS = ("memtray",)


@dataclass(frozen=True)
class Strength:
    """``score`` 0–4; ``warning`` and ``suggestions`` are zxcvbn's English feedback (possibly empty)."""

    score: int
    too_short: bool
    warning: str
    suggestions: tuple[str, ...]

    @property
    def acceptable(self) -> bool:
        return not self.too_short and self.score >= MIN_SCORE


def estimate(passphrase: str) -> Strength:
    """The strength of ``passphrase``; the empty string scores 0 and is too short."""
    if not passphrase:
        return Strength(0, True, "", ())
    from zxcvbn import zxcvbn  # its word lists take ~0.1 s to load: not while the tray icon is starting

    result = zxcvbn(passphrase[:ESTIMATED_LENGTH], user_inputs=list(_KNOWN_TO_ATTACKERS))
    feedback = result["feedback"]
    return Strength(
        score=int(result["score"]),
        too_short=len(passphrase) < MIN_LENGTH,
        warning=str(feedback.get("warning") or ""),
        suggestions=tuple(str(text) for text in feedback.get("suggestions") or ()),
    )
