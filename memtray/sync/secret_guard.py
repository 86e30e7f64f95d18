"""The secret guard's detectors: does a file hold an API key, a token or a private key, and on which line.

Two detectors look at a file's content (held.py decides which content, and what happens to a file with a finding):

- memtray's own patterns, for the keys people paste into agent memory most often: Anthropic (``sk-ant-…``),
  OpenAI (``sk-…``, ``sk-proj-…``), GitHub (``ghp_``, ``gho_``, ``ghu_``, ``ghs_``, ``ghr_``, ``github_pat_``),
  AWS access key ids (``AKIA…``, ``ASIA…``) and a secret key written after an AWS secret key's name, Slack tokens
  (``xoxb-…`` and the like) and webhook addresses, and private-key blocks (a ``BEGIN … PRIVATE KEY`` line followed
  by the key itself, not a mere mention of the line). They run on all of every file, text or not.
- detect-secrets' detectors for other key formats (Stripe, Twilio, SendGrid, Mailchimp, npm, PyPI, GitLab, Azure
  storage, Square, JWTs), on text files up to ``DETECTOR_MAX`` bytes. A detector runs only on a text that holds what
  every key it finds holds (``_DETECTED``), and the package is imported only when a text does. Each detector first
  looks at the whole text, and only a text it finds something in is looked at line by line. Of its default detectors,
  left out because they flag ordinary memory notes (measured on 558 Markdown files of 305,000 lines and on
  hand-written CLAUDE.md notes): both high-entropy detectors (commit ids, checksums, integrity hashes), the keyword
  detector (``password: "changeme"`` in a note on the dev setup), basic-auth URLs
  (``postgres://postgres:postgres@localhost``), public IP addresses, and the private-key detector, which flags a mere
  mention of a ``BEGIN … PRIVATE KEY`` line. Left out because memtray's own patterns cover them: AWS, GitHub, OpenAI
  and Slack. Left out because they cost far more than the rest together (2 to 5 s for 10,000 notes of 2 KB, where all
  the others take 0.3 s) for keys rarely seen in agent memory: Artifactory, Cloudant, IBM Cloud, IBM COS, SoftLayer,
  Discord and Telegram.

A finding is a line number and what was found, in plain words: never the secret itself.

Most notes hold no key, so many texts are first looked at together (``could_hold_a_key``): joined, with a line
holding a NUL byte between them, both detectors run once over up to ``GROUP_BYTES``. Every key found in one text is
found in the joined texts too, and a match that spans two texts only makes each be looked at on its own; a group
in which nothing is found is clean, at a tenth of the cost of looking at each of its texts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

DETECTOR_MAX = 2 * 1024 * 1024
BINARY_SNIFF = 8192
GROUP_BYTES = 1024 * 1024
_BETWEEN_TEXTS = b"\n\x00\n"

_KEY_BODY = rb"(?:\s|\\[rn])*(?:[A-Za-z-]+:[^\n]*(?:\s|\\[rn])+)*[A-Za-z0-9+/=]{40}"
# Each pattern starts with its literal text, which the regular expression engine finds fast. A token's match
# (True) does not count when it continues a longer word (``mask-ant-…``, ``XAKIA…``): see ``_starts_a_word``.
_PATTERNS: tuple[tuple[str, re.Pattern[bytes], bool], ...] = (
    ("an Anthropic API key", re.compile(rb"sk-ant-[a-z]+\d{2}-[\w-]{20,}"), True),
    ("an OpenAI API key", re.compile(rb"sk-(?:(?:proj|svcacct|admin)-[\w-]{20,}|[A-Za-z0-9]{32,}(?![\w-]))"), True),
    ("a GitHub token", re.compile(rb"gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,}"), True),
    ("an AWS access key", re.compile(rb"A(?:KIA|SIA)[A-Z0-9]{16}(?![A-Z0-9])"), True),
    (
        "an AWS secret key",
        re.compile(
            rb"(?i:aws)[\w. -]{0,20}(?i:secret)[\w. -]{0,20}[\"'`]?\s*[:=]{1,2}>?\s*[\"'`]?"
            rb"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"
        ),
        False,
    ),
    ("a Slack token", re.compile(rb"xox[abprs]-[A-Za-z0-9-]{10,}"), True),
    (
        "a Slack webhook address",
        re.compile(rb"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{20,}"),
        False,
    ),
    ("a private key", re.compile(rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----" + _KEY_BODY), False),
)
# A pattern whose first letters can be of any case is tried only on a text holding one of these spellings.
_SPELLINGS = {"an AWS secret key": (b"aws", b"AWS", b"Aws")}
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

# For each detect-secrets detector memtray uses: what it finds, in plain words, and what every key it finds holds:
# one or more patterns, each starting with a literal text (GitLab and Twilio keys start in several ways), which the
# regular expression engine finds fast (one pattern with alternatives at its start costs five to ten times more). A
# text matching none of them is not searched at length, and detect-secrets (0.2 s to load, as it loads requests) is
# not loaded at all for texts that hold none of them.
_DETECTED = {
    "AzureStorageKeyDetector": ("an Azure storage key", (re.escape("AccountKey="),)),
    "GitLabTokenDetector": ("a GitLab token", (r"gl[a-z]{2,5}-", "GR1348941")),
    "JwtTokenDetector": ("a sign-in token (JWT)", ("eyJ",)),
    "MailchimpDetector": ("a Mailchimp key", ("-us",)),
    "NpmDetector": ("an npm token", ("_authToken",)),
    "PypiTokenDetector": ("a PyPI token", ("pypi-",)),
    "SendGridDetector": ("a SendGrid key", (re.escape("SG."),)),
    "SquareOAuthDetector": ("a Square secret", ("sq0csp-",)),
    "StripeDetector": ("a Stripe key", ("_live_",)),
    "TwilioKeyDetector": ("a Twilio key", ("AC[a-z0-9]{32}", "SK[a-z0-9]{32}")),
}
_NEEDS = {name: tuple(re.compile(pattern) for pattern in holds) for name, (_, holds) in _DETECTED.items()}


def _holds_what_it_needs(name: str, text: str) -> bool:
    return any(needs.search(text) for needs in _NEEDS[name])


@dataclass(frozen=True)
class Finding:
    line: int
    kind: str
    """What was found, in plain words ("an Anthropic API key")."""


def first_finding(data: bytes, already_on_hub: frozenset[bytes] = frozenset()) -> Finding | None:
    """The first line of ``data`` that holds a secret, skipping lines that are in ``already_on_hub`` (lines of
    texts the hub already has, compared without their line ending); None if there is none."""
    if already_on_hub:
        data = b"\n".join(b"" if line.rstrip(b"\r") in already_on_hub else line for line in data.split(b"\n"))
    by_pattern = _by_pattern(data)
    by_detector = _by_detector(data, before_line=by_pattern.line if by_pattern else None)
    return by_detector or by_pattern


def could_hold_a_key(texts: Sequence[bytes]) -> list[bool]:
    """For each text, False when it certainly holds no key that ``first_finding`` would find; True when
    ``first_finding`` must look at it (see the module's docstring)."""
    verdicts = [True] * len(texts)
    group: list[int] = []
    size = 0
    for number, text in enumerate(texts):
        if len(text) > GROUP_BYTES:
            continue
        if size + len(text) > GROUP_BYTES:
            _settle(texts, group, verdicts)
            group, size = [], 0
        group.append(number)
        size += len(text) + len(_BETWEEN_TEXTS)
    _settle(texts, group, verdicts)
    return verdicts


def _settle(texts: Sequence[bytes], group: list[int], verdicts: list[bool]) -> None:
    if group and not _finds_anything(_BETWEEN_TEXTS.join(texts[number] for number in group)):
        for number in group:
            verdicts[number] = False


def _finds_anything(data: bytes) -> bool:
    """Whether either detector finds anything at all in ``data`` (undecodable text: it cannot tell)."""
    if _by_pattern(data) is not None:
        return True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return any(_holds_what_it_needs(name, text) and _finds(_detector(name), text) for name in _NEEDS)


def _by_pattern(data: bytes) -> Finding | None:
    found = []
    for kind, pattern, token in _PATTERNS:
        if kind in _SPELLINGS and not any(spelling in data for spelling in _SPELLINGS[kind]):
            continue
        matches = (match.start() for match in pattern.finditer(data) if not token or _starts_a_word(data, match))
        start = next(matches, None)
        if start is not None:
            found.append((start, kind))
    if not found:
        return None
    start, kind = min(found)
    return Finding(data.count(b"\n", 0, start) + 1, kind)


def _starts_a_word(data: bytes, match: re.Match[bytes]) -> bool:
    return match.start() == 0 or data[match.start() - 1] not in _WORD_BYTES


def _by_detector(data: bytes, before_line: int | None) -> Finding | None:
    """The first finding of detect-secrets' detectors on a line before ``before_line``."""
    if len(data) > DETECTOR_MAX or b"\x00" in data[:BINARY_SNIFF]:
        return None
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return None
    lines = lines[: before_line - 1] if before_line else lines
    text = "\n".join(lines)
    if not text.strip():
        return None
    first: Finding | None = None
    for name in _NEEDS:
        if not _holds_what_it_needs(name, text) or not _finds(detector := _detector(name), text):
            continue
        searched = lines[: first.line - 1] if first else lines
        number = next((number for number, line in enumerate(searched, start=1) if _finds(detector, line)), None)
        if number is not None:
            first = Finding(number, _DETECTED[name][0])
    return first


def _finds(detector: Any, text: str) -> bool:
    """Whether ``detector`` finds a key in ``text``, less detect-secrets' own filters for strings that only look
    like keys (``ABCDEF…`` runs, UUIDs). A detector whose pattern has one optional group gives that group, empty
    when it is left out (a GitLab CI build token ``glcbt-…`` without its ``xx_`` part): the key was found all the
    same."""
    from detect_secrets.filters.heuristic import is_potential_uuid, is_sequential_string

    return any(
        found == "" or (not is_sequential_string(found) and not is_potential_uuid(found))
        for found in detector.analyze_string(text)
    )


_loaded: dict[str, Any] = {}
_loading = threading.Lock()


def _detector(name: str) -> Any:
    """The detect-secrets detector of that class name, all of them made once (imported by name, so a frozen app
    carries them)."""
    with _loading:
        if not _loaded:
            _loaded.update((detector.__name__, detector()) for detector in _detector_classes())
    return _loaded[name]


def _detector_classes() -> Iterator[type]:
    from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.mailchimp import MailchimpDetector
    from detect_secrets.plugins.npm import NpmDetector
    from detect_secrets.plugins.pypi_token import PypiTokenDetector
    from detect_secrets.plugins.sendgrid import SendGridDetector
    from detect_secrets.plugins.square_oauth import SquareOAuthDetector
    from detect_secrets.plugins.stripe import StripeDetector
    from detect_secrets.plugins.twilio import TwilioKeyDetector

    yield from (
        AzureStorageKeyDetector,
        GitLabTokenDetector,
        JwtTokenDetector,
        MailchimpDetector,
        NpmDetector,
        PypiTokenDetector,
        SendGridDetector,
        SquareOAuthDetector,
        StripeDetector,
        TwilioKeyDetector,
    )
