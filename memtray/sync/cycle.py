"""What one sync cycle works with: the context it runs in, and the state its steps build up and share
(see engine.py for the steps)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from memtray.hubs.base import Hub
from memtray.hubs.batch import fetch_many
from memtray.hubs.keys import blob_key
from memtray.membership.view import Membership, Signer
from memtray.model import MassDeleteQuestion, ProgressCallback
from memtray.projects.pathmap import IdentityMap, PathMap
from memtray.sync.contents import Contents
from memtray.sync.entry import open_blob
from memtray.sync.globs import GlobFilter
from memtray.sync.index import Index
from memtray.sync.osrules import OSRules
from memtray.sync.quiet import FolderLook
from memtray.sync.reconcile import ConflictPolicy
from memtray.sync.records import DiskStamp, FileRow, FileVersion, FolderDef
from memtray.vault.epochs import EpochKeys

ACTIVITY_PER_CYCLE = 100
READ_ALL_AFTER = 1000
"""How many rows of a folder a cycle reads one by one before it reads the whole folder at once (faster by then)."""
BLOB_PREFIX = blob_key("")
IDENTITY = IdentityMap()
Key = tuple[str, str]


@dataclass
class SyncContext:
    hub: Hub
    index: Index
    me: str
    device_name: str
    folder_roots: dict[str, Path]
    policy: ConflictPolicy
    rules: OSRules
    keys: Callable[[], EpochKeys]
    """The vault's keys by epoch: new objects are sealed under the current one (see memtray/vault/epochs.py)."""
    membership: Callable[[], Membership] = Membership
    """The verified roster as the engine uses it; ``Membership()`` (no roster yet) applies entries as before."""
    signer: Signer | None = None
    """Signs each entry this laptop writes; None writes them unsigned, as laptops did before the roster."""
    progress: ProgressCallback | None = None
    allow_mass_delete: bool = False
    allowed_delete: MassDeleteQuestion | None = None
    """The question a person said yes to (see ``MassDeleteQuestion.allowed_by``)."""
    path_maps: dict[str, PathMap] = field(default_factory=dict)
    """Per folder id, how the vault's paths translate to this laptop's (see memtray.projects); the index and
    the vault keep vault paths. A folder without one keeps the same paths on every laptop."""
    unguarded: frozenset[str] = frozenset()
    """The folders whose secret guard is off on this laptop (see held.py)."""
    retention: float | None = 365 * 86400.0
    """How long this laptop's log entries stay on the hub once checkpoints cover them, in seconds; None: forever
    (see compaction.py)."""
    reported: Mapping[str, frozenset[str]] | None = None
    """Per folder id, the only paths the scan looks at (what a watcher reported; see watch_changes.py); a folder
    not named, or None for all, is walked in full."""
    walked: dict[str, FolderLook] | None = None
    """Told, by folder id, what each folder's whole walk saw (see quiet.py)."""
    wrote: Callable[[str, str, DiskStamp | None], None] | None = None
    """Told of each file this sync wrote (its new stamp) or deleted (None), by folder id and path on disk, so a
    watcher can tell memtray's own writes from the person's."""

    def path_map(self, folder_id: str) -> PathMap:
        return self.path_maps.get(folder_id) or IDENTITY

    def disk_path(self, folder_id: str, vault_path: str) -> str | None:
        """Where the file at ``vault_path`` lives in its folder on this laptop (see ``disk_path_in``)."""
        return disk_path_in(self.path_map(folder_id), vault_path)


def tell_own_writes(cycle: Cycle) -> None:
    """Tell ``SyncContext.wrote`` of every file this cycle wrote or deleted on disk."""
    wrote = cycle.ctx.wrote
    if wrote is None:
        return
    for folder_id, path in cycle.written:
        disk_path = cycle.ctx.disk_path(folder_id, path)
        if disk_path is not None:
            wrote(folder_id, disk_path, cycle.rows[folder_id][path].disk)


def disk_path_in(paths: PathMap, vault_path: str) -> str | None:
    """Where the file at ``vault_path`` lives on this laptop; None when it is parked here (its project is not on
    this laptop) or that place already belongs to another vault path."""
    disk = paths.to_disk(vault_path)
    return disk if disk is not None and paths.to_vault(disk) == vault_path else None


@dataclass(eq=False)
class Cycle:
    """The rows, contents and news one cycle gathers before it records, writes and sends them."""

    ctx: SyncContext = field(repr=False)
    keys: Callable[[], EpochKeys] = field(repr=False)
    rows: dict[str, FolderRows] = field(default_factory=dict)
    changed: set[Key] = field(default_factory=set)
    written: set[Key] = field(default_factory=set)
    scan_started_ns: int = 0
    contents: dict[str, bytes] = field(init=False, repr=False)
    """Bytes this cycle gathered, by SHA-256; past a few MB the small ones wait in the index (see contents.py)."""
    history: list[FileVersion] = field(default_factory=list)
    copies: list[tuple[FileVersion, FileVersion]] = field(default_factory=list)
    problems: dict[str, dict[str, str]] = field(default_factory=dict)
    activity: list[tuple[str, str, str, str]] = field(default_factory=list)
    cursors: dict[str, tuple[int, str]] = field(default_factory=dict)
    devices: dict[str, tuple[str, str, int, float, dict[str, int]]] = field(default_factory=dict)
    folder_defs: dict[str, FolderDef] = field(default_factory=dict)
    defs_changed: set[str] = field(default_factory=set)
    """Folders whose definition another laptop changed in this cycle (recorded with the rest)."""
    refused_told: dict[str, int] = field(default_factory=dict)
    """Per laptop, the newest entry of its log whose refusal a sync result told (see engine.py)."""
    retiring: set[str] = field(default_factory=set)
    rekey: bool = False
    _names_known: dict[str, str] | None = field(default=None, init=False, repr=False)
    """The index's laptop names, read once: a pull of many files names their laptop for each."""

    def __post_init__(self) -> None:
        self.contents = Contents(self.ctx.index)

    def folder_rows(self, folder: str) -> FolderRows:
        """The index's rows of ``folder``, each read at most once per cycle and changed in place."""
        if folder not in self.rows:
            self.rows[folder] = FolderRows(self.ctx.index, folder)
        return self.rows[folder]

    def live_folders(self) -> dict[str, tuple[Path, GlobFilter]]:
        """The folders mapped on this laptop and not removed, with the rules of which files they track."""
        live = {}
        for folder_id, root in self.ctx.folder_roots.items():
            definition = self.folder_defs.get(folder_id)
            if definition is not None and not definition.removed:
                live[folder_id] = (root, GlobFilter(definition.include, definition.exclude))
        return live

    def content(self, version: FileVersion) -> bytes | None:
        """The bytes of ``version``: from this cycle, the index, or its blob on the hub (verified)."""
        if version.deleted:
            return None
        data = self.contents.get(version.sha)
        if data is None:
            data = self.ctx.index.content(version.sha)
        if data is None and version.blob:
            data = open_blob(self.keys(), version.blob, self.ctx.hub.get(blob_key(version.blob)), version.sha)
            self.contents[version.sha] = data
        return data

    def prefetch(self, versions: Iterable[FileVersion]) -> None:
        """Fetch and verify, many at a time, the blobs of ``versions`` this cycle does not hold yet (``content``
        then finds them here)."""
        candidates: dict[str, FileVersion] = {}
        for version in versions:
            if version.deleted or not version.blob or version.sha in self.contents or version.blob in candidates:
                continue
            candidates[version.blob] = version
        held = self.ctx.index.content_held(version.sha for version in candidates.values())
        needed = {blob: version for blob, version in candidates.items() if version.sha not in held}
        for key, sealed in fetch_many(self.ctx.hub, (blob_key(blob) for blob in needed)):
            version = needed[key.removeprefix(BLOB_PREFIX)]
            self.contents[version.sha] = open_blob(self.keys(), version.blob or "", sealed, version.sha)

    def device_name(self, device_id: str) -> str:
        if device_id in self.devices:
            return self.devices[device_id][0]
        if self._names_known is None:
            self._names_known = self.ctx.index.device_names()
        return self._names_known.get(device_id, "another laptop")

    def log(self, kind: str, version: FileVersion) -> None:
        detail = f"from {self.device_name(version.origin)}" if kind == "received" else ""
        self.activity.append((kind, version.folder, version.path, detail))


class FolderRows(dict[str, FileRow]):
    """The index's rows of one folder as a cycle sees them, read when first needed: one path at a time (``get``,
    ``in``, ``[]``), a part of the folder (``read_*``) or all of it (``read_all``). Iterating gives only the rows
    read so far and those the cycle added; a cycle reads the rows each step needs before it goes through them."""

    def __init__(self, index: Index, folder: str) -> None:
        super().__init__()
        self.index, self.folder = index, folder
        self.complete = False
        """Every row of the folder is read."""
        self._absent: set[str] = set()
        self._added: list[str] = []
        self._read_one_by_one = 0
        self._read_on_disk = [0, 0]
        """How many of the rows read had a stamp on disk in the index: in all, and those not deleted."""
        self._unsettled_read = False

    def get(self, path: str, default: FileRow | None = None) -> FileRow | None:  # type: ignore[override]
        self._read(path)
        return super().get(path, default)

    def __contains__(self, path: object) -> bool:
        if isinstance(path, str):
            self._read(path)
        return super().__contains__(path)

    def __missing__(self, path: str) -> FileRow:
        self._read(path)
        if not super().__contains__(path):
            raise KeyError(path)
        return super().__getitem__(path)

    def __setitem__(self, path: str, row: FileRow) -> None:
        if not super().__contains__(path):
            self._read(path)
            if not super().__contains__(path):
                self._added.append(path)
        super().__setitem__(path, row)

    def read_all(self) -> None:
        if self.complete:
            return
        read = dict(self)
        self.clear()
        for path, row in self.index.files(self.folder).items():
            super().__setitem__(path, read.pop(path, row))
        self.update(read)  # the rows this cycle added, after the index's as before
        self.complete = True

    def read_below(self, path: str) -> None:
        """Read the rows of ``path`` and of everything below it."""
        if path:
            self._take(self.index.files_below(self.folder, path))
        else:
            self.read_all()

    def read_in(self, parent: str) -> None:
        """Read the rows of the files right in the folder ``parent`` ("" for the top)."""
        self._take(self.index.files_in(self.folder, parent))

    def read_unsettled(self) -> None:
        """Read every row whose file on disk is not at its version yet: the rows left unread are all in step."""
        if not self.complete and not self._unsettled_read:
            self._take(self.index.unsettled_files(self.folder))
            self._unsettled_read = True

    def on_disk(self, live_only: bool = False) -> int:
        """How many of the folder's files have a stamp on disk now (only those not deleted, if ``live_only``)."""
        here = sum(1 for row in self.values() if row.disk is not None and not (live_only and row.version.deleted))
        if self.complete:
            return here
        return self.index.count_on_disk(self.folder, live_only) - self._read_on_disk[live_only] + here

    def in_index_order(self, unread: Iterable[str] = ()) -> list[str]:
        """The paths read so far (and ``unread``) in the order the index gives the whole folder, then those the
        cycle added, in the order it added them."""
        if self.complete:
            return list(self)
        added = set(self._added)
        return sorted({*(path for path in self if path not in added), *unread}) + self._added

    def paths_on_disk(self) -> list[str]:
        """The paths of the folder's files that have a stamp on disk now, in ``in_index_order``."""
        unread = set() if self.complete else set(self.index.paths_on_disk(self.folder)).difference(self)
        in_order = self.in_index_order(unread)
        return [path for path in in_order if path in unread or dict.__getitem__(self, path).disk is not None]

    def _read(self, path: str) -> None:
        if self.complete or super().__contains__(path) or path in self._absent:
            return
        self._read_one_by_one += 1
        if self._read_one_by_one > READ_ALL_AFTER:
            self.read_all()
            return
        row = self.index.file(self.folder, path)
        if row is None:
            self._absent.add(path)
        else:
            self._take([row])

    def _take(self, rows: Iterable[FileRow]) -> None:
        for row in rows:
            path = row.version.path
            if not super().__contains__(path):
                super().__setitem__(path, row)
                if row.disk is not None:
                    self._read_on_disk[0] += 1
                    self._read_on_disk[1] += not row.version.deleted
