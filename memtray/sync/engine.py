"""One sync cycle: adopt, scan, pull, reconcile, write, record, publish.

1. Adopt: entries of our own on the hub past the index's sequence number were written by a
   sync that stopped before it saved the index; they are taken as sent.
2. Scan the mapped folders for local edits and deletions.
3. Pull every other laptop's new entries and verify them (see pull.py) before touching anything.
4. Reconcile each arriving version against ours (see reconcile.py), in log order, and fetch every
   blob the outcome needs.
5. Record the outcome in the index in one transaction before any file changes: nothing pulled is
   lost if sending fails, and a sync killed while writing resumes from the index, where each file's
   version is simply ahead of what its disk holds (nothing it already wrote looks like a local edit).
6. Write the outcome to disk, re-checking each file just before replacing it; record what was written.
7. Publish our new versions as one or more log entries (create-only), then mark them sent. A laptop's
   first sync always publishes, even with nothing to send: that entry introduces it to the others.
"""

from __future__ import annotations

import hashlib
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from memtray.errors import IntegrityError, LocalFileError, MassDeleteError, ObjectExistsError
from memtray.hubs.base import Hub, blob_key, log_key
from memtray.model import ConflictInfo, FileProblem, ProgressCallback, SyncProgress, SyncResult
from memtray.osrules import OSRules
from memtray.sync import localfs
from memtray.sync.entry import GENESIS, FileChange, LogEntry, entry_hash, open_blob, seal_blob, seal_entry
from memtray.sync.globs import GlobFilter
from memtray.sync.index import Index
from memtray.sync.pathsafety import MAX_PATH_CHARS, UnsafePath, check_relative
from memtray.sync.pull import (
    Fetched,
    check_acks,
    check_known_devices,
    check_own_log,
    fetch_chain,
    hub_logs,
    initial_prev,
)
from memtray.sync.reconcile import Decision, Outcome, reconcile
from memtray.sync.records import RACY_NS, DiskStamp, FileRow, FileVersion, FolderDef
from memtray.sync.scan import KnownVersion, read_file, scan_folder
from memtray.sync.vectors import Order, VersionVector, compare, dominated_by_both
from memtray.vault.keys import VaultKeys

INLINE_MAX = 512 * 1024
ENTRY_TARGET = 4 * 1024 * 1024
MASS_DELETE_MIN = 3
ACTIVITY_PER_CYCLE = 100
Key = tuple[str, str]


@dataclass
class SyncContext:
    hub: Hub
    index: Index
    me: str
    device_name: str
    folder_roots: dict[str, Path]
    policy: str
    rules: OSRules
    keys: Callable[[], VaultKeys]
    progress: ProgressCallback | None = None
    allow_mass_delete: bool = False


@dataclass
class _Cycle:
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


class SyncEngine:
    def __init__(self, context: SyncContext) -> None:
        self.ctx = context
        self.index = context.index
        self.me = context.me
        self._keys: VaultKeys | None = None

    def keys(self) -> VaultKeys:
        if self._keys is None:
            self._keys = self.ctx.keys()
        return self._keys

    def _progress(self, phase: str, done: int = 0, total: int = 0) -> None:
        if self.ctx.progress is not None:
            self.ctx.progress(SyncProgress(phase, done, total))

    def run(self) -> SyncResult:
        started = time.monotonic()
        result = SyncResult()
        self._progress("checking")
        logs = hub_logs(self.ctx.hub)
        self._adopt_own_entries(logs)
        known = {device[0]: device[1] for device in self.index.devices()}
        cursors = self.index.cursors()
        check_known_devices(logs, cursors, known, self.me)
        cycle = _Cycle(cursors=dict(cursors), folder_defs=self.index.folder_defs())
        self._scan(cycle)
        self._progress("downloading")
        batches = self._fetch(logs, cursors, known)
        check_acks(batches, logs, known)
        for batch in batches:
            for item in batch:
                self._apply_entry(cycle, item, result, known)
        self._guard_remote_deletes(cycle)
        self._fetch_blobs(cycle)
        self._progress("writing")
        self._record(cycle)
        self._write_to_disk(cycle, result)
        self._record_writes(cycle, result)
        self._progress("uploading")
        result.uploaded = self._publish(cycle.contents)
        result.problems = [FileProblem(*problem) for problem in self.index.problems()]
        result.seconds = time.monotonic() - started
        return result

    def _folder_rows(self, cycle: _Cycle, folder: str) -> dict[str, FileRow]:
        if folder not in cycle.rows:
            cycle.rows[folder] = self.index.files(folder)
        return cycle.rows[folder]

    def _live_folders(self, cycle: _Cycle) -> dict[str, tuple[Path, GlobFilter]]:
        live = {}
        for folder_id, root in self.ctx.folder_roots.items():
            definition = cycle.folder_defs.get(folder_id)
            if definition is not None and not definition.removed:
                live[folder_id] = (root, GlobFilter(definition.include, definition.exclude))
        return live

    def _adopt_own_entries(self, logs: dict[str, list[int]]) -> None:
        my_seq = int(self.index.get_meta("seq", "0") or 0)
        newer = check_own_log(logs, self.me, my_seq)
        if not newer:
            return
        prev = self.index.get_meta("hash", GENESIS) or GENESIS
        own = fetch_chain(self.ctx.hub, self.keys(), self.me, newer, my_seq, prev, "this laptop")
        with self.index.transaction():
            for item in own:
                for change in item.entry.changes:
                    row = self.index.file(change.version.folder, change.version.path)
                    if row is None:
                        self.index.put_files([FileRow(change.version, None)])
                    elif compare(change.version.vv, row.version.vv) in (Order.NEWER, Order.EQUAL):
                        self.index.put_files([FileRow(change.version, row.disk)])
                    if change.data is not None:
                        self.index.put_content([(change.version.sha, change.data)])
                for folder in item.entry.folders:
                    self.index.put_folder_def(folder, pending=False)
            self.index.set_meta("seq", str(own[-1].entry.seq))
            self.index.set_meta("hash", own[-1].sealed_hash)

    def _scan(self, cycle: _Cycle) -> None:
        hash_after_ns = int(self.index.get_meta("scan_started_ns", "0") or 0) - RACY_NS
        cycle.scan_started_ns = time.time_ns()
        for folder_id, (root, rules) in self._live_folders(cycle).items():
            self._progress("scanning")
            rows = self._folder_rows(cycle, folder_id)
            scan = scan_folder(
                root, folder_id, rules, rows, self.me, self._known_version(folder_id), hash_after_ns=hash_after_ns
            )
            deletions = sum(1 for edit in scan.edits if edit.version.deleted)
            if not self.ctx.allow_mass_delete and _too_many(deletions, scan.live_before):
                name = cycle.folder_defs[folder_id].name
                raise MassDeleteError(
                    f"{deletions} of {scan.live_before} files in '{name}' are missing on this laptop. If you deleted "
                    "them on purpose, choose Sync anyway (or run 'memtray sync --allow-mass-delete'); otherwise "
                    "put them back. Nothing was sent."
                )
            cycle.problems[folder_id] = dict(scan.problems)
            for path, stamp in scan.restamped.items():
                rows[path].disk = stamp
                cycle.changed.add((folder_id, path))
            for edit in scan.edits:
                previous = rows.get(edit.version.path)
                if edit.data is not None:
                    cycle.contents[edit.version.sha] = edit.data
                cycle.history.append(edit.version)
                rows[edit.version.path] = FileRow(edit.version, edit.stamp, pending=True)
                cycle.changed.add(edit.version.key)
                if previous is not None and compare(edit.version.vv, previous.version.vv) is Order.CONCURRENT:
                    self._settle(cycle, previous.version, SyncResult(), "this laptop")

    def _known_version(self, folder_id: str) -> KnownVersion:
        def known(path: str, sha: str) -> VersionVector | None:
            return self.index.known_vv(folder_id, path, sha)

        return known

    def _fetch(
        self, logs: dict[str, list[int]], cursors: dict[str, tuple[int, str]], known: dict[str, str]
    ) -> list[list[Fetched]]:
        batches = []
        for device, seqs in sorted(logs.items()):
            if device == self.me:
                continue
            after, prev = initial_prev(cursors, device)
            if seqs and seqs[-1] > after:
                name = known.get(device, "another laptop")
                batches.append(fetch_chain(self.ctx.hub, self.keys(), device, seqs, after, prev, name))
        return batches

    def _apply_entry(self, cycle: _Cycle, item: Fetched, result: SyncResult, known: dict[str, str]) -> None:
        entry = item.entry
        if entry.device_id not in known and entry.device_id not in cycle.devices:
            result.new_devices.append(entry.device_name)
        known[entry.device_id] = entry.device_name
        cycle.devices[entry.device_id] = (entry.device_name, entry.platform, entry.seq, entry.time, entry.acks)
        cycle.cursors[entry.device_id] = (entry.seq, item.sealed_hash)
        for folder in entry.folders:
            current = cycle.folder_defs.get(folder.folder_id)
            if current is None or folder.stamp > current.stamp:
                cycle.folder_defs[folder.folder_id] = folder
                self.index.put_folder_def(folder, pending=False)
        for change in entry.changes:
            version = change.version
            if len(version.path) > MAX_PATH_CHARS:
                raise IntegrityError("A log entry on the hub names an impossibly long path. memtray did not use it.")
            if change.data is not None:
                if hashlib.sha256(change.data).hexdigest() != version.sha:
                    raise IntegrityError(
                        "A file in a log entry does not match its fingerprint. memtray did not use it."
                    )
                cycle.contents[version.sha] = change.data
            self._settle(cycle, version, result, entry.device_name)

    def _settle(self, cycle: _Cycle, remote: FileVersion, result: SyncResult, remote_name: str) -> None:
        rows = self._folder_rows(cycle, remote.folder)
        current = rows.get(remote.path)
        decision = reconcile(
            current.version if current else None,
            remote,
            me=self.me,
            policy=self.ctx.policy,
            now=time.time(),
            content_of=lambda version: self._content(version, cycle),
            base_of=lambda local, other: self._base(local, other, cycle),
        )
        cycle.history.append(remote)
        if decision.outcome is Outcome.KEEP:
            return
        disk = current.disk if current else None
        pending = decision.publish or (
            decision.outcome is Outcome.MERGE_VECTORS and current is not None and current.pending
        )
        rows[remote.path] = FileRow(decision.version, disk, pending)
        cycle.changed.add(remote.key)
        self._note_decision(cycle, decision, result, remote_name)

    def _note_decision(self, cycle: _Cycle, decision: Decision, result: SyncResult, remote: str) -> None:
        version = decision.version
        if decision.content is not None:
            cycle.contents[version.sha] = decision.content
        if decision.publish:
            cycle.history.append(version)
        if decision.outcome is Outcome.MERGED:
            result.merged += 1
            cycle.activity.append(("merged", version.folder, version.path, f"with {remote}"))
        elif decision.outcome is Outcome.RESOLVED:
            cycle.activity.append(("conflict", version.folder, version.path, f"with {remote}"))
            if decision.conflict_copy_of is not None:
                cycle.copies.append((version, decision.conflict_copy_of))

    def _content(self, version: FileVersion, cycle: _Cycle) -> bytes | None:
        if version.deleted:
            return None
        data = cycle.contents.get(version.sha)
        if data is None:
            data = self.index.content(version.sha)
        if data is None and version.blob:
            data = open_blob(self.keys(), version.blob, self.ctx.hub.get(blob_key(version.blob)), version.sha)
            cycle.contents[version.sha] = data
        return data

    def _base(self, local: FileVersion, remote: FileVersion, cycle: _Cycle) -> bytes | None:
        candidates = [v for _, v, _ in self.index.versions(local.folder, local.path)]
        candidates += [v for v in cycle.history if v.key == local.key]
        ancestors = [v for v in candidates if not v.deleted and dominated_by_both(v.vv, local.vv, remote.vv)]
        if not ancestors:
            return None
        newest = max(ancestors, key=lambda v: sum(v.vv.values()))
        return self._content(newest, cycle)

    def _guard_remote_deletes(self, cycle: _Cycle) -> None:
        if self.ctx.allow_mass_delete:
            return
        for folder_id in self._live_folders(cycle):
            rows = self._folder_rows(cycle, folder_id)
            live = sum(1 for row in rows.values() if row.disk is not None)
            doomed = sum(1 for row in rows.values() if row.version.deleted and row.disk is not None and not row.pending)
            if _too_many(doomed, live):
                name = cycle.folder_defs[folder_id].name
                raise MassDeleteError(
                    f"Another laptop deleted {doomed} of the {live} files in '{name}'. memtray paused before deleting "
                    "them here. If that is what you want, choose Sync anyway (or run 'memtray sync "
                    "--allow-mass-delete'). Nothing was changed on this laptop."
                )

    def _fetch_blobs(self, cycle: _Cycle) -> None:
        """Fetch and verify every blob this cycle writes, so a hub failure stops the sync before any write."""
        for folder_id, (_, rules) in self._live_folders(cycle).items():
            for path, row in self._folder_rows(cycle, folder_id).items():
                version, disk = row.version, row.disk
                if not version.deleted and (disk is None or disk.sha != version.sha) and rules.tracks(path):
                    self._content(version, cycle)
        for _, loser in cycle.copies:
            self._content(loser, cycle)

    def _write_to_disk(self, cycle: _Cycle, result: SyncResult) -> None:
        for folder_id, (root, rules) in self._live_folders(cycle).items():
            rows = self._folder_rows(cycle, folder_id)
            problems = cycle.problems.setdefault(folder_id, {})
            taken = {path.casefold(): path for path, row in rows.items() if row.disk is not None}
            writes: list[tuple[FileRow, bytes]] = []
            for path, row in rows.items():
                if _in_step(row) or not rules.tracks(path):
                    continue
                before = row.disk
                problem = self._materialise(root, row, taken, result, cycle, writes)
                if problem:
                    problems[path] = problem
                    cycle.activity.append(("skipped", folder_id, path, problem))
                if row.disk is not before:
                    cycle.written.add((folder_id, path))
            planned = [(row.version.path, data, row.version.sha, row.version.vv, row.disk) for row, data in writes]
            for (row, _), outcome in zip(writes, localfs.write_many(root, planned), strict=True):
                if isinstance(outcome, str):
                    problems[row.version.path] = outcome
                    cycle.activity.append(("skipped", folder_id, row.version.path, outcome))
                    continue
                row.disk = outcome
                cycle.written.add(row.version.key)
                result.downloaded += 1
                self._log(cycle, "received", row.version)
            for version, loser in cycle.copies:
                if version.folder == folder_id:
                    self._save_copy(root, version, loser, cycle, result)

    def _materialise(
        self,
        root: Path,
        row: FileRow,
        taken: dict[str, str],
        result: SyncResult,
        cycle: _Cycle,
        writes: list[tuple[FileRow, bytes]],
    ) -> str | None:
        """Delete or check one file now; a file to write joins ``writes``. Why not, if it can't be done."""
        version, disk = row.version, row.disk
        if version.deleted:
            if disk is None:
                return None
            refusal = localfs.delete_checked(root, version.path, disk)
            if refusal is None:
                row.disk = None
                taken.pop(version.path.casefold(), None)
                result.deleted_here += 1
                self._log(cycle, "deleted", version)
            return refusal
        try:
            check_relative(version.path)
        except UnsafePath as exc:
            return f"was refused: {exc}"
        if disk is not None and disk.sha == version.sha:
            if disk.vv != version.vv:
                row.disk = DiskStamp(disk.sha, disk.size, disk.mtime_ns, disk.inode, version.vv)
            return None
        problem = self.ctx.rules.path_problem(version.path)
        if problem:
            return f"can't be created on this computer: {problem}"
        owner = taken.get(version.path.casefold())
        if self.ctx.rules.case_insensitive and owner is not None and owner != version.path:
            return f"can't be created here: '{owner}' differs from it only in upper/lower case"
        data = self._content(version, cycle)
        if data is None:
            return "its content is not available yet; it will be fetched next time"
        writes.append((row, data))
        taken[version.path.casefold()] = version.path
        return None

    def _save_copy(
        self, root: Path, version: FileVersion, loser: FileVersion, cycle: _Cycle, result: SyncResult
    ) -> None:
        data = self._content(loser, cycle)
        if data is None:
            return
        name = self.ctx.device_name if loser.origin == self.me else self._device_name(loser.origin, cycle)
        try:
            copy = localfs.save_conflict_copy(root, version.path, data, name, time.time())
        except OSError as exc:
            cycle.problems.setdefault(version.folder, {})[version.path] = (
                f"its conflict copy could not be saved ({exc.strerror or type(exc).__name__})"
            )
            return
        conflict_id = self.index.add_conflict(version.folder, version.path, copy, version.sha, loser.sha, name)
        folder_name = cycle.folder_defs[version.folder].name
        result.conflicts.append(ConflictInfo(conflict_id, folder_name, version.path, copy, time.time(), name, False))

    def _device_name(self, device_id: str, cycle: _Cycle) -> str:
        if device_id in cycle.devices:
            return cycle.devices[device_id][0]
        names = {device[0]: device[1] for device in self.index.devices()}
        return names.get(device_id, "another laptop")

    def _log(self, cycle: _Cycle, kind: str, version: FileVersion) -> None:
        cycle.activity.append((kind, version.folder, version.path, ""))

    def _record(self, cycle: _Cycle) -> None:
        with self.index.transaction():
            self.index.put_files(cycle.rows[folder][path] for folder, path in cycle.changed)
            self.index.add_versions(cycle.history)
            on_hub = {version.sha for version in cycle.history if version.blob}
            self.index.put_content(
                (sha, data) for sha, data in cycle.contents.items() if len(data) <= INLINE_MAX or sha not in on_hub
            )
            self.index.set_meta("scan_started_ns", str(cycle.scan_started_ns))
            for device, (seq, sealed_hash) in cycle.cursors.items():
                self.index.set_cursor(device, seq, sealed_hash)
            for device, (name, platform, seq, seen, acks) in cycle.devices.items():
                self.index.put_device(device, name, platform, seq, seen, acks)

    def _record_writes(self, cycle: _Cycle, result: SyncResult) -> None:
        with self.index.transaction():
            self.index.put_files(cycle.rows[folder][path] for folder, path in cycle.written)
            for folder_id, problems in cycle.problems.items():
                self.index.set_problems(folder_id, problems)
            for kind, folder, path, detail in cycle.activity[:ACTIVITY_PER_CYCLE]:
                self.index.add_activity(kind, folder, path, detail)
            if len(cycle.activity) > ACTIVITY_PER_CYCLE:
                self.index.add_activity("more", "", "", f"and {len(cycle.activity) - ACTIVITY_PER_CYCLE} more")
            for conflict in result.conflicts:
                self.index.add_activity("conflict-copy", conflict.folder, conflict.path, conflict.copy_path or "")

    def _publish(self, contents: dict[str, bytes]) -> int:
        """Send every pending version; ``contents`` holds bytes this cycle already has, by SHA-256."""
        pending = self.index.pending_files()
        folders = self.index.pending_folder_defs()
        seq = int(self.index.get_meta("seq", "0") or 0)
        if not pending and not folders and seq > 0:
            return 0
        keys = self.keys()
        changes = [c for c in (self._change_for(row, keys, contents) for row in pending) if c is not None]
        prev = self.index.get_meta("hash", GENESIS) or GENESIS
        acks = {device: cursor[0] for device, cursor in self.index.cursors().items()}
        for batch_number, batch in enumerate(_batches(changes)):
            seq += 1
            entry = LogEntry(
                self.me,
                seq,
                prev,
                self.ctx.device_name,
                sys.platform,
                time.time(),
                acks,
                folders if batch_number == 0 else [],
                batch,
            )
            sealed = seal_entry(keys, entry)
            try:
                self.ctx.hub.put_new(log_key(self.me, seq), sealed)
            except ObjectExistsError as exc:
                raise IntegrityError(
                    "Another copy of this laptop's memtray data is syncing with the same identity (was the memtray "
                    "folder copied to another computer?). memtray stopped to keep both safe."
                ) from exc
            prev = entry_hash(sealed)
            with self.index.transaction():
                self.index.mark_sent(change.version for change in batch)
                if batch_number == 0:
                    self.index.clear_pending_folder_defs()
                self.index.set_meta("seq", str(seq))
                self.index.set_meta("hash", prev)
                self.index.put_device(self.me, self.ctx.device_name, sys.platform, seq, time.time(), acks)
        if not changes:
            return 0
        with self.index.transaction():
            for change in changes[:ACTIVITY_PER_CYCLE]:
                kind = "sent-delete" if change.version.deleted else "sent"
                self.index.add_activity(kind, change.version.folder, change.version.path, "")
        return len(changes)

    def _change_for(self, row: FileRow, keys: VaultKeys, contents: dict[str, bytes]) -> FileChange | None:
        version = row.version
        if version.deleted:
            return FileChange(version)
        data = contents.get(version.sha)
        if data is None:
            data = self.index.content(version.sha)
        if data is not None and version.size <= INLINE_MAX:
            return FileChange(version, data)
        if version.blob is not None:
            return FileChange(version)
        if data is None:
            root = self.ctx.folder_roots.get(version.folder)
            if root is None:
                return None
            try:
                data = read_file(root.joinpath(*version.path.split("/")))
            except OSError as exc:
                raise LocalFileError(f"memtray could not read {version.path} to send it ({exc.strerror}).") from exc
            if hashlib.sha256(data).hexdigest() != version.sha:
                return None
        blob_id = uuid.uuid4().hex
        self.ctx.hub.put_new(blob_key(blob_id), seal_blob(keys, blob_id, data))
        version.blob = blob_id
        return FileChange(version)


def _too_many(deletions: int, live: int) -> bool:
    return deletions >= MASS_DELETE_MIN and deletions * 2 > live


def _batches(changes: list[FileChange]) -> list[list[FileChange]]:
    batches: list[list[FileChange]] = [[]]
    size = 0
    for change in changes:
        change_size = len(change.data or b"")
        if batches[-1] and size + change_size > ENTRY_TARGET:
            batches.append([])
            size = 0
        batches[-1].append(change)
        size += change_size
    return batches


def _in_step(row: FileRow) -> bool:
    """The disk already holds exactly this version: nothing to write, check or record."""
    disk = row.disk
    if row.version.deleted:
        return disk is None
    return disk is not None and disk.sha == row.version.sha and disk.vv == row.version.vv
