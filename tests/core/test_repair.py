"""When the hub really lost data: the refusal names the object, and `memtray repair` lets every laptop carry on."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers import HubEndpoint
from tests.servers.kinds import HUB_KINDS
from tests.support.laptops import Laptop, paired, tree

MakeLaptop = Callable[[str, HubEndpoint], Laptop]


@pytest.fixture(params=["folder", "memtray-hub"])
def repair_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubEndpoint]:
    with HUB_KINDS[request.param](tmp_path / "server") as endpoint:
        yield endpoint


def _device_id(laptop: Laptop) -> str:
    return str(json.loads((laptop.home / "config" / "config.json").read_text())["device_id"])


def _log_key(laptop: Laptop, seq: int) -> str:
    return f"log/{_device_id(laptop)}/{seq:016x}"


def _head(hub: HubEndpoint, laptop: Laptop) -> int:
    return max(int(key.rsplit("/", 1)[1], 16) for key in hub.raw.keys(f"log/{_device_id(laptop)}/"))


def _refused(laptop: Laptop, key: str) -> str:
    before = tree(laptop.folder())
    done = laptop.run("sync", check=False)
    assert done.returncode == 5, done.stderr
    assert key in done.stderr, done.stderr
    assert "memtray repair" in done.stderr
    assert tree(laptop.folder()) == before
    return done.stderr


def _write(laptop: Laptop, name: str, text: str) -> None:
    (laptop.folder() / name).write_text(text)


def test_a_lost_entry_of_another_laptop_is_named_and_repair_lets_everyone_carry_on(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop
) -> None:
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    c = make_laptop("Laptop-C", folder_hub)
    c.join_from(a)
    c.run("folder", "map", "memory", str(c.folder()))
    c.sync()
    _write(b, "b1.md", "first from B\n")
    b.sync()
    lost = _log_key(b, _head(folder_hub, b))
    _write(b, "b2.md", "second from B\n")
    b.sync()
    folder_hub.raw.delete(lost)

    _refused(c, lost)
    _refused(c, lost)
    _refused(a, lost)
    old_c, old_b = _device_id(c), _device_id(b)

    repaired = c.run("repair", "--yes")
    assert "Repaired" in repaired.stdout
    assert _device_id(c) != old_c
    _refused(a, lost)
    b.sync()
    assert _device_id(b) != old_b, "B was told its history is damaged and should have repaired itself"
    a.sync()
    c.sync()
    a.sync()
    expected = {"CLAUDE.md": b"shared\n", "b1.md": b"first from B\n", "b2.md": b"second from B\n"}
    for laptop in (a, b, c):
        assert tree(laptop.folder()) == expected, laptop.name
        assert not (laptop.folder() / ".memtray-conflicts").exists()

    _write(c, "after.md", "written after the repair\n")
    c.sync()
    b.sync()
    a.sync()
    assert (a.folder() / "after.md").read_text() == "written after the repair\n"
    assert (b.folder() / "after.md").read_text() == "written after the repair\n"
    assert c.status()["last_error"] is None


def test_own_newest_entry_lost_then_repair_resends_the_edit_to_the_others(
    repair_hub: HubEndpoint, make_laptop: MakeLaptop
) -> None:
    a, b = paired(make_laptop, repair_hub, {"CLAUDE.md": "shared\n"})
    _write(a, "only-in-lost-entry.md", "an edit whose entry the hub lost\n")
    a.sync()
    lost = _log_key(a, _head(repair_hub, a))
    repair_hub.raw.delete(lost)
    b.sync()
    assert not (b.folder() / "only-in-lost-entry.md").exists()

    stderr = _refused(a, lost)
    assert "which this laptop sent earlier" in stderr

    a.run("repair", "--yes")
    b.sync()
    assert (b.folder() / "only-in-lost-entry.md").read_text() == "an edit whose entry the hub lost\n"
    _write(b, "reply.md", "from B after the repair\n")
    b.sync()
    a.sync()
    assert tree(a.folder()) == tree(b.folder())
    names = sorted(device["name"] for device in json.loads(a.run("devices", "--json").stdout))
    assert names.count("Laptop-A") == 1, names


def test_repair_asks_first_and_does_nothing_when_the_hub_is_complete(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop
) -> None:
    a, _ = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    before = _device_id(a)
    keys_before = folder_hub.raw.keys("log/")

    unconfirmed = a.run("repair", check=False)
    assert unconfirmed.returncode == 2
    assert "--yes" in unconfirmed.stderr
    assert "has really lost data" in unconfirmed.stderr

    complete = a.run("repair", "--yes")
    assert "nothing to repair" in complete.stdout
    assert _device_id(a) == before
    assert folder_hub.raw.keys("log/") == keys_before
