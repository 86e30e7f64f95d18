"""Running a sync under the home lock, and the repair that carries on after the hub really lost data
(see memtray/sync/repair.py).

Each sync translates the Claude Code folder's project paths for this laptop (see projects.py), and places
project folders that wait for a place here once their project is found; a sync that placed one runs again, so
the folder's files arrive at once.
"""

from __future__ import annotations

import sys
import time
import uuid
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from memtray.errors import MemtrayError, RollbackError
from memtray.hubs.base import Enrollment
from memtray.model import MassDeleteQuestion, ProgressCallback, SyncResult
from memtray.service.base import HUB_DEVICE_LABEL, ServiceBase
from memtray.service.lock import HomeLock
from memtray.service.projects import Projects
from memtray.sync import quiet, repair
from memtray.sync.blob_gc import tidy_hub
from memtray.sync.compaction import retention_seconds
from memtray.sync.engine import SyncContext, SyncEngine
from memtray.sync.osrules import current_rules
from memtray.sync.reconcile import ConflictPolicy
from memtray.sync.watch_changes import Reported, ReportedChanges
from memtray.vault.epochs import UnknownEpochError

if TYPE_CHECKING:
    from memtray.sessions import SessionBridge

DAY = 24 * 60 * 60
# SyncResult fields that say how things stand after a sync, not what it did.
STANDING = ("problems", "held")


class Syncing:
    def __init__(self, service: ServiceBase) -> None:
        self._service = service
        self._projects = Projects(service)
        self._walked: dict[str, quiet.FolderLook] = {}
        """What each folder's whole walk in this sync saw (see memtray/sync/quiet.py)."""

    def sync(
        self,
        *,
        progress: ProgressCallback | None = None,
        allow_mass_delete: bool = False,
        allowed_delete: MassDeleteQuestion | None = None,
        place_projects: bool = True,
        changes: ReportedChanges | None = None,
    ) -> SyncResult:
        """One sync, under the home lock; a repair another laptop asked for runs first, then the sync again.
        ``place_projects`` False leaves waiting project folders alone (a join places them before it commits).
        With a watcher's ``changes`` the scan looks only at what it reported (see watch_changes.py)."""
        service = self._service
        hub_digest = quiet.hub_names(service.hub()) if changes is None else None  # before anything reads the hub
        service.epoch_keys()
        with HomeLock(service.home.lock_file):
            quiet.forget(service.home)
            self._walked = {}
            self._follow_index_identity()
            placed = place_projects and self._place_projects()
            sessions = _session_bridge(service)
            placed = (sessions is not None and sessions.before_sync().changed) or placed  # new chunks: full scan
            taken = changes.take() if changes is not None else None
            try:
                result = self._sync_locked(
                    progress, allow_mass_delete, allowed_delete, None if placed else taken, changes
                )
            except BaseException:
                if changes is not None:
                    changes.sync_failed()
                raise
            if changes is not None and result.mass_delete is not None:
                changes.sync_failed()
            quiet_so_far = sessions is None and not placed and result.quiet()
            if repair.rekey_requested(service.index):
                self._rekey(set())
                result = self._sync_locked(progress, allow_mass_delete, allowed_delete)
                quiet_so_far = False
            if place_projects and result.mass_delete is None and self._place_projects():
                result = _both(result, self._sync_locked(progress, allow_mass_delete, allowed_delete))
                quiet_so_far = False
            if result.mass_delete is None and sessions is not None and sessions.after_sync().placed:
                result = _both(result, self._sync_locked(progress, allow_mass_delete, allowed_delete))
                sessions.after_sync()
            if quiet_so_far and hub_digest:
                self._record_quiet(hub_digest)
            return result

    def _record_quiet(self, hub_digest: str) -> None:
        """This sync had nothing to do: what it looked at, for the next ``memtray sync`` command."""
        service = self._service
        index = service.index
        folders = [self._walked[folder_id] for folder_id in sorted(self._walked)]
        now = time.time()
        daily = min(float(index.get_meta(name, "0") or 0) for name in ("last_prune", "last_tidy")) + DAY
        scan_started_ns = int(index.get_meta("scan_started_ns", "0") or 0)
        quiet.record(
            service.home,
            service.config.hub_url,
            hub_digest,
            folders,
            scan_started_ns,
            min(now + quiet.QUIET_FOR, daily),
        )

    def _place_projects(self) -> bool:
        """Place the project folders found on this laptop; True if any was."""
        if not self._projects.place_waiting_folders():
            return False
        self._service.save_config()
        return True

    def repair(self) -> SyncResult | None:
        """Carry on after the hub really lost data: this laptop sends everything it has again under a new
        identity, sets aside the histories it cannot read, and asks their laptops to do the same. Files on this
        laptop are not changed by the repair itself. None if nothing on the hub is damaged."""
        service = self._service
        service.epoch_keys()
        with HomeLock(service.home.lock_file):
            quiet.forget(service.home)
            self._follow_index_identity()
            keys, news = service.members.refresh(service.epoch_keys())
            damaged = repair.damaged_logs(service.hub(), keys, service.index, service.config.device_id, news.membership)
            if not damaged:
                return None
            self._rekey(damaged)
            return self._sync_locked(None, False, None)

    def _follow_index_identity(self) -> None:
        """A repair that stopped between switching the index to a new identity and saving the config."""
        service = self._service
        recorded = service.index.get_meta(repair.IDENTITY)
        if recorded and recorded != service.config.device_id:
            service.config.device_id = recorded
            service.save_config()
            service.drop_hub()

    def _rekey(self, damaged: set[str]) -> None:
        service = self._service
        config = service.config
        old, new = config.device_id, uuid.uuid4().hex
        hub = service.hub()
        if isinstance(hub, Enrollment):
            service.remember_hub_secret(hub.join_vault(hub.create_invite(), config.vault_id, new, HUB_DEVICE_LABEL))
        repair.rekey(service.index, old, new, damaged)
        service.index.put_device(new, config.device_name, sys.platform, 0, time.time(), {})
        service.index.add_activity("repaired", "", "", "this laptop sent its files again after the storage lost data")
        config.device_id = new
        service.save_config()
        service.drop_hub()

    def _sync_locked(
        self,
        progress: ProgressCallback | None,
        allow_mass_delete: bool,
        allowed_delete: MassDeleteQuestion | None,
        reported: Reported | None = None,
        changes: ReportedChanges | None = None,
    ) -> SyncResult:
        service = self._service
        try:
            return self._sync_once(progress, allow_mass_delete, allowed_delete, reported, changes)
        except UnknownEpochError:
            service.forget_keys()  # another laptop started a new epoch while this one synced: unlock, then again
            return self._sync_once(progress, allow_mass_delete, allowed_delete, reported, changes)

    def _sync_once(
        self,
        progress: ProgressCallback | None,
        allow_mass_delete: bool,
        allowed_delete: MassDeleteQuestion | None,
        reported: Reported | None = None,
        changes: ReportedChanges | None = None,
    ) -> SyncResult:
        service = self._service
        config = service.config
        index = service.index
        try:
            _, news = service.members.refresh(service.epoch_keys())
        except MemtrayError as exc:
            index.set_meta("last_error", exc.message)
            raise
        context = SyncContext(
            hub=service.hub(),
            index=index,
            me=config.device_id,
            device_name=config.device_name,
            folder_roots={fid: Path(path) for fid, path in config.folder_paths.items()},
            path_maps=self._projects.path_maps(),
            unguarded=frozenset(config.secret_guard_off),
            retention=retention_seconds(int(config.setting("storage_history_days"))),
            policy=ConflictPolicy(config.setting("conflict_policy")),
            rules=current_rules(),
            keys=service.epoch_keys,
            membership=lambda: news.membership,
            signer=service.members.signer(),
            progress=progress,
            allow_mass_delete=allow_mass_delete,
            allowed_delete=allowed_delete,
            reported=reported,
            wrote=None if changes is None else changes.wrote,
            walked=self._walked,
        )
        try:
            result = _run(context)
        except MemtrayError as exc:
            index.set_meta("last_error", exc.message)
            raise
        if result.mass_delete is not None:
            index.set_meta("last_error", result.mass_delete.message())
            return result
        result.joined, result.left = news.joined, news.left
        service.members.told(news)
        now = time.time()
        index.set_meta("last_error", "")
        index.set_meta("last_sync", str(now))
        if float(index.get_meta("last_prune", "0") or 0) < now - DAY:
            index.prune_versions(now - DAY * int(config.setting("history_days")))
            index.set_meta("last_prune", str(now))
        if float(index.get_meta("last_tidy", "0") or 0) < now - DAY:
            tidy_hub(context.hub, index, service.epoch_keys, config.device_id, now=now)
            index.set_meta("last_tidy", str(now))
        return result


def _run(context: SyncContext) -> SyncResult:
    """One sync cycle, run once more after a hole in another laptop's log: a laptop that compacted its log
    (compaction.py) between this sync's look at the hub and its reads leaves a hole only for this sync, and the
    next cycle starts from that laptop's newer checkpoint. A hub that really lost data fails the same way twice."""
    try:
        return SyncEngine(context).run()
    except RollbackError:
        return SyncEngine(context).run()


def _session_bridge(service: ServiceBase) -> SessionBridge | None:
    """The agent sessions' bridge on a laptop that opted in; elsewhere its modules are not even loaded."""
    if not (service.config.setting("claude_sessions") or service.config.setting("codex_sessions")):
        return None
    from memtray.sessions import SessionBridge

    return SessionBridge(service)


def _both(first: SyncResult, second: SyncResult) -> SyncResult:
    """What two syncs in a row did: counts added, news of both; the state (problems, held files, a question to
    ask) as the second left it."""
    merged = SyncResult()
    for item in fields(SyncResult):
        earlier, later = getattr(first, item.name), getattr(second, item.name)
        adds_up = isinstance(later, int | float | list) and not isinstance(later, bool)
        setattr(merged, item.name, earlier + later if adds_up and item.name not in STANDING else later)
    return merged
