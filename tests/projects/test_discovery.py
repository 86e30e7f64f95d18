"""Discovering each Claude folder's project from the transcripts Claude Code really writes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from memtray.projects.claude_names import claude_dir_name, sanitised
from memtray.projects.discovery import discover
from memtray.projects.identify import identity_of
from memtray.projects.identity import ProjectIdentity
from tests.projects.claude_fixtures import claude_records, memory_only, session, write_transcript
from tests.support.claude_home import bare_remote, clone, git, repository_without_remote, worktree


@pytest.fixture
def home(tmp_path: Path) -> Path:
    place = tmp_path / "Users" / "alice"
    place.mkdir(parents=True)
    return place


def folder_name(path: Path) -> str:
    name = claude_dir_name(str(path))
    assert name is not None
    return name


def test_each_folder_gets_its_projects_identity(tmp_path: Path, home: Path) -> None:
    webapp = clone(bare_remote(tmp_path / "remotes", "webapp"), home / "code" / "webapp")
    notes = repository_without_remote(home / "code" / "notes")
    (home / "scratch").mkdir()
    for place in (webapp, notes, home / "scratch"):
        session(home, place)
    found = discover(home)
    by_folder = {project.claude_folder: project for project in found.projects}
    assert set(by_folder) == {folder_name(webapp), folder_name(notes), folder_name(home / "scratch")}
    assert by_folder[folder_name(webapp)].identity == identity_of(webapp, home)
    assert by_folder[folder_name(webapp)].identity.kind == "git"
    assert by_folder[folder_name(notes)].identity == ProjectIdentity("home", "code/notes")
    assert by_folder[folder_name(home / "scratch")].identity == ProjectIdentity("home", "scratch")
    for project in found.projects:
        assert project.problem is None and project.claimed == project.identity and not project.worktree
    assert by_folder[folder_name(webapp)].checkout == webapp
    assert found.places[identity_of(webapp, home).key] == webapp
    assert found.ambiguous == {}


def test_a_folder_whose_transcripts_name_no_folder_keeps_its_own_name(home: Path) -> None:
    folder = home / ".claude" / "projects" / "-Users-alice-code-lost"
    write_transcript(folder, [json.dumps({"type": "summary", "summary": "no cwd"}), "oops"])
    write_transcript(folder, [])
    memory_only(home, "notes_backup")
    found = discover(home)
    lost, odd = found.project("-Users-alice-code-lost"), found.project("notes_backup")
    assert lost is not None and odd is not None
    assert lost.identity == ProjectIdentity("claude", "-Users-alice-code-lost") and lost.checkout is None
    assert lost.problem is not None and "transcript" in lost.problem
    assert odd.identity.key == "claude=notes_backup"


def test_a_folder_whose_transcripts_were_cleaned_up_is_found_on_disk(tmp_path: Path, home: Path) -> None:
    webapp = clone(bare_remote(tmp_path / "remotes", "webapp"), home / "code" / "my_web.app")
    memory_only(home, folder_name(webapp))
    (home / "a-b").mkdir()
    (home / "a" / "b").mkdir(parents=True)
    memory_only(home, folder_name(home / "a-b"))
    found = discover(home)
    project = found.project(folder_name(webapp))
    assert project is not None and project.problem is None
    assert project.identity == identity_of(webapp, home) and project.checkout == webapp
    both = found.project(folder_name(home / "a-b"))
    assert both is not None and both.identity.kind == "claude" and both.checkout is None


def test_a_worktree_belongs_to_the_main_checkouts_memory(tmp_path: Path, home: Path) -> None:
    webapp = clone(bare_remote(tmp_path / "remotes", "webapp"), home / "code" / "webapp")
    (webapp / "packages" / "api").mkdir(parents=True)
    linked = worktree(webapp, home / "code" / "webapp-feature", "feature")
    session(home, linked)
    session(home, webapp / "packages" / "api")
    memory_only(home, folder_name(webapp))
    found = discover(home)
    key = identity_of(webapp, home).key
    main = found.project(folder_name(webapp))
    assert main is not None and main.identity.key == key and main.checkout == webapp and main.problem is None
    side = found.project(folder_name(linked))
    assert side is not None and side.worktree
    assert side.identity == ProjectIdentity("claude", folder_name(linked))
    assert side.claimed is not None and side.claimed.key == key
    api = found.project(folder_name(webapp / "packages" / "api"))
    assert api is not None and api.identity == ProjectIdentity("git", identity_of(webapp, home).value, "packages/api")
    assert found.places[key] == webapp
    assert found.ambiguous == {}


def test_a_long_main_checkouts_memory_folder_is_matched_through_a_worktree_session(tmp_path: Path, home: Path) -> None:
    deep = clone(bare_remote(tmp_path / "remotes", "webapp"), home / ("long-folder-name-" * 7) / ("other-name-" * 7))
    assert claude_dir_name(str(deep)) is None
    session(home, worktree(deep, home / "wt", "feature"))
    hashed = sanitised(str(deep))[:200] + "-1a2b3c"
    memory_only(home, hashed)
    project = discover(home).project(hashed)
    assert project is not None and project.problem is None
    assert project.identity == identity_of(deep, home) and project.checkout == deep


def test_hashed_names_that_fit_several_checkouts_are_left_alone(tmp_path: Path, home: Path) -> None:
    deep = clone(bare_remote(tmp_path / "remotes", "webapp"), home / ("long-folder-name-" * 7) / ("other-name-" * 7))
    (deep / "docs").mkdir()
    session(home, deep / "docs", folder_name=sanitised(str(deep / "docs"))[:200] + "-9z8y7x")
    memory_only(home, sanitised(str(deep))[:200] + "-1a2b3c")
    project = discover(home).project(sanitised(str(deep))[:200] + "-1a2b3c")
    assert project is not None and project.identity.kind == "claude"
    assert project.problem is not None and "several" in project.problem


def test_the_main_checkout_is_known_even_before_claude_has_its_folder(tmp_path: Path, home: Path) -> None:
    webapp = clone(bare_remote(tmp_path / "remotes", "webapp"), home / "code" / "webapp")
    (webapp / "docs").mkdir()
    session(home, webapp / "docs")
    found = discover(home)
    assert found.places[identity_of(webapp, home).key] == webapp
    assert found.project(folder_name(webapp)) is None


def test_two_clones_of_one_repository_are_ambiguous(tmp_path: Path, home: Path) -> None:
    remote = bare_remote(tmp_path / "remotes", "webapp")
    first = clone(remote, home / "code" / "webapp")
    second = clone(remote, home / "old" / "webapp")
    other = clone(bare_remote(tmp_path / "remotes" / "acme", "api"), home / "code" / "api")
    for place in (first, second, other):
        session(home, place)
    found = discover(home)
    key = identity_of(first, home).key
    assert set(found.ambiguous) == {key}
    assert {project.claude_folder for project in found.ambiguous[key]} == {folder_name(first), folder_name(second)}
    for place in (first, second):
        project = found.project(folder_name(place))
        assert project is not None
        assert project.identity == ProjectIdentity("claude", folder_name(place))
        assert project.claimed is not None and project.claimed.key == key
        assert project.problem is not None and "choose" in project.problem
    assert key not in found.places
    api = found.project(folder_name(other))
    assert api is not None and api.identity.kind == "git" and api.problem is None


def test_a_second_clone_seen_only_through_a_sub_folder_session_is_ambiguous_too(tmp_path: Path, home: Path) -> None:
    remote = bare_remote(tmp_path / "remotes", "webapp")
    first = clone(remote, home / "code" / "webapp")
    second = clone(remote, home / "old" / "webapp")
    (second / "docs").mkdir()
    session(home, first)
    session(home, second / "docs")
    found = discover(home)
    key = identity_of(first, home).key
    assert key in found.ambiguous
    main = found.project(folder_name(first))
    assert main is not None and main.identity.kind == "claude"


def test_a_vanished_folder_keeps_what_memtray_remembered(tmp_path: Path, home: Path) -> None:
    gone = home / "code" / "old-notes"
    gone.mkdir(parents=True)
    session(home, gone)
    gone.rmdir()
    (home / "code" / "old" / "notes").mkdir(parents=True)  # Claude's name fits it too, but it is another folder
    found = discover(home)
    project = found.project(folder_name(gone))
    assert project is not None and project.checkout is None
    assert project.identity == ProjectIdentity("claude", folder_name(gone))
    assert project.problem is not None and str(gone) in project.problem and "no longer" in project.problem
    remembered = ProjectIdentity("git", "github.com/alice/gone")
    again = discover(home, remembered={folder_name(gone): remembered}).project(folder_name(gone))
    assert again is not None and again.identity == remembered


def test_a_remembered_identity_that_collides_is_set_aside(tmp_path: Path, home: Path) -> None:
    notes = repository_without_remote(home / "code" / "notes")
    session(home, notes)
    memory_only(home, "-Users-alice-elsewhere")
    found = discover(home, remembered={"-Users-alice-elsewhere": ProjectIdentity("home", "code/notes")})
    assert "home=code+notes" in found.ambiguous
    for name in (folder_name(notes), "-Users-alice-elsewhere"):
        project = found.project(name)
        assert project is not None and project.identity == ProjectIdentity("claude", name)


def test_two_folders_claude_names_alike_stay_apart(home: Path) -> None:
    (home / "a-b").mkdir()
    (home / "a" / "b").mkdir(parents=True)
    name = folder_name(home / "a-b")
    assert name == folder_name(home / "a" / "b")
    session(home, home / "a-b", age_seconds=60)
    session(home, home / "a" / "b")
    project = discover(home).project(name)
    assert project is not None and project.identity == ProjectIdentity("claude", name)
    assert project.problem is not None and "together" in project.problem


def test_a_long_path_with_claudes_hash_suffix_is_found(home: Path) -> None:
    deep = home / "code" / ("long-folder-name-" * 6) / ("another-long-name-" * 6) / "webapp"
    deep.mkdir(parents=True)
    assert claude_dir_name(str(deep)) is None
    hashed = sanitised(str(deep))[:200] + "-k3j9x1"
    session(home, deep, folder_name=hashed)
    project = discover(home).project(hashed)
    assert project is not None and project.checkout == deep
    assert project.identity == identity_of(deep, home)


def test_a_big_claude_folder_is_discovered_in_bounded_time(home: Path) -> None:
    projects = home / ".claude" / "projects"
    record = json.dumps(claude_records("/nowhere")[0])
    for index in range(300):
        folder = projects / f"-Users-alice-p{index}"
        folder.mkdir(parents=True)
        for _ in range(5):
            write_transcript(folder, [record] * 200)
    started = time.monotonic()
    found = discover(home)
    elapsed = time.monotonic() - started
    assert len(found.projects) == 300
    assert elapsed < 30, elapsed


def test_the_claude_folder_may_live_elsewhere(tmp_path: Path, home: Path) -> None:
    (home / "code" / "x").mkdir(parents=True)
    folder = session(tmp_path / "other", home / "code" / "x")
    found = discover(home, claude_dir=tmp_path / "other" / ".claude")
    assert [project.claude_folder for project in found.projects] == [folder.name]
    assert discover(home).projects == []


def test_git_state_written_by_git_itself(tmp_path: Path, home: Path) -> None:
    webapp = clone(bare_remote(tmp_path / "remotes", "webapp"), home / "code" / "webapp")
    git("remote", "set-url", "origin", "https://ghp_SECRETTOKEN@github.com/Alice/WebApp.git", cwd=webapp)
    session(home, webapp)
    found = discover(home)
    assert found.projects[0].identity == ProjectIdentity("git", "github.com/alice/webapp")
    assert "SECRETTOKEN" not in repr(found)
