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
from memtray.sync.entry import open_blob
from memtray.sync.globs import GlobFilter
from memtray.sync.index import Index
from memtray.sync.osrules import OSRules
from memtray.sync.reconcile import ConflictPolicy
from memtray.sync.records import DiskStamp, FileRow, FileVersion, FolderDef
from memtray.vault.epochs import EpochKeys

ACTIVITY_PER_CYCLE = 100
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
    rows: dict[str, dict[str, FileRow]] = field(default_factory=dict)
    changed: set[Key] = field(default_factory=set)
    written: set[Key] = field(default_factory=set)
    scan_started_ns: int = 0
    contents: dict[str, bytes] = field(default_factory=dict)
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

    def folder_rows(self, folder: str) -> dict[str, FileRow]:
        """The index's rows of ``folder``, read once per cycle and changed in place."""
        if folder not in self.rows:
            self.rows[folder] = self.ctx.index.files(folder)
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
        needed: dict[str, FileVersion] = {}
        for version in versions:
            if version.deleted or not version.blob or version.sha in self.contents or version.blob in needed:
                continue
            if self.ctx.index.content(version.sha) is None:
                needed[version.blob] = version
        for key, sealed in fetch_many(self.ctx.hub, (blob_key(blob) for blob in needed)):
            version = needed[key.removeprefix(BLOB_PREFIX)]
            self.contents[version.sha] = open_blob(self.keys(), version.blob or "", sealed, version.sha)

    def device_name(self, device_id: str) -> str:
        if device_id in self.devices:
            return self.devices[device_id][0]
        return self.ctx.index.device_names().get(device_id, "another laptop")

    def log(self, kind: str, version: FileVersion) -> None:
        detail = f"from {self.device_name(version.origin)}" if kind == "received" else ""
        self.activity.append((kind, version.folder, version.path, detail))
