"""A long-running memtray (the tray app, `memtray sync --watch`) reads the keychain when it unlocks, not at every
sync: each read costs tens of milliseconds, and gnome-keyring's memory grows with every secret it hands out
(about 8 KB a read, measured), so a read per sync would add up over months of file changes."""

from __future__ import annotations

from pathlib import Path

from memtray.keychain import SecretStore
from memtray.paths import resolve_home
from memtray.service import Service

PASSPHRASE = "correct horse battery staple 42"


class CountingStore:
    """The real keychain, with a count of the items read from it."""

    def __init__(self, real: SecretStore) -> None:
        self.real = real
        self.reads: list[str] = []

    def available(self) -> bool:
        return self.real.available()

    def get(self, name: str) -> str | None:
        self.reads.append(name)
        return self.real.get(name)

    def peek(self, name: str) -> str | None:
        self.reads.append(name)
        return self.real.peek(name)

    def is_open(self) -> bool:
        return self.real.is_open()

    def set(self, name: str, value: str) -> None:
        self.real.set(name, value)

    def delete(self, name: str) -> None:
        self.real.delete(name)


def test_syncs_after_the_first_read_nothing_from_the_keychain(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "CLAUDE.md").write_text("# Memory\n", encoding="utf-8")
    service = Service(resolve_home(tmp_path / "home"))
    try:
        service.init(str(tmp_path / "hub"), PASSPHRASE, device_name="Laptop A")
        service.add_folder("notes", str(folder), include=("*.md",))
        service.sync()
        counting = CountingStore(service.keychain)
        service.keychain = counting
        for number in range(5):
            (folder / "CLAUDE.md").write_text(f"# Memory\n\nEdit {number}.\n", encoding="utf-8")
            assert service.sync().uploaded == 1
        assert counting.reads == []
    finally:
        service.close()
