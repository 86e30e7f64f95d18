"""A vault made by the previous release, and laptops still running it, next to laptops on this one.

The previous release is taken from git history and run as real processes (``PYTHONPATH`` pointing at its
extracted package). Its vault upgrades in place on the first run of this version with nothing more asked; the
old laptops keep syncing with the upgraded ones until a laptop is removed; from then on an old laptop is refused
with a sentence telling the person to update memtray, and once updated it carries on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from memtray.errors import PassphraseError
from tests.servers import HubEndpoint
from tests.support.attacker import (
    NEW_PASSPHRASE,
    current_member_ids,
    forge_entry,
    hub_objects,
    keys_held,
    members,
    remove_laptop,
    steal,
)
from tests.support.laptops import Laptop, device_id, paired, tree
from tests.support.previous_release import on_previous_release, upgrade

MakeLaptop = Callable[[str, HubEndpoint], Laptop]


def test_the_previous_releases_vault_upgrades_and_its_laptops_sync_until_a_removal(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop, previous_release: Path
) -> None:
    a, b = paired(
        lambda name, hub: on_previous_release(make_laptop(name, hub), previous_release),
        folder_hub,
        {"CLAUDE.md": "made by the previous release\n"},
    )
    assert not folder_hub.raw.keys("roster/")

    upgrade(a)
    upgraded = a.run("sync")
    assert "Traceback" not in upgraded.stderr
    assert folder_hub.raw.keys("roster/"), "the first run of this version should have founded the roster"
    assert members(a)["Laptop-A"]["member"] is True

    (a.folder() / "from-new-a.md").write_text("A on this version\n")
    a.sync()
    b.sync()
    assert (b.folder() / "from-new-a.md").read_text() == "A on this version\n"
    (b.folder() / "from-old-b.md").write_text("B still on the previous release\n")
    b.sync()
    a.sync()
    assert (a.folder() / "from-old-b.md").read_text() == "B still on the previous release\n"

    c = make_laptop("Laptop-C", folder_hub)
    c.join_from(a)
    c.run("folder", "map", "memory", str(c.folder()))
    c.sync()
    b.sync()
    a.sync()
    assert tree(a.folder()) == tree(b.folder()) == tree(c.folder())

    remove_laptop(a, "Laptop-C")
    (a.folder() / "after-removal.md").write_text("sealed with the new key\n")
    a.sync()
    before = tree(b.folder())
    (b.folder() / "old-b-after-removal.md").write_text("B has not updated yet\n")
    refused = b.run("sync", check=False)
    assert refused.returncode != 0
    message = refused.stderr.strip()
    # The previous release reads the first entry each laptop sealed after the removal (entry.NOTICE_FORMAT) and
    # says it was written by a newer memtray, instead of calling the new key's data damaged or tampered with.
    assert "written by a newer memtray" in message and "integrity check" not in message, message
    assert "Traceback" not in refused.stderr and len(message.splitlines()) == 1
    assert tree(b.folder()) == {**before, "old-b-after-removal.md": b"B has not updated yet\n"}
    a.sync()
    assert not (a.folder() / "old-b-after-removal.md").exists()

    upgrade(b)
    before_upgrade_id = device_id(b)
    told = b.run("sync", check=False)
    assert told.returncode == PassphraseError.exit_code, told.stderr
    assert "Type the new passphrase" in told.stderr and "Traceback" not in told.stderr
    assert tree(b.folder()) == {**before, "old-b-after-removal.md": b"B has not updated yet\n"}
    b.passphrase = NEW_PASSPHRASE  # what the person types: B carries on in place, as the same laptop
    b.sync()
    a.sync()
    b.sync()
    assert device_id(b) == before_upgrade_id
    assert (b.folder() / "after-removal.md").read_text() == "sealed with the new key\n"
    assert (a.folder() / "old-b-after-removal.md").read_text() == "B has not updated yet\n"
    assert device_id(b) in current_member_ids(a)


def test_an_entry_a_removed_laptop_slipped_into_an_old_laptops_history_is_never_taken_unsigned(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop, previous_release: Path, tmp_path: Path
) -> None:
    """C, removed, still holds the first epoch's key: it writes the next entry of B's history while B is on the
    previous release. When B updates and adds itself, its entries must be signed from that slot on, so the entry C
    wrote is refused, not taken as one B wrote before it had a key."""
    a = make_laptop("Laptop-A", folder_hub)
    b = on_previous_release(make_laptop("Laptop-B", folder_hub), previous_release)
    a.init()
    a.folder().mkdir()
    (a.folder() / "CLAUDE.md").write_text("shared\n")
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    b.join_from(a)
    b.run("folder", "map", "memory", str(b.folder()))
    b.sync()
    c = make_laptop("Laptop-C", folder_hub)
    c.join_from(a)
    c.run("folder", "map", "memory", str(c.folder()))
    c.sync()
    a.sync()
    loot = steal(c, hub_objects(folder_hub), None, tmp_path)
    first_epoch = keys_held(loot).vault_keys(1)
    folder_id = next(iter(json.loads((a.home / "config" / "config.json").read_text())["folder_paths"]))

    remove_laptop(a, "Laptop-C")
    key, sealed = forge_entry(
        first_epoch, 1, None, hub_objects(folder_hub), device_id(b), files={(folder_id, "forged.md"): b"from C\n"}
    )
    folder_hub.raw.write(key, sealed)

    upgrade(b)
    b.passphrase = NEW_PASSPHRASE
    b.run("sync", check=False)
    refused = a.run("sync", check=False)
    assert "Traceback" not in refused.stderr
    assert not (a.folder() / "forged.md").exists(), "an entry B never wrote was taken as B's"
    assert not (b.folder() / "forged.md").exists(), "B took an entry it never wrote as its own"
