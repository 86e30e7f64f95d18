"""Vault paths <-> this laptop's Claude folders: memory written on one laptop lands in the other's own folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from memtray.projects.claude_names import claude_dir_name, sanitised
from memtray.projects.discovery import discover
from memtray.projects.identify import identity_of
from memtray.projects.identity import ProjectIdentity
from memtray.projects.pathmap import ClaudeProjectsMap, IdentityMap, PathMap
from memtray.projects.search import find_checkouts
from tests.projects.claude_fixtures import memory_only, session
from tests.support.claude_home import bare_remote, clone, repository_without_remote


def name(path: Path) -> str:
    folder = claude_dir_name(str(path))
    assert folder is not None
    return folder


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return bare_remote(tmp_path / "remotes", "webapp")


@pytest.fixture
def mac(tmp_path: Path) -> Path:
    return tmp_path / "Users" / "alice"


@pytest.fixture
def linux(tmp_path: Path) -> Path:
    return tmp_path / "home" / "alice.smith"


def test_memory_moves_from_one_laptops_folder_to_the_others(remote: Path, mac: Path, linux: Path) -> None:
    on_mac = clone(remote, mac / "code" / "webapp")
    on_linux = clone(remote, linux / "src" / "web")
    notes_mac = repository_without_remote(mac / "notes")
    notes_linux = repository_without_remote(linux / "notes")
    for home, places in ((mac, (on_mac, notes_mac)), (linux, (on_linux, notes_linux))):
        for place in places:
            session(home, place)
    mac_map, linux_map = ClaudeProjectsMap(discover(mac)), ClaudeProjectsMap(discover(linux))
    key = identity_of(on_mac, mac).key
    vault = mac_map.to_vault(f"projects/{name(on_mac)}/memory/MEMORY.md")
    assert vault == f"projects/{key}/memory/MEMORY.md"
    assert linux_map.to_disk(vault) == f"projects/{name(on_linux)}/memory/MEMORY.md"
    notes_vault = mac_map.to_vault(f"projects/{name(notes_mac)}/memory/a/b.md")
    assert notes_vault == "projects/home=notes/memory/a/b.md"
    assert linux_map.to_disk(notes_vault) == f"projects/{name(notes_linux)}/memory/a/b.md"
    assert linux_map.parked() == [] and mac_map.place_of(key) == on_mac


@pytest.mark.parametrize("path", ["CLAUDE.md", "settings.json", "projects/readme.txt", "projects", "agents/x.md"])
def test_paths_outside_project_folders_are_unchanged(mac: Path, path: str) -> None:
    mapping = ClaudeProjectsMap(discover(mac))
    assert mapping.to_vault(path) == path
    assert mapping.to_disk(path) == path


def test_every_folder_round_trips(tmp_path: Path, remote: Path, mac: Path) -> None:
    first, second = clone(remote, mac / "a" / "webapp"), clone(remote, mac / "b" / "webapp")
    for place in (first, second, repository_without_remote(mac / "notes")):
        session(home=mac, cwd=place)
    memory_only(mac, "-Users-alice-unknown")
    memory_only(mac, "odd_name")
    found = discover(mac)
    mapping = ClaudeProjectsMap(found, checkouts=find_checkouts([identity_of(first, mac)], mac))
    vault_paths = set()
    for project in found.projects:
        disk = f"projects/{project.claude_folder}/memory/MEMORY.md"
        vault = mapping.to_vault(disk)
        assert vault is not None and mapping.to_disk(vault) == disk
        vault_paths.add(vault)
    assert len(vault_paths) == len(found.projects)
    assert mapping.to_vault("projects/odd_name/memory/x.md") == "projects/claude=odd_name/memory/x.md"


def test_a_project_not_on_this_laptop_is_parked_until_it_is_cloned(remote: Path, mac: Path, linux: Path) -> None:
    session(mac, clone(remote, mac / "code" / "webapp"))
    identity = identity_of(mac / "code" / "webapp", mac)
    vault = f"projects/{identity.key}/memory/MEMORY.md"
    waiting = ClaudeProjectsMap(discover(linux))
    assert waiting.to_disk(vault) is None
    assert waiting.to_disk(f"projects/{identity.key}/memory/other.md") is None
    assert waiting.parked() == [identity]
    cloned = clone(remote, linux / "work" / "webapp")
    found = find_checkouts([identity], linux)
    assert found == {identity.key: cloned}
    placed = ClaudeProjectsMap(discover(linux), checkouts=found)
    assert placed.to_disk(vault) == f"projects/{name(cloned)}/memory/MEMORY.md"
    assert placed.to_vault(f"projects/{name(cloned)}/memory/MEMORY.md") == vault
    assert placed.parked() == []


def test_an_existing_hash_suffixed_folder_is_used_never_recomputed(remote: Path, mac: Path, linux: Path) -> None:
    session(mac, clone(remote, mac / "code" / "webapp"))
    key = identity_of(mac / "code" / "webapp", mac).key
    deep = clone(remote, linux / "code" / ("long-folder-name-" * 7) / ("another-long-name-" * 7) / "webapp")
    assert claude_dir_name(str(deep)) is None
    hashed = sanitised(str(deep))[:200] + "-2ab9zk"
    memory_only(linux, hashed)
    unplaced = ClaudeProjectsMap(discover(linux))
    assert unplaced.to_disk(f"projects/{key}/memory/MEMORY.md") is None
    mapping = ClaudeProjectsMap(discover(linux), checkouts=find_checkouts([ProjectIdentity.from_key(key)], linux))
    assert mapping.to_disk(f"projects/{key}/memory/MEMORY.md") == f"projects/{hashed}/memory/MEMORY.md"
    session(linux, deep, folder_name=hashed)
    assert ClaudeProjectsMap(discover(linux)).to_disk(f"projects/{key}/x") == f"projects/{hashed}/x"


def test_a_long_checkout_without_claudes_folder_waits_for_claude(remote: Path, linux: Path) -> None:
    deep = clone(remote, linux / ("long-folder-name-" * 7) / ("another-long-name-" * 7) / "webapp")
    identity = identity_of(deep, linux)
    mapping = ClaudeProjectsMap(discover(linux), checkouts={identity.key: deep})
    assert mapping.to_disk(f"projects/{identity.key}/memory/MEMORY.md") is None
    assert mapping.parked() == [identity]


def test_ambiguous_projects_wait_for_a_link(remote: Path, linux: Path) -> None:
    first, second = clone(remote, linux / "code" / "webapp"), clone(remote, linux / "old" / "webapp")
    session(linux, first)
    session(linux, second)
    found = discover(linux)
    identity = identity_of(first, linux)
    vault = f"projects/{identity.key}/memory/MEMORY.md"
    mapping = ClaudeProjectsMap(found, checkouts={identity.key: first})
    assert mapping.to_disk(vault) is None and mapping.parked() == [identity]
    assert mapping.to_vault(f"projects/{name(first)}/memory/MEMORY.md") == f"projects/{name(first)}/memory/MEMORY.md"
    linked = ClaudeProjectsMap(found, links={identity.key: str(second)})
    assert linked.to_disk(vault) == f"projects/{name(second)}/memory/MEMORY.md"
    assert linked.to_vault(f"projects/{name(second)}/memory/MEMORY.md") == vault
    assert linked.to_vault(f"projects/{name(first)}/memory/MEMORY.md") == f"projects/{name(first)}/memory/MEMORY.md"
    assert linked.place_of(identity.key) == second


def test_an_ambiguous_project_is_never_placed_from_a_search(remote: Path, linux: Path) -> None:
    first, second = clone(remote, linux / "code" / "webapp"), clone(remote, linux / "old" / "webapp")
    for place in (first, second):
        (place / "docs").mkdir()
        session(linux, place / "docs")
    found = discover(linux)
    identity = identity_of(first, linux)
    assert identity.key in found.ambiguous
    mapping = ClaudeProjectsMap(found, checkouts={identity.key: first})
    assert mapping.to_disk(f"projects/{identity.key}/memory/MEMORY.md") is None
    assert mapping.parked() == [identity]


def test_a_link_to_a_folder_claude_has_not_made_yet(mac: Path, linux: Path) -> None:
    (linux / "docs" / "notes").mkdir(parents=True)
    mapping = ClaudeProjectsMap(discover(linux), links={"home=notes": str(linux / "docs" / "notes")})
    assert (
        mapping.to_disk("projects/home=notes/memory/a.md") == f"projects/{name(linux / 'docs' / 'notes')}/memory/a.md"
    )


def test_claude_folder_keys_are_used_as_they_are_unless_the_folder_holds_another_project(
    remote: Path, linux: Path
) -> None:
    same_path = clone(remote, linux / "code" / "webapp")
    session(linux, same_path)
    mapping = ClaudeProjectsMap(discover(linux))
    assert mapping.to_disk("projects/-Users-alice-code-x/memory/a.md") == "projects/-Users-alice-code-x/memory/a.md"
    assert mapping.to_disk(f"projects/{name(same_path)}/memory/a.md") is None
    assert mapping.parked() == [ProjectIdentity("claude", name(same_path))]
    assert mapping.to_disk("projects/sha256=" + "0" * 64 + "/memory/a.md") is None
    assert mapping.to_disk("projects/git=a/memory/a.md") is None
    assert mapping.to_disk("projects/not a key/memory/a.md") is None


def test_a_folder_that_cannot_be_named_in_the_vault_is_not_synced(tmp_path: Path, linux: Path) -> None:
    notes = repository_without_remote(linux / "notes")
    session(linux, notes)
    memory_only(linux, "back\\slash")
    taken = ClaudeProjectsMap(discover(linux), links={"-Users-alice-old": str(notes)})
    assert taken.to_vault("projects/back\\slash/memory/a.md") is None
    memory_only(linux, "-Users-alice-old")
    taken = ClaudeProjectsMap(discover(linux), links={"-Users-alice-old": str(notes)})
    assert taken.to_vault(f"projects/{name(notes)}/memory/a.md") == "projects/-Users-alice-old/memory/a.md"
    assert taken.to_vault("projects/-Users-alice-old/memory/a.md") is None
    assert taken.to_disk("projects/-Users-alice-old/memory/a.md") == f"projects/{name(notes)}/memory/a.md"


def test_the_identity_map_changes_nothing() -> None:
    mapping: PathMap = IdentityMap()
    assert mapping.to_vault("projects/-x/memory/a.md") == "projects/-x/memory/a.md"
    assert mapping.to_disk("projects/git=a+b/memory/a.md") == "projects/git=a+b/memory/a.md"
    assert mapping.parked() == []
