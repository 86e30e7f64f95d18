"""Laptops driven in-process through the service layer, and the checks every proof ends with.

One ``Service`` per laptop home, on one folder hub. A laptop goes "offline" the way a real one
does with a folder hub: its hub drive is unplugged (``hub()`` answers with a folder hub whose
folder is not there), so a sync fails with the hub-unreachable error the real adapter raises.

``MEMTRAY_PROVE_SCALE`` (default 1) multiplies example and trial counts for local runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, settings

from memtray.errors import HubUnreachableError, MemtrayError
from memtray.hubs.base import Hub
from memtray.hubs.folder import FolderHub
from memtray.model import SyncResult
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.sync.globs import CONFLICTS_DIR, TEMP_PREFIX
from tests.servers import HubEndpoint, folder_endpoint
from tests.support.laptops import PASSPHRASE, Laptop, assert_synced, tree

SCALE = max(1, int(os.environ.get("MEMTRAY_PROVE_SCALE", "1")))
FOLDER = "memory"


def proof_settings(max_examples: int) -> settings:
    """hypothesis settings for a proof: no deadline; at scale 1 the same examples every run and no example
    database, at a larger scale random examples and hypothesis's database."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=SCALE == 1,
        database=None if SCALE == 1 else settings().database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


class UnpluggableService(Service):
    """The real service; while ``unplugged`` its hub is a folder on a drive that is not connected."""

    unplugged = False

    def hub(self) -> Hub:
        if self.unplugged:
            return FolderHub((self.home.data_dir / "unplugged-drive").as_uri())
        return super().hub()


@dataclass
class InProcessLaptop:
    laptop: Laptop
    service: UnpluggableService
    seen: dict[str, set[bytes]] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.laptop.folder(FOLDER)

    def sync(self) -> SyncResult | None:
        """One sync; None when the hub is unplugged. Remembers what memtray saw when it succeeded."""
        before = tree(self.folder)
        try:
            result = self.service.sync(allow_mass_delete=True)
        except HubUnreachableError:
            assert self.service.unplugged, "the hub was reachable yet the sync said it was not"
            assert tree(self.folder) == before, "a failed sync changed local files"
            return None
        remember_seen(self.seen, before)
        return result


def make_fleet(
    workdir: Path, count: int, policy: str = "keep_both", kind: type[UnpluggableService] = UnpluggableService
) -> tuple[HubEndpoint, list[InProcessLaptop]]:
    hub = folder_endpoint(workdir / "hub")
    fleet = []
    for number in range(count):
        name = f"Laptop-{chr(ord('A') + number)}"
        laptop = Laptop(name, workdir / name, hub)
        laptop.folder(FOLDER).mkdir(parents=True)
        service = kind(resolve_home(laptop.home))
        if number == 0:
            service.init(hub.url, PASSPHRASE, device_name=name)
            service.add_folder(FOLDER, str(laptop.folder(FOLDER)))
        else:
            service.join(hub.url, PASSPHRASE, device_name=name)
            service.map_folder(FOLDER, str(laptop.folder(FOLDER)))
        service.set_setting("conflict_policy", policy)
        service.sync()
        fleet.append(InProcessLaptop(laptop, service))
    return hub, fleet


def close_fleet(fleet: list[InProcessLaptop]) -> None:
    for member in fleet:
        member.service.close()


def settle(fleet: list[InProcessLaptop], max_rounds: int = 8) -> int:
    """Everyone online syncs in turn until a whole round changes nothing; the number of rounds."""
    for member in fleet:
        member.service.unplugged = False
    for rounds in range(1, max_rounds + 1):
        busy = False
        for member in fleet:
            result = member.sync()
            assert result is not None
            busy |= bool(result.uploaded or result.downloaded or result.deleted_here or result.merged)
        if not busy:
            return rounds
    raise AssertionError(f"the laptops were still exchanging changes after {max_rounds} rounds")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def recoverable_shas(laptop: Laptop, service: Service) -> set[str]:
    """Contents this laptop can give back: live files, conflict copies, and version history."""
    found = {_sha(data) for data in tree(laptop.folder(FOLDER)).values()}
    conflicts = laptop.folder(FOLDER) / CONFLICTS_DIR
    found |= {_sha(path.read_bytes()) for path in conflicts.rglob("*") if path.is_file()}
    with sqlite3.connect(laptop.home / "data" / "index.sqlite3") as db:
        history = db.execute("SELECT id, sha FROM versions WHERE deleted = 0").fetchall()
    for version_id, sha in history:
        if sha not in found:
            with contextlib.suppress(MemtrayError):
                found.add(_sha(service.history.read_version(version_id)))
    return found


def remember_seen(seen: dict[str, set[bytes]], snapshot: dict[str, bytes]) -> None:
    for path, data in snapshot.items():
        seen.setdefault(path, set()).add(data)


def assert_nothing_lost(witnessed: list[tuple[Laptop, Service, dict[str, set[bytes]]]]) -> None:
    """Every text memtray saw on any laptop is live, a conflict copy or in version history somewhere."""
    recoverable: set[str] = set()
    for laptop, service, _ in witnessed:
        recoverable |= recoverable_shas(laptop, service)
    for laptop, _, seen in witnessed:
        for path, texts in seen.items():
            for data in texts:
                assert _sha(data) in recoverable, f"{laptop.name} saw {path} = {data[:80]!r}…; it is gone"


def assert_no_stray_temp_files(folder: Path) -> None:
    strays = [path for path in folder.rglob("*") if path.name.startswith(TEMP_PREFIX)]
    assert not strays, f"memtray left temp files behind: {strays}"


def assert_converged(hub: HubEndpoint, fleet: list[InProcessLaptop]) -> None:
    settle(fleet)
    assert_synced([member.laptop for member in fleet], hub, FOLDER)
    assert_nothing_lost([(member.laptop, member.service, member.seen) for member in fleet])
    for member in fleet:
        assert_no_stray_temp_files(member.folder)
