"""Finding checkouts in the home folder: only real matches, only one place, within its bounds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from memtray.projects.identify import identity_of
from memtray.projects.identity import ProjectIdentity
from memtray.projects.search import find_checkouts
from tests.support.claude_home import bare_remote, clone, git, worktree


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return bare_remote(tmp_path / "remotes", "webapp")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    place = tmp_path / "home" / "alice"
    place.mkdir(parents=True)
    return place


def test_a_clone_is_found_at_its_main_checkout(remote: Path, home: Path) -> None:
    checkout = clone(remote, home / "a" / "b" / "c" / "webapp")
    (checkout / "packages" / "api").mkdir(parents=True)
    worktree(checkout, home / "a" / "feature", "feature")
    root = identity_of(checkout, home)
    api = ProjectIdentity("git", root.value, "packages/api")
    missing = ProjectIdentity("git", root.value, "packages/gone")
    other = ProjectIdentity("git", "github.com/alice/other")
    assert find_checkouts([root, api, missing, other], home) == {root.key: checkout, api.key: checkout / "packages/api"}


def test_hidden_skipped_and_too_deep_folders_are_not_searched(remote: Path, home: Path) -> None:
    identity = identity_of(clone(remote, home / "x" / "webapp"), home)
    git("remote", "set-url", "origin", "https://example.org/elsewhere", cwd=home / "x" / "webapp")
    for place in (
        home / ".cache" / "webapp",
        home / "node_modules" / "webapp",
        home / "Library" / "webapp",
        home / "a" / "b" / "c" / "d" / "webapp",
    ):
        clone(remote, place)
    assert find_checkouts([identity], home) == {}
    assert find_checkouts([identity], home, max_depth=5) == {identity.key: home / "a" / "b" / "c" / "d" / "webapp"}


def test_two_clones_are_left_to_the_person(remote: Path, home: Path) -> None:
    first = clone(remote, home / "code" / "webapp")
    clone(remote, home / "old" / "webapp")
    assert find_checkouts([identity_of(first, home)], home) == {}


def test_a_home_folder_that_is_itself_a_repository_is_still_searched(tmp_path: Path, remote: Path, home: Path) -> None:
    git("init", "--initial-branch=main", cwd=home)
    git("remote", "add", "origin", "git@github.com:alice/dotfiles.git", cwd=home)
    checkout = clone(remote, home / "code" / "webapp")
    identity = identity_of(checkout, home)
    dotfiles = ProjectIdentity("git", "github.com/alice/dotfiles")
    assert find_checkouts([identity, dotfiles], home) == {identity.key: checkout, dotfiles.key: home}


def test_home_relative_projects_are_found_where_they_should_be(home: Path) -> None:
    (home / "code" / "notes").mkdir(parents=True)
    present, absent = ProjectIdentity("home", "code/notes"), ProjectIdentity("home", "code/gone")
    claude = ProjectIdentity("claude", "-Users-alice-code-notes")
    assert find_checkouts([present, absent, claude], home) == {present.key: home / "code" / "notes"}


def test_the_search_stops_after_max_dirs(remote: Path, home: Path) -> None:
    for index in range(40):
        (home / f"folder-{index:02d}").mkdir()
    checkout = clone(remote, home / "zz" / "webapp")
    identity = identity_of(checkout, home)
    assert find_checkouts([identity], home, max_dirs=20) == {}
    assert find_checkouts([identity], home, max_dirs=60) == {identity.key: checkout}


def test_the_search_stops_after_max_seconds(remote: Path, home: Path) -> None:
    checkout = clone(remote, home / "code" / "webapp")
    identity = identity_of(checkout, home)
    assert find_checkouts([identity], home, max_seconds=0) == {}
    for index in range(300):
        (home / "many" / f"f{index}" / "a" / "b").mkdir(parents=True)
    started = time.monotonic()
    find_checkouts([identity], home, max_seconds=0.2)
    assert time.monotonic() - started < 10
