"""Claude Code's folder naming rule, checked against the names Claude Code really makes."""

from __future__ import annotations

import pytest

from memtray.projects.claude_names import NameIndex, claude_dir_name, is_claude_name, names_path


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/Users/alice/code/webapp", "-Users-alice-code-webapp"),
        ("/home/alice.smith/code/my_project", "-home-alice-smith-code-my-project"),
        ("/Users/me/.agents", "-Users-me--agents"),
        ("/Users/me/proj/.worktrees/2573", "-Users-me-proj--worktrees-2573"),
        ("C:\\Users\\a\\x", "C--Users-a-x"),
        ("c:\\git\\cc-plus", "c--git-cc-plus"),
        ("\\\\server\\share\\repo", "--server-share-repo"),
        ("/mnt/c/Users/alice/webapp", "-mnt-c-Users-alice-webapp"),
        ("C:\\Users\\alice\\OneDrive\\文档\\some project", "C--Users-alice-OneDrive----some-project"),
        ("/Users/alice/café", "-Users-alice-caf-"),
        ("/Users/alice/rocket🚀", "-Users-alice-rocket--"),
        ("/a b/c+d(e)", "-a-b-c-d-e-"),
    ],
)
def test_claude_naming_rule(path: str, name: str) -> None:
    assert claude_dir_name(path) == name
    assert is_claude_name(name)
    assert names_path(name, path)


def test_names_over_200_characters_are_never_computed() -> None:
    exactly = "/" + "a" * 199
    assert claude_dir_name(exactly) == "-" + "a" * 199
    longer = "/" + "a" * 200
    assert claude_dir_name(longer) is None
    assert claude_dir_name("") is None


def test_a_hash_suffixed_folder_is_recognised_but_not_made() -> None:
    path = "/home/alice/" + "very-long-folder-name/" * 12 + "webapp"
    assert claude_dir_name(path) is None
    stem = path.replace("/", "-")[:200]
    assert names_path(f"{stem}-1x9k2q", path)
    assert NameIndex([f"{stem}-1x9k2q", f"{stem}-Other", "-home-alice"]).names_for(path) == [f"{stem}-1x9k2q"]
    assert not names_path(f"{stem}-1X9K", path)
    assert not names_path(stem, path)
    assert not names_path(f"{stem[:-1]}b-1x9k2q", path)
    assert not names_path("-home-alice-webapp-1x9k2q", "/home/alice/webapp")


def test_folders_from_older_claude_versions_still_match() -> None:
    assert names_path("-Users-alice-my_project", "/Users/alice/my_project")
    assert not names_path("-Users-alice-other", "/Users/alice/my_project")


@pytest.mark.parametrize("name", ["git=github.com+a+b", "home=code", "a_b", "a.b", "", "ü"])
def test_only_letters_digits_and_dashes_are_claude_names(name: str) -> None:
    assert not is_claude_name(name)
