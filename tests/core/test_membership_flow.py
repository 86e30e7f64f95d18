"""Membership through the command line, laptops as real processes: ``init`` founds the roster, a joining laptop
adds itself and the others announce it, ``devices remove`` gives the vault a new key that the remaining laptops
pick up with no typing while the removed one is told, and the old passphrase stops working."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from memtray.errors import PassphraseError
from memtray.hubs.keys import epoch_key
from memtray.membership.epochs import make_epoch
from memtray.paths import resolve_home
from memtray.service import Service, keyfile
from memtray.vault.envelope import key_generation_of
from memtray.vault.keys import rotate
from tests.servers import HubEndpoint
from tests.support.laptops import Laptop, opened, paired
from tests.support.previous_release import on_previous_release, upgrade

NEW_PASSPHRASE = "a brand new passphrase for 3 laptops"
RECOVERY_KEY = re.compile(r"^  ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){5,})$", re.MULTILINE)
FINGERPRINT = re.compile(r"[A-Z2-7]{4} [A-Z2-7]{4} [A-Z2-7]{4} [A-Z2-7]{4}")
REMOVED_SENTENCE = "This laptop was removed from your synced memory on another of your laptops"
NO_KEYCHAIN = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def devices(laptop: Laptop) -> dict[str, dict]:  # type: ignore[type-arg]
    return {device["name"]: device for device in json.loads(laptop.run("devices", "--json").stdout)}


def test_init_founds_the_roster_and_a_joining_laptop_is_announced(make_laptop, folder_hub: HubEndpoint):
    a = make_laptop("Laptop-A", folder_hub)
    a.init()
    assert folder_hub.raw.keys("roster/") == ["roster/0000000000000001"]
    a.folder().mkdir()
    (a.folder() / "CLAUDE.md").write_text("shared\n")
    a.run("folder", "add", "memory", str(a.folder()))
    assert "joined" not in a.sync()

    b = make_laptop("Laptop-B", folder_hub)
    b.join_from(a)
    b.run("folder", "map", "memory", str(b.folder()))
    assert "joined" not in b.sync(), "a laptop does not announce itself"
    assert folder_hub.raw.keys("roster/") == ["roster/0000000000000001", "roster/0000000000000002"]
    said = a.sync()
    assert "A new laptop joined: Laptop-B." in said
    assert "joined" not in a.sync(), "each add is announced once"

    on_a, on_b = devices(a), devices(b)
    assert set(on_a) == set(on_b) == {"Laptop-A", "Laptop-B"}
    for name in on_a:
        assert FINGERPRINT.fullmatch(on_a[name]["fingerprint"]), on_a[name]
        assert on_a[name]["fingerprint"] == on_b[name]["fingerprint"]
        assert on_a[name]["member"] is True
    assert on_a["Laptop-A"]["fingerprint"] != on_a["Laptop-B"]["fingerprint"]
    assert on_a["Laptop-B"]["fingerprint"] in a.run("devices").stdout


def test_removing_a_laptop_gives_the_others_a_new_key_with_no_typing(
    make_laptop: Callable[[str, HubEndpoint], Laptop], folder_hub: HubEndpoint
):
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    c = make_laptop("Laptop-C", folder_hub)
    c.join_from(a)
    c.run("folder", "map", "memory", str(c.folder()))
    c.sync()
    b.sync()
    a.sync()

    refused = a.run("devices", "remove", "Laptop-A", check=False, extra_env={"MEMTRAY_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert refused.returncode == 2 and "cannot remove itself" in refused.stderr
    done = a.run("devices", "remove", "Laptop-C", extra_env={"MEMTRAY_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert "'Laptop-C' was removed." in done.stdout
    recovery_keys = RECOVERY_KEY.findall(done.stdout)
    assert len(recovery_keys) == 1
    assert NEW_PASSPHRASE not in done.stdout + done.stderr
    assert folder_hub.raw.keys("epoch/") == ["epoch/00000002"]

    (a.folder() / "CLAUDE.md").write_text("written after Laptop-C was removed\n")
    assert "removed" not in a.sync(), "the laptop that removed one does not announce it to itself"
    # B's stored passphrase is now stale and it may ask nobody: it opens the new key with its own laptop key.
    said = b.run("sync", extra_env={"MEMTRAY_PASSPHRASE": ""}).stdout
    assert "A laptop was removed: Laptop-C." in said
    assert (b.folder() / "CLAUDE.md").read_text() == "written after Laptop-C was removed\n"
    (b.folder() / "from-b.md").write_text("B writes under the new key\n")
    b.run("sync", extra_env={"MEMTRAY_PASSPHRASE": ""})
    a.sync()
    assert (a.folder() / "from-b.md").read_text() == "B writes under the new key\n"

    told = c.run("sync", check=False)
    assert told.returncode == 3
    assert REMOVED_SENTENCE in told.stderr
    assert (c.folder() / "CLAUDE.md").read_text() == "shared\n"

    on_b = devices(b)
    assert on_b["Laptop-C"]["member"] is False
    assert on_b["Laptop-A"]["member"] is True and on_b["Laptop-B"]["member"] is True
    assert "Laptop-C (removed)" in b.run("devices").stdout

    late = make_laptop("Laptop-D", folder_hub)
    code = a.run("setup-code").stdout.strip().splitlines()[-1]
    old = late.run("join", code, "--device-name", "Laptop-D", check=False)
    assert old.returncode == 3 and "passphrase is wrong" in old.stderr
    late.passphrase = NEW_PASSPHRASE
    late.run("join", code, "--device-name", "Laptop-D")
    assert "A new laptop joined: Laptop-D." in a.sync()


def test_removal_refuses_a_missing_passphrase_and_an_unknown_laptop(make_laptop, folder_hub: HubEndpoint):
    a, _ = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    a.sync()
    no_passphrase = a.run("devices", "remove", "Laptop-B", check=False)
    assert no_passphrase.returncode == 3 and "MEMTRAY_NEW_PASSPHRASE" in no_passphrase.stderr
    service = Service(resolve_home(a.home))
    try:
        with pytest.raises(PassphraseError, match="cannot be empty"):
            service.remove_laptop("Laptop-B", "")
    finally:
        service.close()
    unknown = a.run("devices", "revoke", "Laptop-Z", check=False, extra_env={"MEMTRAY_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert unknown.returncode == 2 and "no laptop called 'Laptop-Z'" in unknown.stderr
    assert folder_hub.raw.keys("epoch/") == []
    assert "(removed)" not in a.run("devices").stdout


def test_without_a_keychain_the_laptop_key_is_a_private_file_it_signs_with(make_laptop, folder_hub: HubEndpoint):
    a, b = make_laptop("Laptop-A", folder_hub), make_laptop("Laptop-B", folder_hub)
    a.env.update(NO_KEYCHAIN)
    b.env.update(NO_KEYCHAIN)
    a.init()
    key_file = a.home / "data" / "laptop-key"
    assert key_file.read_text().startswith("mtlk1:")
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    a.folder().mkdir()
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    b.join_from(a)
    b.run("folder", "map", "memory", str(b.folder()))
    b.sync()
    (a.folder() / "CLAUDE.md").write_text("signed with the key in the file\n")
    a.sync()
    b.sync()
    assert (b.folder() / "CLAUDE.md").read_text() == "signed with the key in the file\n"
    assert devices(b)["Laptop-A"]["fingerprint"] == devices(a)["Laptop-A"]["fingerprint"]


def test_a_running_laptop_picks_up_the_new_key_between_two_syncs(make_laptop, folder_hub: HubEndpoint):
    """The tray app keeps its keys for the whole run: a removal made elsewhere meanwhile must not leave it sealing
    under the key the removed laptop has."""
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    c = make_laptop("Laptop-C", folder_hub)
    c.join_from(a)
    a.sync()
    running = Service(resolve_home(b.home))
    try:
        running.sync()
        a.run("devices", "remove", "Laptop-C", extra_env={"MEMTRAY_NEW_PASSPHRASE": NEW_PASSPHRASE})
        (b.folder() / "from-running-b.md").write_text("sent by a laptop that was running during the removal\n")
        result = running.sync()
        assert result.left == ["Laptop-C"]
    finally:
        running.close()
    own_log = [key for key in folder_hub.raw.keys("log/") if key.startswith(f"log/{_device_id(b)}/")]
    assert key_generation_of(folder_hub.raw.read(own_log[-1])) == 2
    a.sync()
    assert (a.folder() / "from-running-b.md").exists()


def _device_id(laptop: Laptop) -> str:
    return str(json.loads((laptop.home / "config" / "config.json").read_text())["device_id"])


@pytest.mark.parametrize("roster_moves_on", [False, True], ids=["same-roster", "a-laptop-joined-meanwhile"])
def test_a_removal_that_stopped_half_way_is_finished_by_trying_again(
    make_laptop, folder_hub: HubEndpoint, roster_moves_on: bool
):
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    c = make_laptop("Laptop-C", folder_hub)
    c.join_from(a)
    c.run("folder", "map", "memory", str(c.folder()))
    c.sync()
    a.sync()
    blocker = folder_hub.raw.root / "roster" / f"{4:016x}"  # type: ignore[attr-defined]
    blocker.mkdir()  # the remove entry cannot be written: as if Laptop-A stopped right after the epoch record
    env = {"MEMTRAY_NEW_PASSPHRASE": NEW_PASSPHRASE}
    stopped = a.run("devices", "remove", "Laptop-C", check=False, extra_env=env)
    assert stopped.returncode == 5
    assert folder_hub.raw.keys("epoch/") == ["epoch/00000002"]
    left_behind = folder_hub.raw.read("epoch/00000002")

    # A key no removal in the roster started is no epoch yet: every laptop, Laptop-C too, keeps the one it has.
    (b.folder() / "while-waiting.md").write_text("written while the removal waits\n")
    b.sync()
    c.sync()
    assert (c.folder() / "while-waiting.md").read_text() == "written while the removal waits\n"

    blocker.rmdir()
    if roster_moves_on:
        d = make_laptop("Laptop-D", folder_hub)
        d.join_from(a)
        d.run("folder", "map", "memory", str(d.folder()))
        b.sync()
    a.run("devices", "remove", "Laptop-C", extra_env=env)
    assert folder_hub.raw.keys("epoch/") == ["epoch/00000002"]
    replaced = folder_hub.raw.read("epoch/00000002") != left_behind
    assert replaced is roster_moves_on, "the record left behind is used again unless the roster moved on"
    assert REMOVED_SENTENCE in c.run("sync", check=False).stderr
    (a.folder() / "after.md").write_text("after the removal\n")
    a.sync()
    for other in [b, d] if roster_moves_on else [b]:
        other.sync()
        assert (other.folder() / "after.md").read_text() == "after the removal\n"


def test_laptops_on_the_previous_release_upgrade_into_the_roster_unannounced(
    make_laptop, folder_hub: HubEndpoint, previous_release: Path
):
    """An existing vault gets its roster at its laptops' first syncs on this version, with nothing to type; a
    laptop that was syncing all along is not "a new laptop" to the others, one that joins later is."""
    a, b = paired(
        lambda name, hub: on_previous_release(make_laptop(name, hub), previous_release),
        folder_hub,
        {"CLAUDE.md": "from the previous release\n"},
    )
    assert folder_hub.raw.keys("roster/") == []

    for laptop in (a, b):
        upgrade(laptop)
    for laptop in (a, b, a):
        assert "joined" not in laptop.sync()
    assert len(folder_hub.raw.keys("roster/")) == 2
    assert all(device["member"] and device["fingerprint"] for device in devices(a).values())

    c = make_laptop("Laptop-C", folder_hub)
    c.join_from(a)
    assert "A new laptop joined: Laptop-C." in a.sync()


def test_a_key_granted_on_the_storage_is_not_pinned_until_the_roster_backs_it(make_laptop, folder_hub: HubEndpoint):
    """Anyone who can write to the storage can wrap a key for B's public key and make a key file B's passphrase opens
    (a removed laptop knows the old one). With no removal in the roster behind it, B keeps its pin and its epoch."""
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    a.sync()
    b.sync()
    b_home = resolve_home(b.home)
    with opened(a) as service:
        service.members.refresh(service.epoch_keys())
        roster = service.members.roster
        assert roster is not None and roster.pin is not None
        forged = os.urandom(32)
        record = make_epoch(
            service.config.vault_id,
            2,
            service.members.own_signer(),
            roster.pin.seq + 1,
            {device: member.agree_public for device, member in roster.members.items()},
            forged,
            service.members.raw_key(1),
        )
        service.hub().put_new(epoch_key(2), record)
        forged_file, _ = rotate(keyfile.load_pin(service.home.keyfile_pin), forged, 2, b.passphrase)
        keyfile.publish(service.hub(), forged_file, None)
    pinned = b_home.keyfile_pin.read_bytes()

    (b.folder() / "after.md").write_text("sealed with the key the roster backs\n")
    b.sync()
    assert b_home.keyfile_pin.read_bytes() == pinned, "a key file the roster does not back was pinned"
    with opened(b) as service:
        newest = service.hub().list(f"log/{service.config.device_id}/")[-1]
        assert key_generation_of(service.hub().get(newest)) == 1, "B sealed under a key the roster does not back"
    a.sync()
    assert (a.folder() / "after.md").read_text() == "sealed with the key the roster backs\n"
