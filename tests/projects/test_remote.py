"""Remote URLs: every spelling of one repository gives one identity, and credentials never survive."""

from __future__ import annotations

import pytest

from memtray.projects.remote import normalise_remote

SAME_REPOSITORY = [
    "git@github.com:alice/webapp.git",
    "git@github.com:alice/webapp",
    "github.com:alice/webapp.git",
    "ssh://git@github.com/alice/webapp.git",
    "ssh://git@github.com:22/alice/webapp.git",
    "ssh://github.com:alice/webapp.git",
    "git+ssh://git@github.com/alice/webapp",
    "https://github.com/alice/webapp.git",
    "https://github.com/alice/webapp",
    "https://github.com/alice/webapp/",
    "https://github.com/alice/webapp.git/",
    "HTTPS://GitHub.com/Alice/WebApp.git",
    "http://github.com:80/alice/webapp",
    "https://github.com:443/alice/webapp.git",
    "https://alice@github.com/alice/webapp.git",
    "https://alice:hunter2@github.com/alice/webapp.git",
    "https://x-access-token:ghp_secretTOKEN123@github.com/alice/webapp.git",
    "https://oauth2:glpat-SECRET@github.com/alice/webapp",
    "https://github.com/alice/webapp.git?token=SECRET#readme",
    "git://github.com/alice/webapp.git",
    "  git@github.com:alice/webapp.git\n",
]


@pytest.mark.parametrize("url", SAME_REPOSITORY)
def test_every_spelling_of_one_repository_is_one_identity(url: str) -> None:
    assert normalise_remote(url) == "github.com/alice/webapp"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git@gitlab.com:group/sub/name.git", "gitlab.com/group/sub/name"),
        ("https://gitlab.com/Group/Sub/Name", "gitlab.com/group/sub/name"),
        ("ssh://git@git.example.org:2222/team/tool.git", "git.example.org/team/tool"),
        ("https://[2001:db8::1]:8443/team/tool.git", "[2001:db8::1]/team/tool"),
        ("git@github.com:alice/fork-of-webapp.git", "github.com/alice/fork-of-webapp"),
        ("git@github.com:bob/webapp.git", "github.com/bob/webapp"),
        ("https://example.org/my%20repo.git", "example.org/my repo"),
    ],
)
def test_hosts_paths_and_groups(url: str, expected: str) -> None:
    assert normalise_remote(url) == expected


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("/srv/git/WebApp.git", None, "file/srv/git/WebApp"),
        ("/srv/git/webapp.git/", None, "file/srv/git/webapp"),
        ("file:///srv/git/webapp.git", None, "file/srv/git/webapp"),
        ("file://localhost/srv/git/webapp", None, "file/srv/git/webapp"),
        ("/home/alice/code/other/.git", None, "file/home/alice/code/other"),
        ("../remotes/webapp.git", "/home/alice/code/webapp", "file/home/alice/code/remotes/webapp"),
        ("C:\\repos\\webapp.git", None, "file/c:/repos/webapp"),
        ("file:///C:/repos/webapp.git", None, "file/c:/repos/webapp"),
        ("\\\\nas\\git\\webapp.git", None, "file/nas/git/webapp"),
    ],
)
def test_a_repository_on_disk_is_named_by_its_absolute_path(url: str, base: str | None, expected: str) -> None:
    assert normalise_remote(url, base) == expected


@pytest.mark.parametrize(
    "url",
    ["", "   ", "https://github.com/", "git@github.com:", "https://github.com/../x", "../webapp.git", "a\nb"],
)
def test_no_repository_no_identity(url: str) -> None:
    assert normalise_remote(url) is None


@pytest.mark.parametrize("url", [u for u in SAME_REPOSITORY if "SECRET" in u or "hunter2" in u or "ghp_" in u])
def test_credentials_are_never_kept(url: str) -> None:
    normalised = normalise_remote(url)
    assert normalised is not None
    for secret in ("SECRET", "hunter2", "ghp_", "glpat", "oauth2", "token"):
        assert secret.lower() not in normalised.lower()
