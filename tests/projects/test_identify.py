"""Which project a folder is: by remote, else by its place in the home folder, else by Claude's name for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from memtray.errors import UsageError
from memtray.projects.identify import identity_of
from memtray.projects.identity import ProjectIdentity
from tests.support.claude_home import bare_remote, clone, git, repository_without_remote, worktree


def test_the_same_repository_is_the_same_project_on_two_laptops(tmp_path: Path) -> None:
    remote = bare_remote(tmp_path / "remotes", "webapp")
    mac, linux = tmp_path / "Users" / "alice", tmp_path / "home" / "alice.smith"
    on_mac = clone(remote, mac / "code" / "webapp")
    on_linux = clone(remote, linux / "src" / "checkouts" / "web")
    (on_mac / "packages" / "api").mkdir(parents=True)
    (on_linux / "packages" / "api").mkdir(parents=True)
    assert identity_of(on_mac, mac) == identity_of(on_linux, linux)
    assert identity_of(on_mac, mac).kind == "git"
    api = identity_of(on_mac / "packages" / "api", mac)
    assert api == identity_of(on_linux / "packages" / "api", linux)
    assert api.subdir == "packages/api" and api.key != identity_of(on_mac, mac).key


def test_two_repositories_named_api_and_a_fork_stay_apart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    acme = clone(bare_remote(tmp_path / "remotes" / "acme", "api"), home / "work" / "api")
    mine = clone(bare_remote(tmp_path / "remotes" / "alice", "api"), home / "personal" / "api")
    fork = clone(bare_remote(tmp_path / "remotes" / "bob", "api"), home / "forks" / "api")
    keys = {identity_of(place, home).key for place in (acme, mine, fork)}
    assert len(keys) == 3
    assert {identity_of(place, home).name for place in (acme, mine, fork)} == {"api"}


def test_without_a_remote_the_place_in_the_home_folder_counts(tmp_path: Path) -> None:
    mac, linux = tmp_path / "Users" / "alice", tmp_path / "home" / "alice.smith"
    notes_mac = repository_without_remote(mac / "code" / "notes")
    notes_linux = repository_without_remote(linux / "code" / "notes")
    elsewhere = repository_without_remote(linux / "old" / "notes")
    assert identity_of(notes_mac, mac) == identity_of(notes_linux, linux) == ProjectIdentity("home", "code/notes")
    assert identity_of(elsewhere, linux) != identity_of(notes_linux, linux)
    git("commit", "--allow-empty", "-m", "first", cwd=notes_linux)
    linked = worktree(notes_linux, linux / "code" / "notes-draft", "draft")
    assert identity_of(linked, linux) == ProjectIdentity("home", "code/notes")
    (mac / "scratch").mkdir()
    assert identity_of(mac / "scratch", mac) == ProjectIdentity("home", "scratch")
    assert identity_of(mac, mac) == ProjectIdentity("home", "")


def test_the_home_folder_is_recognised_through_a_symbolic_link(tmp_path: Path) -> None:
    real = tmp_path / "real-home"
    (real / "code" / "x").mkdir(parents=True)
    (tmp_path / "link-home").symlink_to(real)
    assert identity_of(real / "code" / "x", tmp_path / "link-home") == ProjectIdentity("home", "code/x")


def test_outside_the_home_folder_without_a_remote_claude_names_it(tmp_path: Path) -> None:
    (tmp_path / "srv" / "tool").mkdir(parents=True)
    identity = identity_of(tmp_path / "srv" / "tool", tmp_path / "home")
    assert identity.kind == "claude"
    assert identity.value == str(tmp_path / "srv" / "tool").replace("/", "-").replace("_", "-")
    long_place = tmp_path / "srv" / ("x" * 120) / ("y" * 120)
    assert identity_of(long_place, tmp_path / "home", claude_folder="-given") == ProjectIdentity("claude", "-given")
    with pytest.raises(UsageError) as refused:
        identity_of(long_place, tmp_path / "home")
    assert "outside your home folder" in refused.value.message
