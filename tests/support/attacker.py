"""A removed laptop turned attacker: everything it ever had, every key it can get from that, and what it opens.

``steal`` takes what a laptop holds at the moment it is removed (or any moment before): a copy of its home
folder, every keychain item of that home (its laptop key among them), the passphrase it knew, the recovery key
it was shown, and a full copy of the hub's objects (for a memtray hub, a copy of the server's database).
``keys_held`` derives every key that loot yields: each key file on the hub and in its home opened with the old
passphrase and the old recovery key, each epoch record's grant opened with its laptop key and walked down to
epoch 1, and any 32-byte value written in base64 or hex in its keychain, its home's files or its index; every
subkey of each. ``open_everything`` tries every
one of those keys on every sealed object of a hub copy, with the slot each object's name gives, and returns
what opened. ``forge_entry``, ``forge_self_add``, ``forge_roster_entry`` and ``forge_removal`` are what it (or a
member turned hostile) writes back behind the hub's back. It also holds the command-line steps the
membership tests share (remove a laptop, list members).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import hashlib
import json
import re
import shutil
import sqlite3
import struct
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from memtray.hubs.keys import KEYFILE_PREFIX
from memtray.keychain import Keychain
from memtray.membership.epochs import EpochRecord
from memtray.membership.laptop_key import LaptopKey, LaptopSigner
from memtray.membership.roster_entry import (
    ADD,
    GENESIS_HASH,
    REMOVE,
    RosterEntry,
    make_roster_entry,
    sealed_hash,
)
from memtray.membership.roster_entry import open_entry as open_roster_entry
from memtray.paths import resolve_home
from memtray.sync.entry import FileChange, LogEntry, entry_hash, seal_entry
from memtray.sync.records import FileVersion, FolderDef
from memtray.vault.envelope import MAGIC, key_generation_of, object_aad, open_sealed
from memtray.vault.keys import KEY_BYTES, KeyFile, VaultKeys, unlock, unlock_with_recovery
from tests.servers import HubEndpoint, RawStore
from tests.support.laptops import Laptop

LAPTOP_KEY_ITEM = "laptop-key"
LAPTOP_KEY_PREFIX = b"mtlk1:"
EPOCH_PREFIX = "epoch/"
ROSTER_PREFIX = "roster/"
INFLATE_LIMIT = 64 * 1024 * 1024
NEW_PASSPHRASE = "a new passphrase the removed laptop never saw 97"
RECOVERY_KEY = re.compile(r"\b[A-Z2-7]{4}(?:-[A-Z2-7]{4}){13}\b")
_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{40,}")


@dataclass(frozen=True, repr=False)
class Loot:
    """What one laptop had: ``hub`` is the hub's objects as they were when it was taken."""

    name: str
    device_id: str
    vault_id: str
    home: Path
    keychain: dict[str, str]
    passphrase: str
    recovery_key: str | None
    hub: dict[str, bytes]

    def laptop_key_text(self) -> str | None:
        """Its laptop key, from its keychain or (without one) from whichever file in its home holds it."""
        stored = self.keychain.get(f"{self.vault_id}:{LAPTOP_KEY_ITEM}")
        if stored:
            return stored
        for path in sorted(self.home.rglob("*")):
            if path.is_file() and path.read_bytes().startswith(LAPTOP_KEY_PREFIX):
                return path.read_text().strip()
        return None

    def __repr__(self) -> str:
        return f"Loot(name={self.name!r}, objects={len(self.hub)})"


@dataclass(repr=False)
class HeldKeys:
    """Every raw 32-byte key the loot yields, with the epoch it is known to be when that is known."""

    vault_id: str
    by_epoch: dict[int, bytes] = field(default_factory=dict)
    loose: set[bytes] = field(default_factory=set)

    def raw(self) -> set[bytes]:
        return set(self.by_epoch.values()) | self.loose

    def candidates(self) -> set[bytes]:
        """Each raw key and every subkey memtray derives from it (whatever subkeys ``VaultKeys`` has)."""
        found = set(self.raw())
        for key in self.raw():
            derived = VaultKeys.derive(self.vault_id, key)
            found |= {value for value in vars(derived).values() if isinstance(value, bytes)}
        return found

    def vault_keys(self, epoch: int) -> VaultKeys:
        return VaultKeys.derive(self.vault_id, self.by_epoch[epoch])

    def epochs(self) -> list[int]:
        return sorted(self.by_epoch)

    def __repr__(self) -> str:
        return f"HeldKeys(epochs={self.epochs()}, loose={len(self.loose)})"


@dataclass(frozen=True, repr=False)
class Opened:
    key: str
    plaintext: bytes

    def __repr__(self) -> str:
        return f"Opened({self.key!r})"

    def is_notice_for_older_releases(self) -> bool:
        """A log entry that holds only its slot and the hash of the entry before it (memtray.sync.entry's
        ``NOTICE_FORMAT``): what the storage shows anyway."""
        if not self.key.startswith("log/") or len(self.plaintext) < 4:
            return False
        (length,) = struct.unpack(">I", self.plaintext[:4])
        if len(self.plaintext) != 4 + length:
            return False
        try:
            header = json.loads(self.plaintext[4:])
        except ValueError:
            return False
        return isinstance(header, dict) and set(header) == {"v", "device", "seq", "prev"} and header["v"] == 2


def recovery_key_in(output: str) -> str:
    """The recovery key a command printed (init, devices remove)."""
    match = RECOVERY_KEY.search(output)
    assert match, "no recovery key was printed"
    return match.group(0)


def remove_laptop(remover: Laptop, name: str, new_passphrase: str = NEW_PASSPHRASE) -> str:
    """``memtray devices remove NAME`` on ``remover`` with a new passphrase; the new recovery key it printed.
    The remover's person typed the new passphrase, so the remover uses it from then on."""
    done = remover.run("devices", "remove", name, extra_env={"MEMTRAY_NEW_PASSPHRASE": new_passphrase})
    remover.passphrase = new_passphrase
    return recovery_key_in(done.stdout)


def members(laptop: Laptop) -> dict[str, dict[str, object]]:
    """``memtray devices --json`` by laptop name."""
    return {str(device["name"]): device for device in _devices(laptop)}


def current_member_ids(laptop: Laptop) -> set[str]:
    """The device ids ``memtray devices --json`` on ``laptop`` lists as current members."""
    return {str(device["device_id"]) for device in _devices(laptop) if device["member"] is True}


def _devices(laptop: Laptop) -> list[dict[str, object]]:
    return list(json.loads(laptop.run("devices", "--json").stdout))


def without_logs(hub: HubEndpoint, devices: set[str]) -> HubEndpoint:
    """``hub`` as ``assert_synced`` reads it, the logs of ``devices`` (removed laptops) left out: their tails
    are refused by design, so no laptop's cursor reaches their head."""
    return dataclasses.replace(hub, raw=_LogsLeftOut(hub.raw, tuple(f"log/{device}/" for device in devices)))


class _LogsLeftOut:
    def __init__(self, raw: RawStore, prefixes: tuple[str, ...]) -> None:
        self._raw = raw
        self._prefixes = prefixes

    def keys(self, prefix: str = "") -> list[str]:
        return [key for key in self._raw.keys(prefix) if not key.startswith(self._prefixes)]

    def read(self, key: str) -> bytes:
        return self._raw.read(key)

    def write(self, key: str, data: bytes) -> None:
        self._raw.write(key, data)

    def delete(self, key: str) -> None:
        self._raw.delete(key)


def hub_objects(hub: HubEndpoint) -> dict[str, bytes]:
    """A full copy of the hub's objects, read behind the hub's back."""
    return {key: hub.raw.read(key) for key in hub.raw.keys("")}


def server_database_copy(db_path: Path, target: Path) -> dict[str, bytes]:
    """A memtray hub's stored objects from a copy of the server's database (``target``), the way a backup has them."""
    with closing(sqlite3.connect(db_path)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    with closing(sqlite3.connect(target)) as copy:
        return {key: bytes(data) for key, data in copy.execute("SELECT key, data FROM objects")}


def steal(laptop: Laptop, objects: dict[str, bytes], recovery_key: str | None, workdir: Path) -> Loot:
    """Everything ``laptop`` has now, with ``objects`` as its copy of the hub."""
    config = _config(laptop.home)
    home_copy = workdir / f"{laptop.name}-home"
    shutil.copytree(laptop.home, home_copy, symlinks=True)
    return Loot(
        name=laptop.name,
        device_id=str(config["device_id"]),
        vault_id=str(config["vault_id"]),
        home=home_copy,
        keychain=keychain_items(resolve_home(laptop.home).keychain_scope),
        passphrase=laptop.passphrase,
        recovery_key=recovery_key,
        hub=dict(objects),
    )


def keychain_items(scope: str) -> dict[str, str]:
    """Every item memtray keeps in the keychain for one home, by name (chunked items put back together)."""
    import secretstorage

    keychain = Keychain(scope)
    names: set[str] = set()
    with closing(secretstorage.dbus_init()) as bus:
        collection = secretstorage.get_default_collection(bus)
        for item in collection.search_items({"service": keychain.service}):
            name = item.get_attributes().get("username", "")
            if name and "#" not in name:
                names.add(name)
    found = {name: keychain.get(name) for name in names}
    return {name: value for name, value in found.items() if value is not None}


def keys_held(loot: Loot, objects: dict[str, bytes] | None = None) -> HeldKeys:
    """Every key ``loot`` yields against ``objects`` (default: its own copy of the hub)."""
    objects = loot.hub if objects is None else objects
    held = HeldKeys(loot.vault_id)
    for keyfile in _keyfiles(loot, objects):
        for opened in _open_keyfile(keyfile, loot):
            held.by_epoch.setdefault(keyfile.epoch, opened)
    laptop_key = _laptop_key(loot)
    if laptop_key is not None:
        _open_grants(held, loot, objects, laptop_key)
    for value in [*loot.keychain.values(), *_home_texts(loot.home)]:
        held.loose |= _raw_keys_in(value)
    _walk_previous(held, objects)
    return held


def open_everything(held: HeldKeys, objects: dict[str, bytes]) -> list[Opened]:
    """Every sealed object in ``objects`` that one of ``held``'s keys opens, with its plaintext (inflated)."""
    candidates = held.candidates()
    opened = []
    for key, data in sorted(objects.items()):
        if not data.startswith(MAGIC):
            continue
        for secret in candidates:
            plaintext = _try_open(secret, data, _slots(held.vault_id, key))
            if plaintext is not None:
                opened.append(Opened(key, _inflated(plaintext)))
                break
    return opened


def written_since(before: dict[str, bytes], after: dict[str, bytes]) -> dict[str, bytes]:
    """Objects new or changed in ``after``."""
    return {key: data for key, data in after.items() if before.get(key) != data}


def forge_entry(
    keys: VaultKeys,
    epoch: int,
    signer: LaptopSigner | None,
    objects: dict[str, bytes],
    device_id: str,
    *,
    files: dict[tuple[str, str], bytes] | None = None,
    folders: Iterable[FolderDef] = (),
    name: str = "Laptop",
) -> tuple[str, bytes]:
    """The next entry of ``device_id``'s log on the hub (key, sealed): ``files`` by (folder id, path) as new
    versions from that laptop, ``folders`` as its folder definitions; sealed under ``epoch`` and signed by
    ``signer`` (None: unsigned)."""
    head_seq, head = _log_head(objects, device_id)
    seq = head_seq + 1
    changes = []
    for (folder, path), data in (files or {}).items():
        version = FileVersion(
            folder=folder,
            path=path,
            vv={device_id: seq},
            deleted=False,
            sha=hashlib.sha256(data).hexdigest(),
            size=len(data),
            mtime=time.time(),
            origin=device_id,
        )
        changes.append(FileChange(version, data))
    entry = LogEntry(
        device_id=device_id,
        seq=seq,
        prev=entry_hash(head) if head is not None else "0" * 64,
        device_name=name,
        platform="linux",
        time=time.time(),
        folders=list(folders),
        changes=changes,
    )
    sealed = seal_entry(keys, entry, epoch=epoch, signer=signer)
    return f"log/{device_id}/{seq:016x}", sealed


def forge_roster_entry(
    held: HeldKeys,
    objects: dict[str, bytes],
    *,
    device: str,
    name: str,
    key: LaptopKey,
    by: str,
    by_key: LaptopKey,
    epoch: int,
    first_seq: int = 1,
) -> tuple[str, bytes]:
    """An ``add`` roster entry for the next roster slot of ``objects`` (key, sealed): laptop ``device`` with
    ``key``'s public halves, signed by ``by_key`` as laptop ``by``, proved under ``held``'s key of ``epoch``."""
    seq, previous = roster_head(objects)
    sealed = make_roster_entry(
        LaptopSigner(by, by_key),
        roster_keys=held.vault_keys(1),
        proof_keys=held.vault_keys(epoch),
        seq=seq + 1,
        prev=sealed_hash(previous) if previous is not None else GENESIS_HASH,
        action=ADD,
        device=device,
        name=name,
        public=key.public(),
        epoch=epoch,
        first_seq=first_seq,
    )
    return f"{ROSTER_PREFIX}{seq + 1:016x}", sealed


def forge_removal(
    held: HeldKeys, objects: dict[str, bytes], signer: LaptopSigner, removed: RosterEntry
) -> tuple[str, bytes]:
    """A ``remove`` entry in the next roster slot of ``objects`` (key, sealed) removing the laptop ``removed``
    names, as ``removed`` does it but made and signed by ``signer`` (a member holding the new epoch's key)."""
    seq, previous = roster_head(objects)
    sealed = make_roster_entry(
        signer,
        roster_keys=held.vault_keys(1),
        proof_keys=held.vault_keys(removed.epoch),
        seq=seq + 1,
        prev=sealed_hash(previous) if previous is not None else GENESIS_HASH,
        action=REMOVE,
        device=removed.device,
        name=removed.name,
        public=removed.public,
        epoch=removed.epoch,
        last_seq=removed.last_seq,
    )
    return f"{ROSTER_PREFIX}{seq + 1:016x}", sealed


def read_roster_entry(held: HeldKeys, objects: dict[str, bytes], seq: int) -> RosterEntry:
    return open_roster_entry(held.vault_keys(1), objects[f"{ROSTER_PREFIX}{seq:016x}"], seq)


def forge_self_add(
    loot: Loot, held: HeldKeys, objects: dict[str, bytes], *, epoch: int | None = None, name: str = ""
) -> tuple[str, bytes]:
    """The stolen laptop adding itself (again) with its own laptop key and the newest epoch key it holds (or
    ``epoch``'s), in the next roster slot of ``objects``."""
    laptop_key = laptop_key_of(loot)
    return forge_roster_entry(
        held,
        objects,
        device=loot.device_id,
        name=name or loot.name,
        key=laptop_key,
        by=loot.device_id,
        by_key=laptop_key,
        epoch=max(held.by_epoch) if epoch is None else epoch,
        first_seq=_log_head(objects, loot.device_id)[0] + 1,
    )


def laptop_key_of(loot: Loot) -> LaptopKey:
    text = loot.laptop_key_text()
    assert text, f"{loot.name} has no laptop key in its keychain or home"
    return LaptopKey.from_secret_text(text)


def signer_of(loot: Loot) -> LaptopSigner:
    return LaptopSigner(loot.device_id, laptop_key_of(loot))


def roster_head(objects: dict[str, bytes]) -> tuple[int, bytes | None]:
    """The newest roster entry's sequence number and sealed bytes (0, None without a roster)."""
    entries = sorted(key for key in objects if key.startswith(ROSTER_PREFIX))
    if not entries:
        return 0, None
    return int(entries[-1].rsplit("/", 1)[1], 16), objects[entries[-1]]


def _log_head(objects: dict[str, bytes], device_id: str) -> tuple[int, bytes | None]:
    seqs = sorted(int(key.rsplit("/", 1)[1], 16) for key in objects if key.startswith(f"log/{device_id}/"))
    if not seqs:
        return 0, None
    return seqs[-1], objects[f"log/{device_id}/{seqs[-1]:016x}"]


def _config(home: Path) -> dict[str, object]:
    return dict(json.loads((home / "config" / "config.json").read_text()))


def _keyfiles(loot: Loot, objects: dict[str, bytes]) -> Iterator[KeyFile]:
    sources = [data for key, data in objects.items() if key.startswith(KEYFILE_PREFIX)]
    sources += [path.read_bytes() for path in loot.home.rglob("*") if path.is_file() and "keyfile" in path.name]
    for data in sources:
        with contextlib.suppress(Exception):
            yield KeyFile.from_bytes(data)


def _open_keyfile(keyfile: KeyFile, loot: Loot) -> Iterator[bytes]:
    with contextlib.suppress(Exception):
        yield unlock(keyfile, loot.passphrase, loot.vault_id)
    if loot.recovery_key:
        with contextlib.suppress(Exception):
            yield unlock_with_recovery(keyfile, loot.recovery_key, loot.vault_id)


def _laptop_key(loot: Loot) -> LaptopKey | None:
    return laptop_key_of(loot) if loot.laptop_key_text() else None


def _epoch_records(objects: dict[str, bytes]) -> Iterator[EpochRecord]:
    for key in sorted(objects):
        if key.startswith(EPOCH_PREFIX):
            with contextlib.suppress(Exception):
                yield EpochRecord.from_bytes(objects[key])


def _open_grants(held: HeldKeys, loot: Loot, objects: dict[str, bytes], laptop_key: LaptopKey) -> None:
    for record in _epoch_records(objects):
        grants = getattr(record, "grants", {})
        for device in {loot.device_id, *grants}:
            opened = None
            with contextlib.suppress(Exception):
                opened = record.open_grant(device, laptop_key)
            if opened:
                held.by_epoch.setdefault(int(record.epoch), opened)


def _walk_previous(held: HeldKeys, objects: dict[str, bytes]) -> None:
    records = {int(record.epoch): record for record in _epoch_records(objects)}
    for epoch in sorted(records, reverse=True):
        if epoch in held.by_epoch and epoch - 1 not in held.by_epoch:
            with contextlib.suppress(Exception):
                held.by_epoch[epoch - 1] = records[epoch].previous_key(held.by_epoch[epoch])


def _home_texts(home: Path) -> list[str]:
    """Every file of the home copy as text, and every value in its index's meta table (keys cached anywhere)."""
    texts = [path.read_bytes().decode("latin-1") for path in sorted(home.rglob("*")) if path.is_file()]
    index = home / "data" / "index.sqlite3"
    if index.is_file():
        with closing(sqlite3.connect(index)) as db:
            texts += [str(value) for (value,) in db.execute("SELECT value FROM meta") if value is not None]
    return texts


def _raw_keys_in(text: str) -> set[bytes]:
    """32-byte values written as base64 or hex anywhere in ``text``."""
    found = set()
    for token in _TOKEN.findall(text):
        for decode in (base64.b64decode, base64.urlsafe_b64decode, bytes.fromhex):
            with contextlib.suppress(binascii.Error, ValueError):
                raw = decode(token)
                found |= {raw[i : i + KEY_BYTES] for i in range(0, len(raw) - KEY_BYTES + 1, KEY_BYTES)}
    return found


def _slots(vault_id: str, key: str) -> list[bytes]:
    """The additional data an object named ``key`` can be sealed with, every reading of its name tried."""
    kind, *parts = key.split("/")
    readings: list[list[str | int]] = [list(parts)]
    with contextlib.suppress(ValueError):
        readings.append([*parts[:-1], int(parts[-1], 16)])
    aads = [object_aad(vault_id, kind, *reading) for reading in readings]
    return [*aads, b""]


def _try_open(secret: bytes, data: bytes, aads: list[bytes]) -> bytes | None:
    if len(secret) != KEY_BYTES:
        return None
    with contextlib.suppress(Exception):
        key_generation_of(data)
        for aad in aads:
            with contextlib.suppress(Exception):
                return open_sealed(secret, data, aad)
    return None


def _inflated(plaintext: bytes) -> bytes:
    inflater = zlib.decompressobj()
    with contextlib.suppress(zlib.error):
        out = inflater.decompress(plaintext, INFLATE_LIMIT)
        if inflater.eof or out:
            return out
    return plaintext
