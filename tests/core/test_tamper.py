"""A hub that flips, swaps, replays, truncates or deletes objects is caught, and no local file is harmed."""

from __future__ import annotations

from collections.abc import Callable

from tests.servers import HubEndpoint
from tests.support.laptops import Laptop, tree

MakeLaptop = Callable[[str, HubEndpoint], Laptop]
INTEGRITY_EXIT = 5


def _log_keys(hub: HubEndpoint, device_key_prefix: str) -> list[str]:
    return [key for key in hub.raw.keys("log/") if key.startswith(device_key_prefix)]


def _expect_refusal(b: Laptop, before: dict[str, bytes], words: tuple[str, ...]) -> None:
    done = b.run("sync", check=False)
    assert done.returncode == INTEGRITY_EXIT, done.stderr
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1
    assert any(word in message for word in words), message
    assert "Traceback" not in done.stderr
    assert tree(b.folder()) == before


def test_tampered_hub_objects_are_refused_and_nothing_local_changes(hub: HubEndpoint, make_laptop: MakeLaptop):
    a, b = make_laptop("Laptop-A", hub), make_laptop("Laptop-B", hub)
    a.init()
    a.folder().mkdir()
    (a.folder() / "keep.md").write_text("original\n")
    (a.folder() / "other.md").write_text("untouched\n")
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    b.join_from(a)
    b.run("folder", "map", "memory", str(b.folder()))
    b.sync()
    (a.folder() / "keep.md").write_text("second version from A\n")
    (a.folder() / "other.md").unlink()
    a.sync()
    first, second = sorted(key for key in hub.raw.keys("log/") if len(_log_keys(hub, key.rsplit("/", 1)[0])) == 2)
    original = {key: hub.raw.read(key) for key in (first, second)}
    before = tree(b.folder())
    assert before == {"keep.md": b"original\n", "other.md": b"untouched\n"}
    integrity = ("integrity", "changed, moved or damaged", "does not fit together", "could not be read")

    flipped = bytearray(original[second])
    flipped[len(flipped) // 2] ^= 0x01
    hub.raw.write(second, bytes(flipped))
    _expect_refusal(b, before, integrity)

    hub.raw.write(first, original[second])
    hub.raw.write(second, original[first])
    _expect_refusal(b, before, integrity)

    hub.raw.write(first, original[first])
    hub.raw.write(second, original[first])
    _expect_refusal(b, before, integrity)

    hub.raw.write(second, original[second][: len(original[second]) // 2])
    _expect_refusal(b, before, integrity)

    hub.raw.delete(first)
    hub.raw.write(second, original[second])
    _expect_refusal(b, before, ("lost or altered", "no longer has", "missing part"))

    hub.raw.write(first, original[first])
    b.sync()
    assert tree(b.folder()) == {"keep.md": b"second version from A\n"}
    hub.raw.delete(second)
    _expect_refusal(b, {"keep.md": b"second version from A\n"}, ("lost or altered", "no longer has"))
