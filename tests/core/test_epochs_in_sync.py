"""Entries and blobs carry the key epoch they are sealed under, and are opened with that epoch's keys.

A laptop that holds epochs 1 and 2 seals everything new under 2 and still reads what was sealed under 1; a laptop
that holds only epoch 1 stops with ``UnknownEpochError`` before it changes anything (the service then fetches the
new epoch's keys and tries once more). Real laptops and a real folder hub; each laptop's engine runs in this
process with the keys given here. Each test fails when the check it covers is removed (verified in a copy).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable

import pytest

from memtray.hubs.keys import LOG_PREFIX, blob_key, parse_log_key
from memtray.membership.view import Membership
from memtray.sync import repair
from memtray.sync.entry import LogEntry, open_blob, open_entry, seal_blob, seal_entry
from memtray.vault.envelope import key_generation_of
from memtray.vault.epochs import EpochKeys, UnknownEpochError
from memtray.vault.keys import VaultKeys
from tests.core.test_signed_entries import device_id, epoch_keys, local_state, log_seqs, opened, sync_engine
from tests.servers import HubEndpoint
from tests.support.laptops import Laptop, paired

MakeLaptop = Callable[[str, HubEndpoint], Laptop]
BIG = 600 * 1024
"""Larger than what travels inside an entry, so it goes as a blob of its own."""


def with_second_epoch(first: EpochKeys) -> EpochKeys:
    """``first``'s epoch 1 and a new random epoch 2, current, as after a removal."""
    vault_id = first.vault_id
    return EpochKeys(vault_id, 2, {1: first.opening(1), 2: VaultKeys.derive(vault_id, os.urandom(32))})


def big_text(seed: str) -> bytes:
    return b"".join(hashlib.sha256(f"{seed}{i}".encode()).hexdigest().encode() + b"\n" for i in range(BIG // 65 + 1))


def test_objects_sealed_under_epoch_two_open_only_with_its_keys():
    first = VaultKeys.derive(uuid.uuid4().hex, bytes(32))
    both = with_second_epoch(EpochKeys.single(first))
    epoch, keys = both.sealing()
    entry = LogEntry(uuid.uuid4().hex, 1, "0" * 64, "Laptop-A", "linux", 1.0)
    sealed = seal_entry(keys, entry, epoch=epoch)
    blob = seal_blob(keys, "b1", b"notes", epoch=epoch)
    assert key_generation_of(sealed) == key_generation_of(blob) == 2
    assert open_entry(both, sealed, entry.device_id, 1) == entry
    assert open_blob(both, "b1", blob, hashlib.sha256(b"notes").hexdigest()) == b"notes"
    old = seal_entry(first, entry)
    assert open_entry(both, old, entry.device_id, 1) == entry, "epoch 1 stays readable"
    for only_first in (first, EpochKeys.single(first)):
        with pytest.raises(UnknownEpochError, match="key number 2"):
            open_entry(only_first, sealed, entry.device_id, 1)
        with pytest.raises(UnknownEpochError):
            open_blob(only_first, "b1", blob, hashlib.sha256(b"notes").hexdigest())


def test_a_laptop_reads_both_epochs_and_one_without_the_new_key_changes_nothing(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop
):
    """A writes under epoch 1, then (holding epoch 2) a small file and a blob under epoch 2. B with only epoch 1
    stops before changing anything, its repair check included; B with both epochs applies all of it."""
    a, b = paired(make_laptop, folder_hub, {"keep.md": "original\n"})
    a_id = device_id(a)
    first = epoch_keys(a)
    both = with_second_epoch(first)
    no_roster = Membership()

    (a.folder() / "keep.md").write_text("under epoch 1\n")
    sync_engine(a, no_roster, keys=first)
    epoch_one_seq = log_seqs(folder_hub, a_id)[-1]
    (a.folder() / "keep.md").write_text("under epoch 2\n")
    (a.folder() / "big.md").write_bytes(big_text("epoch 2"))
    sync_engine(a, no_roster, keys=both)
    notice, *new_entries = sorted(key for key in folder_hub.raw.keys(LOG_PREFIX) if _seq_of(key, a_id) > epoch_one_seq)
    assert key_generation_of(folder_hub.raw.read(notice)) == 1, "the notice for older releases comes first, epoch 1"
    assert open_entry(first, folder_hub.raw.read(notice), a_id, _seq_of(notice, a_id)).notice
    assert new_entries and all(key_generation_of(folder_hub.raw.read(key)) == 2 for key in new_entries)
    blobs = folder_hub.raw.keys(blob_key(""))
    assert [key_generation_of(folder_hub.raw.read(key)) for key in blobs] == [2]
    assert key_generation_of(folder_hub.raw.read(f"{LOG_PREFIX}{a_id}/{epoch_one_seq:016x}")) == 1

    before = local_state(b)
    with pytest.raises(UnknownEpochError) as caught:
        sync_engine(b, no_roster, keys=first)
    assert "Repair" not in caught.value.message, "a missing epoch is no damage to repair"
    assert local_state(b) == before
    with opened(b) as service, pytest.raises(UnknownEpochError):
        repair.damaged_logs(service.hub(), first, service.index, service.config.device_id)

    sync_engine(b, no_roster, keys=both)
    assert (b.folder() / "keep.md").read_text() == "under epoch 2\n"
    assert (b.folder() / "big.md").read_bytes() == big_text("epoch 2")


def _seq_of(key: str, device: str) -> int:
    parsed = parse_log_key(key)
    return parsed[1] if parsed is not None and parsed[0] == device else -1
