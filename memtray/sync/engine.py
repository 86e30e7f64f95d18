"""One sync cycle: adopt, scan, pull, reconcile, write, record, publish.

1. Adopt: entries of our own on the hub past the index's sequence number were written by a
   sync that stopped before it saved the index; they are taken as sent.
2. Scan the mapped folders for local edits and deletions.
3. Pull every other laptop's new entries and verify them (see pull.py) before touching anything. Entries the
   roster refuses are left on the hub, unapplied, and the result says so (see admission.py).
4. Reconcile each arriving version against ours (see reconcile.py and settle.py), in log order, and
   fetch every blob the outcome needs. Note what each entry says about conflicts (see conflict_news.py);
   conflicts resolved on other laptops are resolved here just before step 5 (a sync stopped before step 5
   applies the same entries again, and resolving twice changes nothing).
   A mass delete stops the cycle after step 2 (this laptop deleted them) or 4 (another laptop did),
   before anything is recorded, written or sent: at least 3 files and more than half of a folder.
   The result then carries a ``MassDeleteQuestion`` for the caller to answer; a sync given the
   person's yes (or ``allow_mass_delete``) goes ahead.
5. Record the outcome in the index in one transaction before any file changes: nothing pulled is
   lost if sending fails, and a sync killed while writing resumes from the index, where each file's
   version is simply ahead of what its disk holds (nothing it already wrote looks like a local edit).
6. Write the outcome to disk, re-checking each file just before replacing it; record what was written
   (see materialise.py).
7. Publish our new versions as one or more log entries (create-only), then mark them sent (see
   publish.py). A laptop's first sync always publishes, even with nothing to send: that entry introduces
   it to the others.

The cycle reads only the index rows it needs (see ``FolderRows`` in cycle.py): a folder's rows in full when the
scan walks it all; otherwise those of the paths the watcher reported and of the arriving versions, and, before
steps 4 to 6 go through a folder, every row whose disk is not at its version yet (a write a stopped sync left
undone). The rest are in step: counts of the whole folder come from the index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from memtray.errors import HubError, IntegrityError, MemtrayError, ObjectTooLargeError
from memtray.membership.view import Membership
from memtray.model import DeletedBy, FileProblem, MassDeleteQuestion, SyncProgress, SyncResult
from memtray.sync import admission, repair
from memtray.sync.checkpoint_join import Coverage, take_checkpoints
from memtray.sync.checkpoint_publish import publish_checkpoint
from memtray.sync.compaction import compact
from memtray.sync.conflict_news import Settlement, settle_elsewhere, take_news
from memtray.sync.cycle import Cycle, FolderRows, SyncContext
from memtray.sync.entry import GENESIS, LogEntry
from memtray.sync.held import held_files
from memtray.sync.materialise import record_writes, write_to_disk
from memtray.sync.pathsafety import MAX_PATH_CHARS, normalise
from memtray.sync.publish import INLINE_MAX, publish
from memtray.sync.pull import Fetched, check_acks, check_own_log, fetch_chain, hub_logs, read_log
from memtray.sync.records import FileRow
from memtray.sync.scan import KnownVersion, Unread, quiet_look, scan_folder
from memtray.sync.settle import settle
from memtray.sync.vectors import Order, VersionVector, compare
from memtray.sync.walk import RACY_NS
from memtray.vault.epochs import EpochKeys

__all__ = ["SyncContext", "SyncEngine"]

MASS_DELETE_MIN = 3
log = logging.getLogger("memtray.sync")
REFUSED_TOLD = "refused_told"
"""Index meta: per laptop, the newest sequence number of its log whose refusal a sync result already told."""


class SyncEngine:
    def __init__(self, context: SyncContext) -> None:
        self.ctx = context
        self.index = context.index
        self.me = context.me
        self._keys: EpochKeys | None = None
        self._settlements: list[Settlement] = []
        self.membership = Membership()

    def keys(self) -> EpochKeys:
        if self._keys is None:
            self._keys = self.ctx.keys()
        return self._keys

    def _progress(self, phase: str, done: int = 0, total: int = 0) -> None:
        if self.ctx.progress is not None:
            self.ctx.progress(SyncProgress(phase, done, total))

    def run(self) -> SyncResult:
        started = time.monotonic()
        result = SyncResult()
        self._settlements = []
        self._progress("checking")
        self.membership = self.ctx.membership()
        set_aside = repair.retired(self.index)
        logs = hub_logs(self.ctx.hub, skip=set_aside)
        self._adopt_own_entries(logs)
        known = self.index.device_names()
        cursors = {device: cursor for device, cursor in self.index.cursors().items() if device not in set_aside}
        told = json.loads(self.index.get_meta(REFUSED_TOLD, "{}") or "{}")
        cycle = Cycle(
            self.ctx, self.keys, cursors=dict(cursors), folder_defs=self.index.folder_defs(), refused_told=told
        )
        held = self._scan(cycle, result)
        if held is not None:
            return SyncResult(seconds=time.monotonic() - started, mass_delete=held)
        self._progress("downloading")
        coverage = Coverage(self.ctx.hub, self.keys, self.membership)
        take_checkpoints(cycle, self.keys, self.membership, logs, coverage, result, set_aside)
        batches = self._fetch(logs, dict(cycle.cursors), known, cycle, result, coverage)
        check_acks(batches, logs, known, skip=cycle.retiring)
        for batch in batches:
            for item in batch:
                _check_changes(item.entry)
        for batch in batches:  # every folder definition first: a laptop's changes may come before its folder's
            for item in batch:
                self._take_folders(cycle, item.entry, result)
        for batch in batches:
            for item in batch:
                self._apply_entry(cycle, item, result, known)
        held = self._remote_mass_delete(cycle)
        if held is not None:
            return SyncResult(seconds=time.monotonic() - started, mass_delete=held)
        self._fetch_blobs(cycle)
        self._progress("writing")
        settle_elsewhere(cycle, self._settlements, result)
        self._record(cycle)
        write_to_disk(cycle, result)
        record_writes(cycle, result)
        # Everything is in the index now; a large cycle's rows need not stay in memory while it sends.
        cycle.rows.clear()
        cycle.history.clear()
        self._progress("uploading")
        result.uploaded = publish(self.ctx, self.keys, cycle.contents)
        self._checkpoint()
        result.held = held_files(self.index)
        result.problems = [FileProblem(p.folder, p.path, p.message) for p in self.index.problems()]
        result.seconds = time.monotonic() - started
        return result

    def _checkpoint(self) -> None:
        """After sending: a checkpoint if one is due, then compaction (see compaction.py). Everything is sent by now,
        so a storage that refuses either is only noted: the next sync tries again."""
        try:
            if publish_checkpoint(self.ctx, self.keys) is not None:
                compact(self.ctx, self.keys, self.membership, self.ctx.retention)
        except HubError as exc:
            log.warning("checkpoint or compaction stopped: %s", exc.message)

    def _adopt_own_entries(self, logs: dict[str, list[int]]) -> None:
        my_seq = int(self.index.get_meta("seq", "0") or 0)
        newer = check_own_log(logs, self.me, my_seq)
        if not newer:
            return
        prev = self.index.get_meta("hash", GENESIS) or GENESIS
        own = fetch_chain(self.ctx.hub, self.keys(), self.me, newer, my_seq, prev, "this laptop", self.membership)
        if not own:
            return
        for item in own:
            _check_changes(item.entry)
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
            for item in own:
                self.index.note_entry_sent(item.entry.seq, item.entry.time, 0)
            self.index.set_meta("seq", str(own[-1].entry.seq))
            self.index.set_meta("hash", own[-1].sealed_hash)

    def _scan(self, cycle: Cycle, result: SyncResult) -> MassDeleteQuestion | None:
        """Note local edits and deletions; stop at the first folder that would lose too many files."""
        hash_after_ns = int(self.index.get_meta("scan_started_ns", "0") or 0) - RACY_NS
        reported = self.ctx.reported  # the paths a watcher reported: only a walk of everything moves the stamp
        cycle.scan_started_ns = time.time_ns() if reported is None else hash_after_ns + RACY_NS
        for folder_id, (root, rules) in cycle.live_folders().items():
            self._progress("scanning")
            only = None if reported is None else reported.get(folder_id)
            rows = cycle.folder_rows(folder_id)
            unread = None
            if only is None or "" in only:
                unread = Unread(self.index.disk_stamps(folder_id), rows.read_all)
            elif only and folder_id in self.ctx.path_maps:
                rows.read_all()
            else:
                _read_within_reach(rows, root, only)
            scan = scan_folder(
                root,
                folder_id,
                rules,
                rows,
                self.me,
                self._known_version(folder_id),
                hash_after_ns=hash_after_ns,
                paths=self.ctx.path_map(folder_id),
                reported=only,
                contents=cycle.contents,
                unread=unread,
            )
            deletions = sum(1 for edit in scan.edits if edit.version.deleted) - scan.moved
            live = partial(rows.on_disk, live_only=True)
            held = self._mass_delete(cycle, folder_id, deletions, live, DeletedBy.THIS_LAPTOP)
            if held is not None:
                return held
            cycle.problems[folder_id] = dict(scan.problems)
            for path, stamp in scan.restamped.items():
                rows[path].disk = stamp
                cycle.changed.add((folder_id, path))
            if only is None and self.ctx.walked is not None:
                definition = cycle.folder_defs[folder_id]
                paths = self.ctx.path_map(folder_id)
                self.ctx.walked[folder_id] = quiet_look(definition, root, scan, rows, paths, cycle.scan_started_ns)
            for edit in scan.edits:
                previous = rows.get(edit.version.path)
                if edit.data is not None:
                    cycle.contents[edit.version.sha] = edit.data
                cycle.history.append(edit.version)
                rows[edit.version.path] = FileRow(edit.version, edit.stamp, pending=True)
                cycle.changed.add(edit.version.key)
                if previous is not None and compare(edit.version.vv, previous.version.vv) is Order.CONCURRENT:
                    settle(cycle, previous.version, result, cycle.device_name(previous.version.origin))
        return None

    def _known_version(self, folder_id: str) -> KnownVersion:
        def known(path: str, sha: str) -> VersionVector | None:
            return self.index.known_vv(folder_id, path, sha)

        return known

    def _fetch(
        self,
        logs: dict[str, list[int]],
        cursors: dict[str, tuple[int, str]],
        known: dict[str, str],
        cycle: Cycle,
        result: SyncResult,
        coverage: Coverage,
    ) -> list[list[Fetched]]:
        """Every other laptop's new entries the roster lets this laptop apply. A log that cannot be read stops the
        sync, unless a laptop's readable entry retires that identity (it repaired itself: see repair.py)."""
        batches: list[list[Fetched]] = []
        failures: dict[str, MemtrayError] = {}
        for device in sorted((set(logs) | set(cursors)) - {self.me}):
            name = known.get(device, "another laptop")
            cursor = cursors.get(device, (0, GENESIS))
            self._note_refused(device, logs.get(device, []), cursor[0], cycle, result)
            try:
                seqs = logs.get(device, [])
                batch = read_log(self.ctx.hub, self.keys, device, seqs, cursor, name, self.membership, coverage.covers)
            except (IntegrityError, ObjectTooLargeError) as exc:
                failures[device] = exc
                continue
            if batch:
                batches.append(batch)
        cycle.retiring = {device for batch in batches for item in batch for device in item.entry.retires} - {self.me}
        for device, failure in failures.items():
            if device not in cycle.retiring:
                raise failure
        return [batch for batch in batches if batch[0].entry.device_id not in cycle.retiring]

    def _note_refused(self, device: str, seqs: list[int], applied: int, cycle: Cycle, result: SyncResult) -> None:
        """Tell once, in ``result``, of entries in ``device``'s log past ``applied`` that the roster refuses."""
        _, refused = admission.admitted(self.membership, device, seqs)
        newest = refused[-1] if refused else 0
        if newest <= max(applied, cycle.refused_told.get(device, 0)):
            return
        name = self.index.device_names().get(device) or _member_name(self.membership, device)
        result.refused.append(admission.refusal(self.membership, device, name))
        cycle.refused_told[device] = newest

    def _apply_entry(self, cycle: Cycle, item: Fetched, result: SyncResult, known: dict[str, str]) -> None:
        entry = item.entry
        cycle.cursors[entry.device_id] = (entry.seq, item.sealed_hash)
        if entry.notice:
            return
        if entry.device_id not in known and entry.device_id not in cycle.devices:
            result.new_devices.append(entry.device_name)
        known[entry.device_id] = entry.device_name
        cycle.devices[entry.device_id] = (entry.device_name, entry.platform, entry.seq, entry.time, entry.acks)
        cycle.rekey = cycle.rekey or self.me in entry.damaged
        for change in entry.changes:
            if change.data is not None:
                cycle.contents[change.version.sha] = change.data
            settle(cycle, change.version, result, entry.device_name)
        take_news(cycle, entry, result, self._settlements)

    def _take_folders(self, cycle: Cycle, entry: LogEntry, result: SyncResult) -> None:
        for folder in entry.folders:
            current = cycle.folder_defs.get(folder.folder_id)
            if admission.from_the_future(folder, time.time()):
                result.refused.append(admission.future_folder(folder, entry.device_name))
            elif current is None or folder.stamp > current.stamp:
                cycle.folder_defs[folder.folder_id] = folder
                cycle.defs_changed.add(folder.folder_id)

    def _remote_mass_delete(self, cycle: Cycle) -> MassDeleteQuestion | None:
        """The first folder where the other laptops' deletions would remove too many files here. A deleted file
        whose content arrives in this cycle under another path of the folder was moved (say, to its project's
        identity path; see scan.py), not lost."""
        for folder_id in cycle.live_folders():
            rows = cycle.folder_rows(folder_id)
            rows.read_unsettled()
            arrived = {rows[path].version.sha for folder, path in cycle.changed if folder == folder_id}
            doomed = sum(
                1
                for row in rows.values()
                if row.version.deleted and row.disk is not None and not row.pending and row.disk.sha not in arrived
            )
            held = self._mass_delete(cycle, folder_id, doomed, rows.on_disk, DeletedBy.ANOTHER_LAPTOP)
            if held is not None:
                return held
        return None

    def _mass_delete(
        self, cycle: Cycle, folder_id: str, deletions: int, count: Callable[[], int], deleted_by: DeletedBy
    ) -> MassDeleteQuestion | None:
        """The question to ask before ``deletions`` of the folder's files (``count()`` of them) go, unless they are
        few or already allowed."""
        if self.ctx.allow_mass_delete or deletions < MASS_DELETE_MIN:
            return None
        files = count()
        if deletions * 2 <= files:
            return None
        question = MassDeleteQuestion(folder_id, cycle.folder_defs[folder_id].name, deletions, files, deleted_by)
        return None if question.allowed_by(self.ctx.allowed_delete) else question

    def _fetch_blobs(self, cycle: Cycle) -> None:
        """Fetch and verify every blob this cycle writes, so a hub failure stops the sync before any write."""
        needed = [loser for _, loser in cycle.copies]
        for folder_id, (_, rules) in cycle.live_folders().items():
            rows = cycle.folder_rows(folder_id)
            rows.read_unsettled()
            for path, row in rows.items():
                version, disk = row.version, row.disk
                wanted = not version.deleted and (disk is None or disk.sha != version.sha) and rules.tracks(path)
                if wanted and self.ctx.disk_path(folder_id, path) is not None:
                    needed.append(version)
        cycle.prefetch(needed)

    def _record(self, cycle: Cycle) -> None:
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
            for folder_id in cycle.defs_changed:
                self.index.put_folder_def(cycle.folder_defs[folder_id], pending=False)
            if cycle.refused_told:
                self.index.set_meta(REFUSED_TOLD, json.dumps(cycle.refused_told, sort_keys=True))
            repair.retire(self.index, cycle.retiring)
            if cycle.rekey:
                repair.request_rekey(self.index)


def _read_within_reach(rows: FolderRows, root: Path, reported: frozenset[str]) -> None:
    """Read every row a scan of only the ``reported`` paths may take as deleted (see ``scan.Reach``), and some
    more: each path with everything below it, the files of its folder when it ends in "/", and everything below
    its folder when that folder is gone."""
    for path in reported:
        key = normalise(path.rstrip("/"))
        folder = key.rpartition("/")[0]
        rows.read_below(key)
        if path.endswith("/"):
            rows.read_in(folder)
        if folder and not (root / folder).is_dir():
            rows.read_below(folder)


def _member_name(membership: Membership, device_id: str) -> str:
    member = membership.members.get(device_id)
    return member.name if member is not None else "a laptop memtray does not know"


def _check_changes(entry: LogEntry) -> None:
    """Refuse an entry whose paths are impossibly long or whose inline content does not match its fingerprint."""
    for change in entry.changes:
        version = change.version
        if len(version.path) > MAX_PATH_CHARS:
            raise IntegrityError("A log entry in your storage names an impossibly long path. memtray did not use it.")
        if change.data is not None and hashlib.sha256(change.data).hexdigest() != version.sha:
            raise IntegrityError("A file in a log entry does not match its fingerprint. memtray did not use it.")
