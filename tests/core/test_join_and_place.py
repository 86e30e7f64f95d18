"""``memtray join HUB --folder NAME=PATH``: join, place the named folders and bring their files, in one command.

Real ``memtray`` processes on a folder hub, one home each."""

from __future__ import annotations

from collections.abc import Callable

from tests.servers import HubEndpoint
from tests.support.laptops import Laptop, tree

MakeLaptop = Callable[[str, HubEndpoint], Laptop]
NOTES = {"CLAUDE.md": "# Rules\nUse tabs.\n", "memory/decisions.md": "We chose SQLite.\n"}


def _laptop_a(make_laptop: MakeLaptop, hub: HubEndpoint, folders: tuple[str, ...]) -> Laptop:
    a = make_laptop("Laptop-A", hub)
    a.init()
    for name in folders:
        for relative, text in NOTES.items():
            path = a.folder(name) / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{name}: {text}")
        a.run("folder", "add", name, str(a.folder(name)))
    a.sync()
    return a


def _is_joined(laptop: Laptop) -> bool:
    return (laptop.home / "config" / "config.json").exists()


def test_join_places_the_named_folder_and_brings_its_files_in_one_command(
    make_laptop: MakeLaptop, folder_hub: HubEndpoint
) -> None:
    a = _laptop_a(make_laptop, folder_hub, ("memory", "notes"))
    b = make_laptop("Laptop-B", folder_hub)
    joined = b.run("join", folder_hub.url, "--device-name", "Laptop-B", "--folder", f"memory={b.folder('memory')}")
    assert tree(b.folder("memory")) == tree(a.folder("memory"))
    assert not b.folder("notes").exists(), "a folder not named stays where it is: waiting"
    lines = joined.stdout.splitlines()
    assert lines[:2] == ["Joined the vault.", f"Placed 'memory' at {b.folder('memory')}."]
    assert "Synced: 2 received" in lines[2], joined.stdout
    assert lines[3:] == ["  notes: waiting — run 'memtray folder map \"notes\" PATH'"]
    folders = {folder["name"]: folder for folder in b.status()["folders"]}
    assert folders["memory"]["path"] == str(b.folder("memory"))
    assert folders["memory"]["file_count"] == len(NOTES)
    assert folders["notes"]["path"] is None


def test_a_folder_the_vault_does_not_have_is_named_and_nothing_is_placed(
    make_laptop: MakeLaptop, folder_hub: HubEndpoint
) -> None:
    _laptop_a(make_laptop, folder_hub, ("memory",))
    b = make_laptop("Laptop-B", folder_hub)
    joined = b.run("join", folder_hub.url, "--folder", f"memroy={b.folder('memory')}", check=False)
    assert joined.returncode == 2, joined.stderr
    assert "Joined the vault, but it has no folder called 'memroy' (its folders: 'memory')" in joined.stderr
    assert _is_joined(b), "the join itself went through: only the placing is left to do"
    assert not b.folder("memory").exists()
    assert [folder["path"] for folder in b.status()["folders"]] == [None]


def test_a_place_given_without_its_name_is_refused_before_joining(
    make_laptop: MakeLaptop, folder_hub: HubEndpoint
) -> None:
    _laptop_a(make_laptop, folder_hub, ("memory",))
    b = make_laptop("Laptop-B", folder_hub)
    for malformed in (str(b.folder("memory")), f"={b.folder('memory')}", "memory="):
        refused = b.run("join", folder_hub.url, "--folder", malformed, check=False)
        assert refused.returncode == 2, refused.stderr
        assert "--folder wants NAME=PATH" in refused.stderr
        assert not _is_joined(b), malformed


def test_a_place_the_folder_cannot_take_leaves_the_join_done(make_laptop: MakeLaptop, folder_hub: HubEndpoint) -> None:
    a = _laptop_a(make_laptop, folder_hub, ("memory",))
    b = make_laptop("Laptop-B", folder_hub)
    joined = b.run("join", folder_hub.url, "--folder", f"memory={a.folder('memory') / 'CLAUDE.md'}", check=False)
    assert joined.returncode == 2, joined.stderr
    assert "Joined the vault, but 'memory' was not placed:" in joined.stderr
    assert _is_joined(b)
