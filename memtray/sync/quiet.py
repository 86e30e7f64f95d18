"""A ``memtray sync`` command that has nothing to do, answered without unlocking the vault.

A sync that found nothing to do and nothing for the person to look at records what it looked at in ``quiet.json``
(the home's data folder, private): the names of the objects on the hub, the config file's stat, and for each synced
folder the digest of its walk (walk.py: every tracked file's size, mtime and inode). The next ``memtray sync``
command walks the same folders and lists the same hub; when all of it is as recorded, a full sync would find nothing
either, and the command says so without a keychain read, a key derivation or the index.

Hub objects are written once under names the protocol gives them (memtray/hubs/keys.py), so their names are what a
sync reads the hub for; blobs are left out, as only an entry naming one makes a sync read it. Only a folder hub is
listed this way (the others need the hub's credential from the keychain, which is what the quick answer avoids).

It is never answered quickly when a folder's walk, the hub's names or the config differ; when a temp file is found
(a write may be under way: the check holds no lock, so it never removes one); when a file modified within RACY_NS of
the recorded sync's scan (its stat cannot tell a second change apart) no longer has the content that sync saw, which
the record holds the SHA-256 of; once ``until`` has passed (QUIET_FOR at most, and never past the daily index prune
and hub tidy, whose time the record takes from the index). Every sync forgets the record before it looks at
anything, and only a whole-folder sync whose result is quiet, with no project placed and no agent sessions to
export, writes a new one (memtray/service/syncing.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from memtray.errors import MemtrayError
from memtray.hubs.folder import FolderHub
from memtray.paths import PRIVATE_FILE_MODE, Home
from memtray.sync import containment
from memtray.sync.globs import GlobFilter
from memtray.sync.walk import RACY_NS, Walked, walk

QUIET_FILE = "quiet.json"
ANSWERED_FILE = "quiet-answered"
FORMAT = 1
QUIET_FOR = 300.0
"""Seconds a record answers for at most: as often as the full sync searches for a parked project's checkout
(memtray/service/projects.py, SEARCH_EVERY), the one thing it looks at besides the folders, the hub and the config."""
HUB_PREFIXES = ("vault/", "roster/", "epoch/", "log/", "ckpt/")
NOTHING_DONE = "Synced: everything up to date."
"""What ``memtray sync`` prints when it had nothing to do (``SyncResult().summary()``)."""


@dataclass(frozen=True)
class FolderLook:
    folder_id: str
    root: str
    include: list[str]
    exclude: list[str]
    digest: str
    """``Walked.digest()`` of the folder's whole walk; empty when it is not quiet."""
    racy: dict[str, str] = field(default_factory=dict)
    """The SHA-256 of each file modified within RACY_NS of the sync's scan, by path on disk: its stat proves nothing,
    so the check reads it, as the next full scan would."""


def hub_names(hub: object) -> str | None:
    """A digest of the names of the objects a sync reads on ``hub``; None for a hub that is not a folder, or one
    that cannot be listed now."""
    if not isinstance(hub, FolderHub):
        return None
    try:
        names = [name for prefix in HUB_PREFIXES for name in hub.list(prefix)]
    except MemtrayError:
        return None
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def file_stat(path: Path) -> list[int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns, found.st_ino]


def forget(home: Home) -> None:
    (home.data_dir / QUIET_FILE).unlink(missing_ok=True)


def record(
    home: Home, hub_url: str, hub_digest: str, folders: list[FolderLook], scan_started_ns: int, until: float
) -> None:
    """Write the record of a quiet sync; not flushed to disk: a record lost in a crash costs one full sync."""
    fields = {
        "format": FORMAT,
        "hub": hub_url,
        "hub_names": hub_digest,
        "config": file_stat(home.config_file),
        "folders": [asdict(folder) for folder in folders],
        "scan_started_ns": scan_started_ns,
        "at": time.time(),
        "until": until,
    }
    target = home.data_dir / QUIET_FILE
    temp = home.data_dir / f".tmp-quiet-{os.urandom(8).hex()}"
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(fields, stream)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def note_answered(home: Home) -> None:
    """The time of the last quick answer, for "last sync" (the answer stands for a sync that found nothing)."""
    answered = home.data_dir / ANSWERED_FILE
    try:
        os.close(os.open(answered, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE))
        os.utime(answered)
    except OSError:
        pass


def last_answered(home: Home) -> float | None:
    try:
        return (home.data_dir / ANSWERED_FILE).stat().st_mtime
    except OSError:
        return None


def _holds(root: Path, path: str, sha: str | None) -> bool:
    """The file ``path`` still has the content with SHA-256 ``sha`` (read without following a link)."""
    return sha is not None and hashlib.sha256(containment.read_bytes(root, path)).hexdigest() == sha


def nothing_to_do(home: Home) -> bool:
    """True when the last sync's record answers for now: every folder, the hub and the config as it saw them."""
    try:
        fields = json.loads((home.data_dir / QUIET_FILE).read_text(encoding="utf-8"))
        if fields["format"] != FORMAT or not float(fields["at"]) <= time.time() < float(fields["until"]):
            return False  # past its time, or the clock was set back since
        if fields["config"] is None or fields["config"] != file_stat(home.config_file):
            return False
        trusted_before = int(fields["scan_started_ns"]) - RACY_NS
        for folder in (FolderLook(**look) for look in fields["folders"]):
            walked = Walked(tidy=False)
            walk(Path(folder.root), GlobFilter(folder.include, folder.exclude), walked)
            if walked.temp_seen or walked.digest() != folder.digest:
                return False
            for path, (_, mtime_ns, _) in walked.seen.items():
                if mtime_ns >= trusted_before and not _holds(Path(folder.root), path, folder.racy.get(path)):
                    return False
        return hub_names(FolderHub(fields["hub"])) == fields["hub_names"]
    except (OSError, ValueError, KeyError, TypeError, MemtrayError):
        return False
