"""Identity keys: one path component that any OS can hold, reversible, never a Claude folder name."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memtray.projects.claude_names import is_claude_name
from memtray.projects.identity import MAX_KEY_LENGTH, ProjectIdentity

WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.IGNORECASE)

part = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="/\\\0"), min_size=1, max_size=20
).filter(lambda text: text not in (".", ".."))
relative_path = st.lists(part, min_size=1, max_size=5).map("/".join)
identities = st.one_of(
    st.builds(ProjectIdentity, st.just("git"), relative_path, st.one_of(st.just(""), relative_path)),
    st.builds(ProjectIdentity, st.just("home"), st.one_of(st.just(""), relative_path)),
    st.builds(ProjectIdentity, st.just("claude"), part),
    st.builds(ProjectIdentity, st.just("claude"), st.from_regex(r"[A-Za-z0-9-]{1,214}", fullmatch=True)),
)


def assert_valid_file_name(key: str) -> None:
    assert 0 < len(key) <= MAX_KEY_LENGTH
    assert not WINDOWS_FORBIDDEN.search(key), key
    assert not WINDOWS_RESERVED.match(key), key
    assert not key.endswith((".", " ")), key
    assert key not in (".", "..")


@given(identities)
def test_keys_round_trip_and_are_file_names(identity: ProjectIdentity) -> None:
    key = identity.key
    assert_valid_file_name(key)
    if key.startswith("sha256="):
        assert ProjectIdentity.from_key(key) is None
    else:
        assert ProjectIdentity.from_key(key) == identity


@given(identities)
def test_only_a_claude_folder_name_has_a_claude_name_as_key(identity: ProjectIdentity) -> None:
    if is_claude_name(identity.key):
        assert identity.kind == "claude"
        assert identity.key == identity.value


@given(identities, identities)
def test_different_identities_have_different_keys(first: ProjectIdentity, second: ProjectIdentity) -> None:
    if first != second:
        assert first.key != second.key


@pytest.mark.parametrize(
    ("identity", "key", "name", "described"),
    [
        (
            ProjectIdentity("git", "github.com/alice/webapp"),
            "git=github.com+alice+webapp",
            "webapp",
            "github.com/alice/webapp",
        ),
        (
            ProjectIdentity("git", "github.com/alice/mono", "packages/api"),
            "git=github.com+alice+mono=packages+api",
            "api",
            "github.com/alice/mono › packages/api",
        ),
        (ProjectIdentity("home", "code/scratch"), "home=code+scratch", "scratch", "~/code/scratch"),
        (ProjectIdentity("home", ""), "home=", "~", "~"),
        (ProjectIdentity("home", "notes/v1."), "home=notes+v1%2E", "v1.", "~/notes/v1."),
        (
            ProjectIdentity("home", "Mes Documents/été"),
            "home=Mes%20Documents+%C3%A9t%C3%A9",
            "été",
            "~/Mes Documents/été",
        ),
        (
            ProjectIdentity("claude", "-Users-alice-notes"),
            "-Users-alice-notes",
            "-Users-alice-notes",
            "-Users-alice-notes",
        ),
        (
            ProjectIdentity("claude", "git=github.com+x"),
            "claude=git%3Dgithub.com%2Bx",
            "git=github.com+x",
            "git=github.com+x",
        ),
        (ProjectIdentity("git", "file/c:/repos/x"), "git=file+c%3A+repos+x", "x", "file/c:/repos/x"),
    ],
)
def test_keys_names_and_descriptions(identity: ProjectIdentity, key: str, name: str, described: str) -> None:
    assert identity.key == key
    assert identity.name == name
    assert identity.describe() == described
    assert ProjectIdentity.from_key(key) == identity


def test_a_too_long_identity_gets_a_digest_key() -> None:
    identity = ProjectIdentity("home", "/".join(["folder-name"] * 30))
    assert identity.key.startswith("sha256=") and len(identity.key) <= MAX_KEY_LENGTH
    assert ProjectIdentity.from_key(identity.key) is None
    assert ProjectIdentity("home", "/".join(["folder-name"] * 31)).key != identity.key


@pytest.mark.parametrize(
    "key",
    [
        "git=",
        "git=a+%2",
        "git=a+%2e",
        "git=a+%zz",
        "git=a/b",
        "git=a++b",
        "git=a=b=c",
        "home=..",
        "home=a+..+b",
        "unknown=x",
        "home=a%2F",
        "home=%FF",
        "claude=-plain-name",
        "home=a.",
        "sha256=00",
        "=x",
        "claude=",
    ],
)
def test_keys_that_no_identity_makes_are_refused(key: str) -> None:
    assert ProjectIdentity.from_key(key) is None


@pytest.mark.parametrize(
    ("kind", "value", "subdir"),
    [
        ("nope", "x", ""),
        ("git", "", ""),
        ("git", "a/../b", ""),
        ("git", "/abs", ""),
        ("home", "a\\b", ""),
        ("home", "x", "sub"),
        ("claude", "a/b", ""),
        ("claude", "..", ""),
        ("git", "a/b", "x//y"),
    ],
)
def test_impossible_identities_are_refused(kind: str, value: str, subdir: str) -> None:
    with pytest.raises(ValueError):
        ProjectIdentity(kind, value, subdir)
