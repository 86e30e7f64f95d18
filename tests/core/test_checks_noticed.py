"""Each history check on pull is needed: a hub that holds the vault key attacks it, and the sync refuses.

The attacker here is as strong as it gets: it holds the real vault key and laptop A's own key (A itself gone
hostile, or its keychain stolen), so it can seal and sign entries in A's name that open cleanly (an attacker
without A's key is stopped by A's signature: see test_signed_entries.py). What still stops it is one check each:
- the hash chain (``prev``): a forged entry that does not follow on from the one before it;
- the acknowledgements: the hub hides from B an entry of A's that C already acknowledged;
- the own-log check: the hub deletes laptop A's own newest entry, then A syncs;
- the inline-content fingerprint: an entry whose content does not match its recorded hash.
Each test fails if its check is removed (verified by deleting the check in a copy of the code).
After every refusal the laptop's files and index are exactly as before, and nothing was sent.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace

import pytest

from memtray.errors import IntegrityError, RollbackError
from memtray.hubs.keys import log_key
from memtray.membership.laptop_key import LaptopSigner
from memtray.sync.entry import GENESIS, FileChange, LogEntry, open_entry, seal_entry
from memtray.vault.keys import VaultKeys
from tests.servers import HubEndpoint
from tests.support.laptops import Laptop, device_id, opened, paired, tree

MakeLaptop = Callable[[str, HubEndpoint], Laptop]
LocalState = tuple[dict[str, bytes], list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]
FILES = {"keep.md": "original\n", "other.md": "untouched\n"}


def vault_keys(laptop: Laptop) -> VaultKeys:
    with opened(laptop) as service:
        return service.vault_keys()


def signer(laptop: Laptop) -> LaptopSigner:
    with opened(laptop) as service:
        own = service.members.signer()
    assert own is not None, f"{laptop.name} has no laptop key"
    return own


def log_seqs(hub: HubEndpoint, device: str) -> list[int]:
    return sorted(int(key.rsplit("/", 1)[1], 16) for key in hub.raw.keys(f"log/{device}/"))


def local_state(laptop: Laptop) -> LocalState:
    """The folder's files and everything the index says about files, cursors and this laptop's own log."""
    with closing(sqlite3.connect(laptop.home / "data" / "index.sqlite3")) as db:
        files = db.execute("SELECT * FROM files ORDER BY folder, path").fetchall()
        cursors = db.execute("SELECT * FROM cursors ORDER BY device").fetchall()
        own = db.execute("SELECT key, value FROM meta WHERE key IN ('seq', 'hash') ORDER BY key").fetchall()
    return tree(laptop.folder()), files, cursors, own


def expect_refusal(laptop: Laptop, expected: type[IntegrityError], words: tuple[str, ...]) -> None:
    """``laptop`` syncs: exactly ``expected`` is raised, told in one plain sentence, and nothing local changed."""
    before = local_state(laptop)
    with opened(laptop) as service, pytest.raises(IntegrityError) as caught:
        service.sync()
    assert type(caught.value) is expected, f"{type(caught.value).__name__}: {caught.value.message}"
    message = caught.value.message
    assert "\n" not in message and message[0].isupper() and message.endswith("."), message
    assert "Traceback" not in message and "Error(" not in message and "b'" not in message, message
    assert laptop.passphrase not in message
    assert any(word in message for word in words), message
    assert local_state(laptop) == before, f"{laptop.name} changed something although the sync was refused"


def reseal_newest(laptop: Laptop, hub: HubEndpoint, forge: Callable[[LogEntry], LogEntry]) -> None:
    """Replace ``laptop``'s newest log entry with ``forge(entry)``, sealed with the real vault key in its slot and
    signed with the laptop's own key."""
    keys, device = vault_keys(laptop), device_id(laptop)
    seq = log_seqs(hub, device)[-1]
    key = log_key(device, seq)
    forged = forge(open_entry(keys, hub.raw.read(key), device, seq))
    hub.raw.write(key, seal_entry(keys, forged, signer=signer(laptop)))


def with_content(change: FileChange, data: bytes, *, matching_fingerprint: bool) -> FileChange:
    assert change.data is not None, "the change was expected to carry its content inline"
    assert len(data) == len(change.data), "forged content keeps the recorded size"
    sha = hashlib.sha256(data).hexdigest() if matching_fingerprint else change.version.sha
    return FileChange(replace(change.version, sha=sha), data)


def edited_by_a(a: Laptop) -> None:
    (a.folder() / "keep.md").write_text("second version from A\n")
    a.sync()


def test_an_entry_that_does_not_follow_on_from_the_last_is_refused(folder_hub: HubEndpoint, make_laptop: MakeLaptop):
    """A fork: A's newest entry replaced by one that claims to start a fresh history (prev = genesis)."""
    a, b = paired(make_laptop, folder_hub, FILES)
    edited_by_a(a)
    forged = b"FORGED version from X\n"

    def restart_history(entry: LogEntry) -> LogEntry:
        assert entry.prev != GENESIS
        (change,) = entry.changes
        return replace(entry, prev=GENESIS, changes=[with_content(change, forged, matching_fingerprint=True)])

    reseal_newest(a, folder_hub, restart_history)
    expect_refusal(b, IntegrityError, ("does not fit together", "replaced or reordered"))
    assert (b.folder() / "keep.md").read_bytes() == b"original\n"


def test_an_entry_acknowledged_by_another_laptop_cannot_be_hidden(folder_hub: HubEndpoint, make_laptop: MakeLaptop):
    """C received A's newest entry and acknowledged it; the hub then hides that entry from B."""
    a, b = paired(make_laptop, folder_hub, FILES)
    c = make_laptop("Laptop-C", folder_hub)
    c.join_from(a)
    c.run("folder", "map", "memory", str(c.folder()))
    c.sync()
    edited_by_a(a)
    (c.folder() / "from-c.md").write_text("written on C after it received A's edit\n")
    c.sync()
    a_id = device_id(a)
    hidden_key = log_key(a_id, log_seqs(folder_hub, a_id)[-1])
    hidden = folder_hub.raw.read(hidden_key)
    folder_hub.raw.delete(hidden_key)

    expect_refusal(b, RollbackError, ("no longer has", "lost or altered"))
    assert tree(b.folder()) == {"keep.md": b"original\n", "other.md": b"untouched\n"}

    folder_hub.raw.write(hidden_key, hidden)
    b.sync()
    assert tree(b.folder()) == tree(a.folder()) | {"from-c.md": b"written on C after it received A's edit\n"}


def test_a_laptop_notices_its_own_newest_entry_is_gone(folder_hub: HubEndpoint, make_laptop: MakeLaptop):
    """Nobody else has seen A's newest entry yet (so no acknowledgement betrays it); the hub deletes it."""
    a = make_laptop("Laptop-A", folder_hub)
    a.init()
    a.folder().mkdir()
    (a.folder() / "keep.md").write_text("original\n")
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    edited_by_a(a)
    a_id = device_id(a)
    seqs = log_seqs(folder_hub, a_id)
    folder_hub.raw.delete(log_key(a_id, seqs[-1]))
    (a.folder() / "keep.md").write_text("third version, not to be sent past a hole\n")

    expect_refusal(a, RollbackError, ("this laptop",))
    assert log_seqs(folder_hub, a_id) == seqs[:-1], "A sent an entry past the hole in its own history"


def test_inline_content_that_does_not_match_its_fingerprint_is_refused(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop
):
    """A's newest entry keeps its chain and recorded fingerprint, but carries other bytes of the same size."""
    a, b = paired(make_laptop, folder_hub, FILES)
    edited_by_a(a)
    forged = b"FORGED version from X\n"

    def swap_content(entry: LogEntry) -> LogEntry:
        (change,) = entry.changes
        return replace(entry, changes=[with_content(change, forged, matching_fingerprint=False)])

    reseal_newest(a, folder_hub, swap_content)
    expect_refusal(b, IntegrityError, ("fingerprint",))
    assert (b.folder() / "keep.md").read_bytes() == b"original\n"


def test_an_own_entry_left_by_an_interrupted_sync_is_checked_before_it_is_adopted(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop
):
    """The hub plants an entry after A's newest, as if A's last sync had stopped before saving its index;
    its inline content does not match its fingerprint, so A must not adopt it into its index."""
    a, _ = paired(make_laptop, folder_hub, FILES)
    edited_by_a(a)
    keys, a_id = vault_keys(a), device_id(a)
    seq = log_seqs(folder_hub, a_id)[-1]
    sealed = folder_hub.raw.read(log_key(a_id, seq))
    newest = open_entry(keys, sealed, a_id, seq)
    (change,) = newest.changes
    planted = replace(
        newest,
        seq=seq + 1,
        prev=hashlib.sha256(sealed).hexdigest(),
        changes=[with_content(change, b"PLANTED text by a hub\n", matching_fingerprint=False)],
    )
    folder_hub.raw.write(log_key(a_id, seq + 1), seal_entry(keys, planted, signer=signer(a)))
    expect_refusal(a, IntegrityError, ("does not match its fingerprint",))
