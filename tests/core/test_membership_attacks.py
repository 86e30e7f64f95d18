"""Attacks on membership: a removed laptop with everything it ever had, and key holders who pose as others.

Each attack is made with real keys (the attacker's own, or a member's) and written behind the hub's back; the
laptops under attack are real ``memtray`` processes. Every refusal must come with a plain sentence and leave
files and index exactly as they were.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from memtray.errors import HubRevokedError, RemovedFromVaultError
from memtray.membership.laptop_key import LaptopKey
from memtray.sync.records import FolderDef
from tests.servers import HubEndpoint
from tests.servers.kinds import HUB_KINDS
from tests.support.attacker import (
    forge_entry,
    forge_removal,
    forge_roster_entry,
    forge_self_add,
    hub_objects,
    keys_held,
    laptop_key_of,
    members,
    open_everything,
    read_roster_entry,
    recovery_key_in,
    remove_laptop,
    roster_head,
    server_database_copy,
    signer_of,
    steal,
    written_since,
)
from tests.support.laptops import Laptop, device_id, paired, tree

MakeLaptop = Callable[[str, HubEndpoint], Laptop]
INTEGRITY_EXIT = 5
BEFORE = "WRITTEN-BEFORE-THE-REMOVAL"
AFTER = "WRITTEN-AFTER-THE-REMOVAL"
YEAR = 365 * 24 * 3600.0


@pytest.fixture(params=["folder", "memtray-hub"])
def attack_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubEndpoint]:
    with HUB_KINDS[request.param](tmp_path / "server") as endpoint:
        yield endpoint


def hub_copy(hub: HubEndpoint, target: Path) -> dict[str, bytes]:
    """What a copy of the hub holds: the folder's files, or a copy of the memtray hub server's database."""
    if hub.kind == "memtray":
        return server_database_copy(hub.raw.db_path, target)  # type: ignore[attr-defined]
    return hub_objects(hub)


def join(laptop: Laptop, inviter: Laptop) -> None:
    laptop.join_from(inviter)
    laptop.run("folder", "map", "memory", str(laptop.folder()))
    laptop.sync()


def folder_id(laptop: Laptop) -> str:
    paths = json.loads((laptop.home / "config" / "config.json").read_text())["folder_paths"]
    (only,) = paths
    return str(only)


def local_state(laptop: Laptop) -> tuple[dict[str, bytes], list[tuple[object, ...]]]:
    """Files on disk and every index row sync keeps about them, its folders, its cursors and its own seq."""
    with closing(sqlite3.connect(laptop.home / "data" / "index.sqlite3")) as db:
        rows = [("files", *row) for row in db.execute("SELECT * FROM files ORDER BY 1, 2")]
        rows += [("folders", *row) for row in db.execute("SELECT * FROM folders ORDER BY 1")]
        rows += [("cursors", *row) for row in db.execute("SELECT * FROM cursors ORDER BY 1")]
        rows += [("seq", *row) for row in db.execute("SELECT value FROM meta WHERE key = 'seq'")]
    return tree(laptop.folder()), rows


def expect_refusal(laptop: Laptop, hub_key: str) -> str:
    """A sync refused with one plain sentence naming ``hub_key``, and nothing on the laptop changed."""
    before = local_state(laptop)
    done = laptop.run("sync", check=False)
    assert done.returncode == INTEGRITY_EXIT, (done.returncode, done.stdout, done.stderr)
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert hub_key in message, message
    assert "Traceback" not in done.stderr
    assert local_state(laptop) == before
    return message


def three_laptops(make_laptop: MakeLaptop, hub: HubEndpoint) -> tuple[Laptop, Laptop, Laptop, str]:
    """A starts a vault with one file, B and C join; the recovery key A was shown is returned too."""
    a = make_laptop("Laptop-A", hub)
    recovery = recovery_key_in(a.init())
    a.folder().mkdir()
    (a.folder() / "CLAUDE.md").write_text(f"{BEFORE}\n")
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    b, c = make_laptop("Laptop-B", hub), make_laptop("Laptop-C", hub)
    join(b, a)
    join(c, a)
    a.sync()
    b.sync()
    return a, b, c, recovery


def test_a_removed_laptop_cannot_read_anything_written_after_its_removal(
    attack_hub: HubEndpoint, make_laptop: MakeLaptop, tmp_path: Path
) -> None:
    hub = attack_hub
    a, b, c, recovery = three_laptops(make_laptop, hub)
    loot = steal(c, hub_copy(hub, tmp_path / "hub-before.sqlite3"), recovery, tmp_path)
    assert loot.laptop_key_text(), "C's laptop key should be in its keychain or its home"
    seen_before = open_everything(keys_held(loot), loot.hub)
    assert any(BEFORE.encode() in opened.plaintext for opened in seen_before), "the loot should open the old files"

    remove_laptop(a, "Laptop-C")
    (a.folder() / "after-a.md").write_text(f"{AFTER} on A\n")
    a.sync()
    b.sync()
    (b.folder() / "after-b.md").write_text(f"{AFTER} on B\n" * 3000)
    b.sync()
    a.sync()
    assert (a.folder() / "after-b.md").read_text().startswith(AFTER)

    after = hub_copy(hub, tmp_path / "hub-after.sqlite3")
    fresh = written_since(loot.hub, after)
    assert any(key.startswith("log/") for key in fresh)
    held = keys_held(loot, after)
    assert held.epochs() == [1], f"the removed laptop holds keys of epochs {held.epochs()}"
    opened = open_everything(held, fresh)
    readable = [item for item in opened if not item.key.startswith("roster/")]
    assert readable, "each laptop's first entry after the removal is a notice for older releases, under epoch 1"
    assert not [item.key for item in readable if not item.is_notice_for_older_releases()]
    assert not [item.key for item in opened if AFTER.encode() in item.plaintext]

    told = c.run("sync", check=False)
    locked_out = HubRevokedError if hub.kind == "memtray" else RemovedFromVaultError
    assert told.returncode == locked_out.exit_code, told.stderr
    assert "removed" in told.stderr and "Traceback" not in told.stderr
    assert not (c.folder() / "after-a.md").exists()


def test_a_removed_laptop_cannot_add_itself_again_nor_write_what_others_apply(
    attack_hub: HubEndpoint, make_laptop: MakeLaptop, tmp_path: Path
) -> None:
    hub = attack_hub
    a, b, c, recovery = three_laptops(make_laptop, hub)
    loot = steal(c, hub_objects(hub), recovery, tmp_path)
    remove_laptop(a, "Laptop-C")
    b.sync()
    now = hub_objects(hub)
    held = keys_held(loot, now)

    key, forged = forge_self_add(loot, held, now)
    hub.raw.write(key, forged)
    expect_refusal(a, key)
    expect_refusal(b, key)
    assert members(a)["Laptop-C"]["member"] is False
    hub.raw.delete(key)

    ghost = make_laptop("Ghost", hub)
    ghost.passphrase = loot.passphrase
    refused = ghost.run("join", hub.url, "--device-name", "Laptop-C", check=False)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    thief = make_laptop("Thief", hub)
    shutil.copytree(loot.home, thief.home)
    recovered = thief.run(
        "recovery",
        "use",
        check=False,
        extra_env={"MEMTRAY_RECOVERY_KEY": str(loot.recovery_key), "MEMTRAY_NEW_PASSPHRASE": "the thief's own 1234"},
    )
    assert recovered.returncode != 0 and "Traceback" not in recovered.stderr
    assert hub_objects(hub) == now, "the removed laptop's old passphrase or recovery key changed the hub"

    signer = signer_of(loot)
    planted = {(folder_id(a), "planted.md"): b"written by the removed laptop\n"}
    key, forged = forge_entry(held.vault_keys(1), 1, signer, now, loot.device_id, files=planted, name="Laptop-C")
    hub.raw.write(key, forged)
    for laptop in (a, b):
        done = laptop.run("sync")
        assert not (laptop.folder() / "planted.md").exists()
        refusal = done.stderr.strip()
        assert "Laptop-C" in refusal and "not applied" in refusal and "removed" in refusal, refusal


def test_an_entry_in_another_laptops_log_is_refused_and_nothing_changes(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop, tmp_path: Path
) -> None:
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    a.sync()
    objects = hub_objects(folder_hub)
    b_loot = steal(b, objects, None, tmp_path)
    held = keys_held(b_loot)
    b_signer = signer_of(b_loot)
    posing = {(folder_id(a), "CLAUDE.md"): b"rewritten in A's name by B\n"}

    for signer in (b_signer, None):
        key, forged = forge_entry(held.vault_keys(1), 1, signer, objects, device_id(a), files=posing, name="Laptop-A")
        folder_hub.raw.write(key, forged)
        for laptop in (a, b):
            message = expect_refusal(laptop, key)
            assert "Nothing on this laptop was changed" in message
            assert (laptop.folder() / "CLAUDE.md").read_text() == "shared\n"
        folder_hub.raw.delete(key)
    a.sync()
    b.sync()


def test_a_folder_rewrite_with_a_far_future_stamp_is_refused_and_the_folder_keeps_syncing(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop, tmp_path: Path
) -> None:
    hub = folder_hub
    a, b, c = (make_laptop(name, hub) for name in ("Laptop-A", "Laptop-B", "Laptop-C"))
    a.init()
    a.folder().mkdir()
    (a.folder() / "CLAUDE.md").write_text("shared\n")
    a.run("folder", "add", "memory", str(a.folder()), "--exclude", "secret*.md")
    a.sync()
    join(b, a)
    join(c, a)
    b_loot = steal(b, hub_objects(hub), None, tmp_path)
    held = keys_held(b_loot)
    b_signer = signer_of(b_loot)
    (a.folder() / "secret-notes.md").write_text("never leaves laptop A\n")
    fid = folder_id(a)
    far = (time.time() + 10 * YEAR, b_loot.device_id)
    rewrites = [
        FolderDef(fid, "memory", [], [], False, far),
        FolderDef(fid, "memory", [], ["secret*.md"], True, far),
    ]
    for number, rewrite in enumerate(rewrites):
        objects = hub_objects(hub)
        key, forged = forge_entry(
            held.vault_keys(1), 1, b_signer, objects, b_loot.device_id, folders=[rewrite], name=b_loot.name
        )
        hub.raw.write(key, forged)
        for laptop in (a, c):
            _, rows_before = local_state(laptop)
            done = laptop.run("sync")
            refusal = done.stderr.strip()
            assert "'memory'" in refusal and "Laptop-B" in refusal and "not applied" in refusal, refusal
            folders_after = [row for row in local_state(laptop)[1] if row[0] == "folders"]
            assert folders_after == [row for row in rows_before if row[0] == "folders"]
        (a.folder() / f"later-{number}.md").write_text(f"still syncing {number}\n")
        a.sync()
        c.sync()
        assert (c.folder() / f"later-{number}.md").read_text() == f"still syncing {number}\n"
        assert not (c.folder() / "secret-notes.md").exists()
        with closing(sqlite3.connect(a.home / "data" / "index.sqlite3")) as db:
            assert not db.execute("SELECT 1 FROM files WHERE path = 'secret-notes.md'").fetchall()
    sent = open_everything(keys_held(b_loot, hub_objects(hub)), hub_objects(hub))
    assert not [item.key for item in sent if b"never leaves laptop A" in item.plaintext]


def test_a_rolled_back_or_rewritten_roster_is_refused(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop, tmp_path: Path
) -> None:
    hub = folder_hub
    a, b, _, _ = three_laptops(make_laptop, hub)
    remove_laptop(a, "Laptop-C")
    b.sync()
    newest, sealed = roster_head(hub_objects(hub))
    newest_key = f"roster/{newest:016x}"
    assert sealed is not None

    hub.raw.delete(newest_key)
    message = expect_refusal(b, newest_key)
    assert "roster" in message.lower() or "laptops" in message.lower()
    hub.raw.write(newest_key, sealed)

    b_loot = steal(b, hub_objects(hub), None, tmp_path)
    objects = hub_objects(hub)
    held = keys_held(b_loot, objects)
    assert held.epochs() == [1, 2]
    removal = read_roster_entry(held, objects, newest)
    rewritten = {key: data for key, data in objects.items() if key != newest_key}
    _, other_removal = forge_removal(held, rewritten, signer_of(b_loot), removal)
    rewritten[newest_key] = other_removal
    stranger = LaptopKey.generate()
    on_top, added = forge_roster_entry(
        held,
        rewritten,
        device="d" * 32,
        name="Stranger",
        key=stranger,
        by=b_loot.device_id,
        by_key=laptop_key_of(b_loot),
        epoch=2,
    )
    hub.raw.write(newest_key, other_removal)
    hub.raw.write(on_top, added)
    for laptop in (a, b):
        message = expect_refusal(laptop, on_top)
        assert "rewritten" in message, message
        assert "Stranger" not in members(laptop)
    hub.raw.delete(on_top)
    hub.raw.write(newest_key, sealed)
    a.sync()
    b.sync()


def test_a_roster_entry_by_a_laptop_that_is_no_member_is_refused(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop, tmp_path: Path
) -> None:
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    a.sync()
    objects = hub_objects(folder_hub)
    held = keys_held(steal(b, objects, None, tmp_path))
    outsider, stranger = LaptopKey.generate(), LaptopKey.generate()
    key, forged = forge_roster_entry(
        held, objects, device="f" * 32, name="Stranger", key=stranger, by="e" * 32, by_key=outsider, epoch=1
    )
    folder_hub.raw.write(key, forged)
    for laptop in (a, b):
        expect_refusal(laptop, key)
        assert "Stranger" not in members(laptop)
