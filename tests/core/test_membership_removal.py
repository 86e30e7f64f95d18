"""Removing a laptop, as three real laptops live it: one removes another while the third is switched off.

The third laptop's memtray is not running during the removal and its stored passphrase is now the old one: its
next sync must pick up the new key by itself (no typing) and converge. The removed laptop is told so, and what
it writes afterwards reaches nobody.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.servers import HubEndpoint
from tests.support.attacker import NEW_PASSPHRASE, members, remove_laptop, without_logs
from tests.support.laptops import PASSPHRASE, Laptop, assert_synced, device_id, paired, tree

MakeLaptop = Callable[[str, HubEndpoint], Laptop]
REMOVED_EXIT = 3
USAGE_EXIT = 2
FINGERPRINT = r"[A-Z2-7]{4} [A-Z2-7]{4} [A-Z2-7]{4} [A-Z2-7]{4}"


def _join(laptop: Laptop, inviter: Laptop) -> None:
    laptop.join_from(inviter)
    laptop.run("folder", "map", "memory", str(laptop.folder()))
    laptop.sync()


def test_a_laptop_removed_while_another_is_off_is_shut_out_and_the_other_catches_up_alone(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop
) -> None:
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    c = make_laptop("Laptop-C", folder_hub)
    _join(c, a)
    (c.folder() / "from-c.md").write_text("C wrote this while it was a member\n")
    c.sync()
    a.sync()
    b.sync()
    a.sync()
    listed = members(a)
    assert {name: entry["member"] for name, entry in listed.items()} == {
        "Laptop-A": True,
        "Laptop-B": True,
        "Laptop-C": True,
    }
    fingerprints = {str(entry["fingerprint"]) for entry in listed.values()}
    assert len(fingerprints) == 3 and all(len(text) == 19 for text in fingerprints), fingerprints

    (a.folder() / "while-b-is-off.md").write_text("written by A before the removal\n")
    a.sync()
    new_recovery = remove_laptop(a, "Laptop-C")
    assert PASSPHRASE not in new_recovery and NEW_PASSPHRASE not in new_recovery
    (a.folder() / "after-removal.md").write_text("written by A after the removal\n")
    a.sync()
    assert members(a)["Laptop-C"]["member"] is False

    assert b.passphrase == PASSPHRASE, "B's person typed nothing: it still has the old passphrase"
    caught_up = b.run("sync")
    assert "Traceback" not in caught_up.stderr
    assert (b.folder() / "after-removal.md").read_text() == "written by A after the removal\n"
    assert (b.folder() / "from-c.md").read_text() == "C wrote this while it was a member\n"
    assert members(b)["Laptop-C"]["member"] is False
    (b.folder() / "from-b.md").write_text("B after catching up\n")
    b.sync()
    a.sync()
    assert (a.folder() / "from-b.md").read_text() == "B after catching up\n"

    (c.folder() / "c-after-removal.md").write_text("C is no longer a member\n")
    (c.folder() / "CLAUDE.md").write_text("C tries to overwrite the shared file\n")
    told = c.run("sync", check=False)
    assert told.returncode == REMOVED_EXIT, told.stderr
    assert "removed" in told.stderr and "Traceback" not in told.stderr
    assert len(told.stderr.strip().splitlines()) == 1
    for laptop in (a, b):
        laptop.sync()
        assert not (laptop.folder() / "c-after-removal.md").exists()
        assert (laptop.folder() / "CLAUDE.md").read_text() == "shared\n"
    a.sync()
    b.sync()
    _assert_converged(a, b, folder_hub, removed=c)


def test_removing_asks_for_a_new_passphrase_and_refuses_this_laptop_and_unknown_names(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop
) -> None:
    a, _ = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    a.sync()
    roster_before = folder_hub.raw.keys("roster/")
    for name, new_passphrase in (("Laptop-A", NEW_PASSPHRASE), ("Laptop-Z", NEW_PASSPHRASE), ("Laptop-B", "")):
        done = a.run("devices", "remove", name, check=False, extra_env={"MEMTRAY_NEW_PASSPHRASE": new_passphrase})
        assert done.returncode == USAGE_EXIT or (done.returncode != 0 and not new_passphrase), done.stderr
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert folder_hub.raw.keys("roster/") == roster_before
    assert not folder_hub.raw.keys("epoch/")
    assert all(entry["member"] for entry in members(a).values())


def _assert_converged(a: Laptop, b: Laptop, hub: HubEndpoint, removed: Laptop) -> None:
    """A and B agree on disk, index and every log but the removed laptop's refused tail."""
    assert tree(a.folder()) == tree(b.folder())
    assert_synced([a, b], without_logs(hub, {device_id(removed)}))
