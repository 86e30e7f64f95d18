"""Recovery key text: shape, tolerant parsing, checksum."""

from __future__ import annotations

import re

import pytest

from memtray.errors import PassphraseError
from memtray.vault.recovery import format_recovery_key, new_recovery_key, parse_recovery_key

RAW = bytes.fromhex("00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210")


def test_new_keys_are_32_random_bytes() -> None:
    first, second = new_recovery_key(), new_recovery_key()
    assert len(first) == 32
    assert first != second


def test_format_is_14_upper_case_groups_of_4() -> None:
    text = format_recovery_key(RAW)
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){13}", text)


def test_round_trip() -> None:
    raw = new_recovery_key()
    assert parse_recovery_key(format_recovery_key(raw)) == raw


def test_format_rejects_wrong_length() -> None:
    with pytest.raises(ValueError):
        format_recovery_key(RAW[:31])


def test_parsing_forgives_case_spaces_and_look_alikes() -> None:
    text = format_recovery_key(RAW)
    assert {"O", "I", "B"} & set(text)
    sloppy = text.lower().replace("-", " ").replace("o", "0").replace("i", "1").replace("b", "8")
    assert sloppy != text
    assert parse_recovery_key(f"  {sloppy}\n") == RAW
    assert parse_recovery_key(text.replace("-", "")) == RAW


def test_checksum_catches_every_single_character_change() -> None:
    text = format_recovery_key(RAW)
    for index, char in enumerate(text):
        if char == "-":
            continue
        changed = text[:index] + ("A" if char != "A" else "B") + text[index + 1 :]
        with pytest.raises(PassphraseError):
            parse_recovery_key(changed)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-5],
        lambda t: t + "-AAAA",
        lambda t: t[:-1] + "9",
        lambda t: t[:-1] + "!",
        lambda t: "",
    ],
)
def test_wrong_length_or_characters_are_refused_without_echoing_the_key(mangle) -> None:
    text = mangle(format_recovery_key(RAW))
    with pytest.raises(PassphraseError) as caught:
        parse_recovery_key(text)
    message = str(caught.value)
    assert message == "That recovery key is not valid. Check it for typos; it has 14 groups of 4 letters and digits."
    assert format_recovery_key(RAW)[:9] not in message
