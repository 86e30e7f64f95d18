"""Join after many small syncs: does a new laptop's join cost what the vault holds today, or how long it has existed?

For each hub kind and each number of syncs N: laptop A pushes ``--files`` notes, laptop B joins; A then makes N
small syncs (one note edited each time) while B syncs every ``--every`` of them (so its acknowledgements move on, as a
second laptop in use does). Then a new laptop C joins and pulls everything; the time of that join + first pull is
reported, with the hub's object count and bytes and the bytes of the notes themselves (the vault's content).
``--compaction`` runs it once with the storage history kept forever and once with A's and B's entries made a year
and a day old before each of B's syncs (time passing, as far as retention can tell), so compaction removes what
checkpoints cover. ``measure`` returns one case's figures (``benchmarks/compare.py`` uses it).

    .venv/bin/python -m benchmarks.join_after_syncs --files 1000 --syncs 10,1000 --kinds folder,memtray-hub
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.common import PASSPHRASE, generate, timed, vault_of_two
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.sync.compaction import DAY
from tests.servers import HubEndpoint, folder_endpoint
from tests.support.desktop import start_keyring_session


@contextlib.contextmanager
def _folder(workdir: Path) -> Iterator[HubEndpoint]:
    yield folder_endpoint(workdir / "hub")


def kinds() -> dict[str, Callable[[Path], contextlib.AbstractContextManager[HubEndpoint]]]:
    found: dict[str, Callable[[Path], contextlib.AbstractContextManager[HubEndpoint]]] = {"folder": _folder}
    with contextlib.suppress(ImportError):
        from tests.servers.http_hub import http_hub_endpoint

        found["memtray-hub"] = http_hub_endpoint
    return found


def _age(home: Path) -> None:
    with sqlite3.connect(home / "data" / "index.sqlite3") as db:
        db.execute("UPDATE sent_entries SET time = time - ?", (366 * DAY,))


def run(endpoint: HubEndpoint, source: Path, workdir: Path, syncs: int, every: int, compact: bool) -> dict[str, float]:
    a, b = vault_of_two(endpoint, workdir / "laptop-a", "notes", source, workdir / "laptop-b")
    b.map_folder("notes", str(workdir / "laptop-b-notes"))
    b.sync()
    for service in (a, b):
        service.set_setting("storage_history_days", 365 if compact else 0)
    edited = next(iter(sorted(source.rglob("*.md"))))
    for number in range(1, syncs + 1):
        edited.write_text(f"edit {number}\n" + edited.read_text()[:1500])
        a.sync()
        if number % every == 0 or number == syncs:
            if compact:
                _age(workdir / "laptop-a")
                _age(workdir / "laptop-b")
            b.sync()
    a.sync()
    c = Service(resolve_home(workdir / "laptop-c"))
    target = workdir / "laptop-c-notes"

    def join() -> None:
        c.join(a.setup_code(), PASSPHRASE, hub_secret=endpoint.secret)
        c.map_folder("notes", str(target))
        c.sync()

    figures = {"join + pull": timed(join)}
    pulled = {path.relative_to(target).as_posix(): path.read_bytes() for path in target.rglob("*.md")}
    wanted = {path.relative_to(source).as_posix(): path.read_bytes() for path in source.rglob("*.md")}
    if pulled != wanted:
        raise SystemExit(f"laptop C differs from A in {len(set(pulled) ^ set(wanted))} files or their contents")
    keys = endpoint.raw.keys("")
    figures["hub objects"] = len(keys)
    figures["hub MB"] = sum(len(endpoint.raw.read(key)) for key in keys) / 1e6
    figures["log entries"] = sum(1 for key in keys if key.startswith("log/"))
    figures["content MB"] = sum(len(content) for content in wanted.values()) / 1e6
    for service in (a, b, c):
        service.close()
    return figures


def measure(
    hub: Callable[[Path], contextlib.AbstractContextManager[HubEndpoint]],
    workdir: Path,
    files: int,
    syncs: int,
    every: int,
    compact: bool,
) -> dict[str, float]:
    """One case on a fresh hub of the kind ``hub`` starts, in ``workdir``; expects a keyring session."""
    source = workdir / "source"
    generate(source, files)
    with hub(workdir / "server") as endpoint:
        return run(endpoint, source, workdir, syncs, every, compact)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--syncs", default="10,1000", help="comma-separated numbers of small syncs")
    parser.add_argument("--every", type=int, default=50, help="laptop B syncs after every this many of A's syncs")
    parser.add_argument("--kinds", default="folder,memtray-hub")
    parser.add_argument("--compaction", default="on", choices=("on", "off", "both"))
    args = parser.parse_args()
    hubs = kinds()
    os.environ["MEMTRAY_KDF_PROFILE"] = "test"
    # the memtray hub is a process of its own: no PYTHONDONTWRITEBYTECODE for it either
    for variable in ("MEMTRAY_PASSPHRASE", "MEMTRAY_HOME", "MEMTRAY_HUB_SECRET", "PYTHONDONTWRITEBYTECODE"):
        os.environ.pop(variable, None)
    keyring = start_keyring_session()
    os.environ.update(keyring.env)
    modes = {"on": [True], "off": [False], "both": [False, True]}[args.compaction]
    columns = ["join + pull", "hub objects", "hub MB", "log entries", "content MB"]
    print(f"{args.files} files of ~2 KB; B syncs every {args.every} of A's syncs; join + pull in seconds")
    print(f"{'hub':<12}{'syncs':>7}{'compaction':>12}" + "".join(f"{column:>13}" for column in columns))
    try:
        with tempfile.TemporaryDirectory(prefix="memtray-bench-") as scratch:
            for name in [kind for kind in args.kinds.split(",") if kind]:
                for syncs in [int(n) for n in args.syncs.split(",")]:
                    for compact in modes:
                        workdir = Path(scratch) / f"{name}-{syncs}-{compact}"
                        figures = measure(hubs[name], workdir, args.files, syncs, args.every, compact)
                        cells = "".join(f"{figures[column]:>13.3f}" for column in columns[:1])
                        cells += "".join(f"{figures[column]:>13.0f}" for column in ("hub objects",))
                        cells += f"{figures['hub MB']:>13.2f}{figures['log entries']:>13.0f}"
                        cells += f"{figures['content MB']:>13.2f}"
                        print(f"{name:<12}{syncs:>7}{'on' if compact else 'off':>12}{cells}", flush=True)
    finally:
        keyring.stop()


if __name__ == "__main__":
    main()
