"""Multi-laptop scenarios with real processes, run against every hub kind (see conftest.HUB_KINDS)."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

from tests.servers import HubEndpoint
from tests.support.laptops import Laptop, assert_synced, tree

MakeLaptop = Callable[[str, HubEndpoint], Laptop]


def _populate(folder: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    names = ["notes", "mémoire", "日本語", "projects/alpha", "projects/beta/deep/er", "ünïcode dir"]
    (folder / "empty.md").parent.mkdir(parents=True, exist_ok=True)
    (folder / "empty.md").write_bytes(b"")
    (folder / "big.bin").write_bytes(rng.randbytes(5 * 1024 * 1024))
    for i in range(count - 2):
        target = folder / names[i % len(names)] / f"file-{i:03d}-é.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"# note {i}\n" + "".join(f"line {j} of {i}\n" for j in range(rng.randint(1, 60))))


def _three_laptops(hub: HubEndpoint, make_laptop: MakeLaptop) -> list[Laptop]:
    a, b, c = make_laptop("Laptop-A", hub), make_laptop("Laptop-B", hub), make_laptop("Laptop-C", hub)
    a.init()
    _populate(a.folder(), 200)
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    for laptop in (b, c):
        laptop.join_from(a)
        laptop.run("folder", "map", "memory", str(laptop.folder()))
        laptop.sync()
    return [a, b, c]


def test_three_laptops_reach_identical_trees_and_converge_after_edits(hub: HubEndpoint, make_laptop: MakeLaptop):
    a, b, c = _three_laptops(hub, make_laptop)
    assert len(tree(a.folder())) == 200
    assert tree(b.folder()) == tree(a.folder()) == tree(c.folder())

    (a.folder() / "notes" / "file-000-é.md").write_text("edited on A\n")
    (b.folder() / "mémoire" / "file-001-é.md").unlink()
    os.rename(c.folder() / "日本語" / "file-002-é.md", c.folder() / "日本語" / "renamed-on-C.md")
    (c.folder() / "new dir").mkdir()
    (c.folder() / "new dir" / "fresh.md").write_text("made on C\n")
    for _ in range(2):
        for laptop in (a, b, c):
            laptop.sync()

    assert_synced([a, b, c], hub)
    final = tree(a.folder())
    assert final["notes/file-000-é.md"] == b"edited on A\n"
    assert "mémoire/file-001-é.md" not in final
    assert "日本語/file-002-é.md" not in final and "日本語/renamed-on-C.md" in final
    assert final["new dir/fresh.md"] == b"made on C\n"


def test_edits_to_different_lines_merge_and_overlapping_edits_keep_both(hub: HubEndpoint, make_laptop: MakeLaptop):
    a, b = make_laptop("Laptop-A", hub), make_laptop("Laptop-B", hub)
    a.init()
    lines = [f"fact {i}\n" for i in range(12)]
    a.folder().mkdir()
    (a.folder() / "MEMORY.md").write_text("".join(lines))
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    b.join_from(a)
    b.run("folder", "map", "memory", str(b.folder()))
    b.sync()

    (a.folder() / "MEMORY.md").write_text("".join(["fact 0 — from A\n", *lines[1:]]))
    (b.folder() / "MEMORY.md").write_text("".join([*lines[:11], "fact 11 — from B\n"]))
    for laptop in (a, b, a):
        laptop.sync()
    merged = (a.folder() / "MEMORY.md").read_text()
    assert "fact 0 — from A" in merged and "fact 11 — from B" in merged
    assert (b.folder() / "MEMORY.md").read_text() == merged

    (a.folder() / "MEMORY.md").write_text(merged.replace("fact 5\n", "fact 5 — A's view\n"))
    (b.folder() / "MEMORY.md").write_text(merged.replace("fact 5\n", "fact 5 — B's view\n"))
    for laptop in (a, b, a, b):
        laptop.sync()
    assert_synced([a, b], hub)
    live = (a.folder() / "MEMORY.md").read_text()
    copies = [p.read_text() for laptop in (a, b) for p in (laptop.folder() / ".memtray-conflicts").rglob("*.md")]
    assert len(copies) >= 1
    everything = live + "".join(copies)
    assert "fact 5 — A's view" in everything and "fact 5 — B's view" in everything
    copy_names = [p.name for laptop in (a, b) for p in (laptop.folder() / ".memtray-conflicts").rglob("*.md")]
    assert all(name.startswith("MEMORY.sync-conflict-") and name.endswith(".md") for name in copy_names)


def test_hub_holds_no_plaintext(hub: HubEndpoint, make_laptop: MakeLaptop):
    a, b = make_laptop("Secret-Laptop-Name", hub), make_laptop("Other-Laptop-Name", hub)
    a.init()
    a.folder().mkdir()
    (a.folder() / "very-private-filename.md").write_text("the launch code is swordfish-7741\n" * 3)
    a.run("folder", "add", "Private Folder Name", str(a.folder()))
    a.sync()
    b.join_from(a)
    b.run("folder", "map", "Private Folder Name", str(b.folder()))
    b.sync()
    assert (b.folder() / "very-private-filename.md").exists()
    blobs = list(hub.all_blobs())
    assert len(blobs) >= 2
    needles = [
        "very-private-filename",
        "swordfish-7741",
        "Private Folder Name",
        "Secret-Laptop-Name",
        "Other-Laptop-Name",
        a.passphrase,
    ]
    for blob in blobs:
        for needle in needles:
            for encoding in ("utf-8", "utf-16-le"):
                assert needle.encode(encoding) not in blob, f"{needle!r} found in a hub object"
