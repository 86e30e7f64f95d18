"""A laptop joining a vault with a long history: objects fetched one at a time ("before") vs many at a time.

    python -m benchmarks.batch_fetch [--kinds memtray,rclone,moto-s3] [--files 10000] [--syncs 1000]
                                     [--big 10] [--repeat 3]

(run from the repository root: the hub servers come from ``tests/servers``).

Per hub kind, on a real server on 127.0.0.1: laptop A sends ``--files`` notes of ~2 KB and ``--big`` files of
1 MB (blobs); laptop D then makes ``--syncs`` small syncs (one edited note each, in its own folder), so the log
holds that many entries. Then a new laptop joins and pulls everything, ``--repeat`` times for each variant,
interleaved: "before" fetches each log entry and blob with its own request (as memtray did; the same code with
``fetch_many`` replaced by one ``get`` per key), "after" uses ``memtray.hubs.batch.fetch_many`` (the memtray hub's
batch read, else up to 8 reads in flight). The memtray hub runs with its default rate limit during the joins
(a higher one only while the history is made). Printed: medians in seconds of the join step (which already pulls
the log once), of join + first pull, of the time spent waiting for log entries and blobs to arrive, and the HTTP
requests the joining laptop sent and how many the hub refused with 429 (its rate limit).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import requests

from benchmarks.common import PASSPHRASE, generate, vault_of_two
from memtray.hubs.base import Hub
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.sync import cycle, engine, pull
from tests.servers import HubEndpoint, folder_endpoint
from tests.support.desktop import start_keyring_session

FAST_SETUP_RATE = "1000000"
Start = Callable[[Path, bool], contextlib.AbstractContextManager[HubEndpoint]]
Fetch = Callable[[Hub, Iterable[str]], Iterator[tuple[str, bytes]]]


WAITED = [0.0]
REQUESTS = {"sent": 0, "refused": 0}
_send = requests.Session.request


def _counted(session: requests.Session, method: str, url: str, *args: object, **kwargs: object) -> requests.Response:
    response = _send(session, method, url, *args, **kwargs)  # type: ignore[arg-type]
    REQUESTS["sent"] += 1
    REQUESTS["refused"] += response.status_code == 429
    return response


requests.Session.request = _counted  # type: ignore[assignment,method-assign]


def one_at_a_time(hub: Hub, keys: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    return ((key, hub.get(key)) for key in keys)


def stopwatched(fetch: Fetch) -> Fetch:
    """``fetch``, adding the time spent waiting for each object to ``WAITED``."""

    def measured(hub: Hub, keys: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        stream = fetch(hub, keys)
        while True:
            started = time.perf_counter()
            try:
                item = next(stream)
            except StopIteration:
                return
            finally:
                WAITED[0] += time.perf_counter() - started
            yield item

    return measured


@contextlib.contextmanager
def fetching(variant: str) -> Iterator[None]:
    original = pull.fetch_many
    chosen = stopwatched(one_at_a_time if variant == "before" else original)
    pull.fetch_many = cycle.fetch_many = chosen  # type: ignore[assignment]
    try:
        yield
    finally:
        pull.fetch_many = cycle.fetch_many = original


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _memtray_starter() -> Start:
    from tests.servers.http_hub import SQLiteRawStore, run_hub_server

    port = str(_free_port())

    @contextlib.contextmanager
    def start(workdir: Path, setting_up: bool) -> Iterator[HubEndpoint]:
        extra = ["--port", port, *(["--rate", FAST_SETUP_RATE] if setting_up else [])]
        earlier_log = workdir / "server.log"
        if earlier_log.exists():  # its "listening" line would be taken for the restarted server's
            earlier_log.rename(workdir / "server-setup.log")
        with run_hub_server(workdir, *extra) as hub:
            yield HubEndpoint(kind="memtray", url=hub.url, raw=SQLiteRawStore(hub.db_path), new_invite=hub.new_invite)

    return start


def _plain(factory: Callable[[Path], contextlib.AbstractContextManager[HubEndpoint]]) -> Start:
    running: dict[str, HubEndpoint] = {}
    stack = contextlib.ExitStack()

    @contextlib.contextmanager
    def start(workdir: Path, setting_up: bool) -> Iterator[HubEndpoint]:
        if "hub" not in running:
            running["hub"] = stack.enter_context(factory(workdir))
        yield running["hub"]

    start.stack = stack  # type: ignore[attr-defined]
    return start


def starters() -> dict[str, Callable[[], Start]]:
    def webdav(name: str) -> Callable[[], Start]:
        def make() -> Start:
            module = __import__(f"tests.servers.webdav_{name}", fromlist=["x"])
            return _plain(getattr(module, f"webdav_{name}_endpoint"))

        return make

    def s3() -> Start:
        from tests.servers.s3_moto import s3_moto_endpoint

        return _plain(s3_moto_endpoint)

    def folder() -> Start:
        return _plain(lambda workdir: contextlib.nullcontext(folder_endpoint(workdir / "hub")))

    return {
        "memtray": _memtray_starter,
        "rclone": webdav("rclone"),
        "wsgidav": webdav("wsgidav"),
        "moto-s3": s3,
        "folder": folder,
    }


@contextlib.contextmanager
def checkpoints(publish: bool) -> Iterator[None]:
    """With ``publish`` False no laptop writes a checkpoint, so a joining laptop reads the whole log (as before
    checkpoints: the case the issue measured)."""
    original = engine.publish_checkpoint
    if not publish:
        engine.publish_checkpoint = lambda *_args, **_kwargs: None
    try:
        yield
    finally:
        engine.publish_checkpoint = original


def make_history(endpoint: HubEndpoint, workdir: Path, files: int, big: int, syncs: int) -> Service:
    source = workdir / "source"
    generate(source, files)
    for number in range(big):
        (source / f"big-{number:02d}.bin").write_bytes(os.urandom(1024 * 1024))
    a, d = vault_of_two(endpoint, workdir / "laptop-a", "memory", source, workdir / "laptop-d")
    notes = workdir / "notes"
    notes.mkdir()
    (notes / "log.md").write_text("start\n")
    d.add_folder("notes", str(notes))
    for number in range(syncs):
        (notes / "log.md").write_text(f"small sync {number}\n")
        d.sync()
        if number % 100 == 99:
            print(f"  history: {number + 1} small syncs", file=sys.stderr, flush=True)
    d.close()
    return a


def join_once(a: Service, endpoint: HubEndpoint, workdir: Path, variant: str) -> tuple[float, ...]:
    """Seconds of: join (which already pulls the log once), join and the first pull, waiting on fetches; HTTP
    requests sent and answered 429 (rate limited)."""
    code = a.setup_code()
    joiner = Service(resolve_home(workdir / "home"))
    WAITED[0] = 0.0
    REQUESTS.update(sent=0, refused=0)
    with fetching(variant):
        started = time.perf_counter()
        joiner.join(code, PASSPHRASE, hub_secret=endpoint.secret)
        joined = time.perf_counter()
        joiner.map_folder("memory", str(workdir / "memory"))
        joiner.map_folder("notes", str(workdir / "notes"))
        joiner.sync()
        done = time.perf_counter()
    joiner.close()
    pulled = sum(1 for path in (workdir / "memory").rglob("*") if path.is_file())
    if pulled == 0:
        raise SystemExit(f"the laptop that joined ({variant}) received no files")
    return joined - started, done - started, WAITED[0], REQUESTS["sent"], REQUESTS["refused"]


def run_kind(name: str, start: Start, workdir: Path, args: argparse.Namespace) -> None:
    files = args.files if name == "memtray" else args.other_files
    syncs = args.syncs if name == "memtray" else args.other_syncs
    with start(workdir / "server", True) as endpoint, checkpoints(not args.no_checkpoints):
        a = make_history(endpoint, workdir / "history", files, args.big, syncs)
        entries, checkpoint_parts = len(endpoint.raw.keys("log/")), len(endpoint.raw.keys("ckpt/"))
        print(f"  history: {entries} log entries, {checkpoint_parts} checkpoint objects", file=sys.stderr, flush=True)
    figures: dict[str, list[tuple[float, ...]]] = {"before": [], "after": []}
    with start(workdir / "server", False) as endpoint, checkpoints(not args.no_checkpoints):
        for round_number in range(args.repeat):
            for variant in ("before", "after"):
                place = workdir / f"join-{variant}-{round_number}"
                figures[variant].append(join_once(a, endpoint, place, variant))
    a.close()
    stack = getattr(start, "stack", None)
    if stack is not None:
        stack.close()
    for variant, runs in figures.items():
        join, pull_all, fetch, sent, refused = (statistics.median(run[i] for run in runs) for i in range(5))
        spread = max(run[1] for run in runs) - min(run[1] for run in runs)
        print(
            f"{name:<9}{variant:<8}{files:>7}{syncs:>7}{join:>9.2f}{pull_all:>14.2f}{fetch:>14.2f}{spread:>9.2f}"
            f"{sent:>10.0f}{refused:>6.0f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default="memtray,rclone,moto-s3")
    parser.add_argument("--files", type=int, default=10_000, help="notes on the memtray hub")
    parser.add_argument("--syncs", type=int, default=1000, help="small syncs on the memtray hub")
    parser.add_argument("--other-files", type=int, default=2000, help="notes on the other hubs")
    parser.add_argument("--other-syncs", type=int, default=200, help="small syncs on the other hubs")
    parser.add_argument("--big", type=int, default=10, help="1 MB files (sent as blobs)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-checkpoints", action="store_true", help="history without checkpoints: whole-log joins")
    args = parser.parse_args()
    os.environ["MEMTRAY_KDF_PROFILE"] = "test"
    for variable in ("MEMTRAY_PASSPHRASE", "MEMTRAY_HOME", "MEMTRAY_HUB_SECRET"):
        os.environ.pop(variable, None)
    keyring = start_keyring_session()
    os.environ.update(keyring.env)
    history = "without checkpoints (whole-log joins)" if args.no_checkpoints else "with checkpoints"
    print(f"history {history}; medians of {args.repeat}, seconds; spread = max - min of join + first pull")
    header = (
        f"{'hub':<9}{'fetch':<8}{'files':>7}{'syncs':>7}{'join':>9}{'+ first pull':>14}{'waiting':>14}{'spread':>9}"
    )
    print(header)
    try:
        with tempfile.TemporaryDirectory(prefix="memtray-bench-batch-") as scratch:
            for name in [kind for kind in args.kinds.split(",") if kind]:
                workdir = Path(scratch) / name
                workdir.mkdir()
                run_kind(name, starters()[name](), workdir, args)
    finally:
        keyring.stop()


if __name__ == "__main__":
    main()
