"""Reading repositories from git's own files, checked against repositories the real git binary made."""

from __future__ import annotations

from pathlib import Path

import pytest

from memtray.projects.git import remote_urls, repository_of
from tests.support.claude_home import bare_remote, clone, git, repository_without_remote, worktree


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return bare_remote(tmp_path / "remotes", "webapp")


def test_a_clone_is_its_own_root_with_its_remote(tmp_path: Path, remote: Path) -> None:
    checkout = clone(remote, tmp_path / "home" / "code" / "webapp")
    (checkout / "src" / "deep").mkdir(parents=True)
    for place in (checkout, checkout / "src" / "deep"):
        repository = repository_of(place)
        assert repository is not None
        assert repository.root == checkout and repository.checkout == checkout
        assert repository.remote == f"file{remote.parent.as_posix()}/webapp"


def test_a_worktree_belongs_to_its_main_checkout(tmp_path: Path, remote: Path) -> None:
    checkout = clone(remote, tmp_path / "home" / "code" / "webapp")
    linked = worktree(checkout, tmp_path / "home" / "code" / "webapp-feature", "feature")
    inside = worktree(checkout, checkout / ".worktrees" / "fix", "fix")
    for place, expected_checkout in ((linked, linked), (linked / "README.md", linked), (inside, inside)):
        repository = repository_of(place if place.is_dir() else place.parent)
        assert repository is not None
        assert repository.root == checkout
        assert repository.checkout == expected_checkout
        assert repository.remote == repository_of(checkout).remote  # type: ignore[union-attr]


def test_a_submodule_is_its_own_repository(tmp_path: Path, remote: Path) -> None:
    library = bare_remote(tmp_path / "remotes", "library")
    checkout = clone(remote, tmp_path / "home" / "code" / "webapp")
    git("-c", "protocol.file.allow=always", "submodule", "add", str(library), "vendor/library", cwd=checkout)
    repository = repository_of(checkout / "vendor" / "library")
    assert repository is not None
    assert repository.root == checkout / "vendor" / "library"
    assert repository.remote == f"file{library.parent.as_posix()}/library"


def test_remote_choice_origin_then_only_then_first_by_name(tmp_path: Path) -> None:
    checkout = repository_without_remote(tmp_path / "repo")
    assert repository_of(checkout).remote is None  # type: ignore[union-attr]
    git("remote", "add", "zeta", "git@github.com:zeta/repo.git", cwd=checkout)
    assert repository_of(checkout).remote == "github.com/zeta/repo"  # type: ignore[union-attr]
    git("remote", "add", "alpha", "https://github.com/alpha/repo", cwd=checkout)
    assert repository_of(checkout).remote == "github.com/alpha/repo"  # type: ignore[union-attr]
    git("remote", "add", "origin", "https://token123@github.com/alice/repo.git", cwd=checkout)
    repository = repository_of(checkout)
    assert repository is not None and repository.remote == "github.com/alice/repo"
    assert "token123" not in repr(repository)


def test_a_relative_remote_is_read_from_the_checkout(tmp_path: Path, remote: Path) -> None:
    checkout = repository_without_remote(tmp_path / "remotes" / "work")
    git("remote", "add", "origin", "../webapp.git", cwd=checkout)
    assert repository_of(checkout).remote == f"file{remote.parent.as_posix()}/webapp"  # type: ignore[union-attr]


def test_outside_any_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    assert repository_of(tmp_path / "plain") is None
    (tmp_path / "plain" / ".git").mkdir()  # an empty .git folder is no repository
    assert repository_of(tmp_path / "plain") is None
    (tmp_path / "plain" / ".git").rmdir()
    (tmp_path / "plain" / ".git").write_text("not a pointer\n", encoding="utf-8")
    assert repository_of(tmp_path / "plain") is None


def test_a_worktree_whose_pointer_leads_nowhere_is_no_repository(tmp_path: Path) -> None:
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text("gitdir: /nowhere/.git/worktrees/wt\n", encoding="utf-8")
    assert repository_of(tmp_path / "wt") is None


def test_config_parsing_is_robust() -> None:
    config = "\n".join(
        [
            "[core]",
            "\trepositoryformatversion = 0",
            "\turl = https://not-a-remote.example/x",
            '[remote "origin"] # the main one',
            '\tURL = "git@github.com:alice/webapp.git" ; quoted, with a comment',
            "\turl = https://second.example/ignored",
            "\tfetch = +refs/heads/*:refs/remotes/origin/*",
            '[Remote "with \\"quote\\""]',
            "\turl = https://example.org/a/quoted\\",
            "-continued.git",
            "[remote.legacy]",
            "\turl = ssh://host/legacy/repo # comment",
            '[remote "empty"]',
            "\turl =",
            '[remote "novalue"]',
            "\turl",
            '[remote "inline"] url = https://example.org/inline/repo',
            "garbage line without equals",
            '[branch "main"]',
            "\tremote = origin",
        ]
    )
    assert remote_urls(config) == {
        "origin": "git@github.com:alice/webapp.git",
        'with "quote"': "https://example.org/a/quoted-continued.git",
        "legacy": "ssh://host/legacy/repo",
        "inline": "https://example.org/inline/repo",
    }


def test_a_huge_or_binary_config_does_not_break_reading(tmp_path: Path, remote: Path) -> None:
    checkout = clone(remote, tmp_path / "home" / "webapp")
    config = checkout / ".git" / "config"
    config.write_bytes(b"\xff\xfe\x00garbage\n" + config.read_bytes() + b"x" * (3 << 20))
    assert repository_of(checkout).remote == f"file{remote.parent.as_posix()}/webapp"  # type: ignore[union-attr]
