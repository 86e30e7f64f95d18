"""A hub that fails as real disks and cloud drives fail: a clear error, a safe retry, no harm, convergence.

Each laptop's hub is the real folder hub wrapped in ``FaultyFolderHub`` (see faulty_hub.py): disk
full, permission denied, I/O errors, slow I/O, and torn objects that readers see half-uploaded.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from memtray.errors import HubError, IntegrityError, MemtrayError
from tests.prove.faulty_hub import Faults, FaultyFolderHub, FaultyService
from tests.prove.fleet import SCALE, assert_converged, close_fleet, make_fleet, remember_seen
from tests.prove.schedule import KINDS, random_schedule, run_schedule
from tests.support.laptops import tree

FAULTY_WEIGHTS = dict(zip(KINDS, (3, 3, 2, 1, 1, 6, 0, 0, 1), strict=True))


def _plain_sentence(error: MemtrayError) -> None:
    assert isinstance(error, HubError | IntegrityError), f"unexpected {type(error).__name__}: {error}"
    message = error.message
    assert message[:1].isupper() or message.startswith("memtray"), message
    assert message.rstrip(")").endswith((".", "?")), message
    assert "Errno" not in message and "Traceback" not in message, message
    assert error.title and error.title != MemtrayError.title


@pytest.mark.parametrize("seed", range(3 * SCALE))
def test_a_faulty_hub_gives_clear_errors_retries_safely_and_converges(seed: int, tmp_path: Path):
    hub, fleet = make_fleet(tmp_path, 3, kind=FaultyService)
    rng = random.Random(seed)
    failures: dict[str, int] = {}
    try:
        services = [member.service for member in fleet]
        for number, service in enumerate(services):
            assert isinstance(service, FaultyService)
            service.faults = Faults(random.Random(seed * 100 + number), rate=0.2)

        def sync(number: int) -> None:
            member, service = fleet[number], services[number]
            assert isinstance(service, FaultyService) and service.faults is not None
            before = tree(member.folder)
            service.faults.failed_call = ""
            try:
                service.sync(allow_mass_delete=True)
            except MemtrayError as error:
                _plain_sentence(error)
                failures[type(error).__name__] = failures.get(type(error).__name__, 0) + 1
                if isinstance(error, IntegrityError) or service.faults.failed_call in ("get", "list"):
                    assert tree(member.folder) == before, f"a failed sync changed files ({error})"
                return
            remember_seen(member.seen, before)
            if rng.random() < 0.3:
                _finish_uploads(services)

        steps = random_schedule(rng, 40 * SCALE, tuple(FAULTY_WEIGHTS.values()))
        run_schedule(steps, [member.folder for member in fleet], sync, lambda number, online: None)
        for service in services:
            assert isinstance(service, FaultyService) and service.faults is not None
            service.faults.rate = 0
        _finish_uploads(services)
        assert_converged(hub, fleet)
    finally:
        close_fleet(fleet)
    assert failures, "no fault was ever injected"


def _finish_uploads(services: list) -> None:
    for service in services:
        faulty = service.hub()
        if isinstance(faulty, FaultyFolderHub):
            faulty.finish_uploads()
