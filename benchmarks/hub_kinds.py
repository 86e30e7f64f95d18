"""First push, first pull and no-change sync of N generated files through every hub kind.

    python -m benchmarks.hub_kinds [--files 2000] [--size 2048] [--kinds folder,apache,...] [--repeat 3]

(run from the repository root: the hub servers come from ``tests/servers``).

Each kind gets a real server on 127.0.0.1 (the same fixtures the tests use), laptop A (``init``,
``add_folder``, ``sync``) and laptop B (``join`` with A's setup code, ``map_folder``, ``sync``), both
through ``memtray.service.Service`` in this process. A private gnome-keyring session holds the
secrets and the test KDF profile keeps set-up quick; neither is inside a timed step. Figures are
wall-clock seconds on whatever else the machine is doing; no-change syncs are the median of
``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.common import PASSPHRASE, generate, timed
from memtray.paths import resolve_home
from memtray.service import Service
from tests.servers import HubEndpoint, folder_endpoint
from tests.servers.s3_moto import s3_moto_endpoint
from tests.servers.webdav_apache import webdav_apache_endpoint
from tests.servers.webdav_rclone import webdav_rclone_endpoint
from tests.servers.webdav_wsgidav import webdav_wsgidav_endpoint
from tests.support.desktop import start_keyring_session


@contextlib.contextmanager
def _folder(workdir: Path) -> Iterator[HubEndpoint]:
    yield folder_endpoint(workdir / "hub")


def _kinds() -> dict[str, Callable[[Path], contextlib.AbstractContextManager[HubEndpoint]]]:
    kinds: dict[str, Callable[[Path], contextlib.AbstractContextManager[HubEndpoint]]] = {
        "folder": _folder,
        "apache": webdav_apache_endpoint,
        "wsgidav": webdav_wsgidav_endpoint,
        "rclone": webdav_rclone_endpoint,
        "moto-s3": s3_moto_endpoint,
    }
    with contextlib.suppress(ImportError):
        from tests.servers.http_hub import http_hub_endpoint

        kinds["memtray"] = http_hub_endpoint
    with contextlib.suppress(ImportError):
        from tests.servers.git_http import git_http_endpoint

        kinds["git"] = git_http_endpoint
    return kinds


def median_of(repeat: int, action: Callable[[], object]) -> float:
    return statistics.median(timed(action) for _ in range(repeat))


def count_files(root: Path) -> int:
    return sum(1 for path in root.rglob("*.md") if path.is_file())


def run_kind(name: str, endpoint: HubEndpoint, source: Path, workdir: Path, repeat: int) -> dict[str, float]:
    laptop_a = Service(resolve_home(workdir / "laptop-a"))
    laptop_a.init(endpoint.url, PASSPHRASE, invite=endpoint.new_invite(), hub_secret=endpoint.secret)
    laptop_a.add_folder("notes", str(source))
    figures = {"first push": timed(laptop_a.sync)}
    figures["no-change A"] = median_of(repeat, laptop_a.sync)

    laptop_b = Service(resolve_home(workdir / "laptop-b"))
    figures["join"] = timed(lambda: laptop_b.join(laptop_a.setup_code(), PASSPHRASE, hub_secret=endpoint.secret))
    target = workdir / "laptop-b-notes"
    laptop_b.map_folder("notes", str(target))
    figures["first pull"] = timed(laptop_b.sync)
    figures["no-change B"] = median_of(repeat, laptop_b.sync)
    pulled = count_files(target)
    expected = count_files(source)
    if pulled != expected:
        raise SystemExit(f"{name}: laptop B has {pulled} files, laptop A {expected}")
    figures["hub objects"] = len(endpoint.raw.keys(""))
    laptop_a.close()
    laptop_b.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--size", type=int, default=2048, help="bytes per file")
    parser.add_argument("--repeat", type=int, default=3, help="no-change syncs to take the median of")
    parser.add_argument("--kinds", default="", help="comma-separated subset of: " + ", ".join(_kinds()))
    args = parser.parse_args()
    kinds = _kinds()
    chosen = [kind for kind in args.kinds.split(",") if kind] or list(kinds)
    unknown = [kind for kind in chosen if kind not in kinds]
    if unknown:
        parser.error(f"unknown hub kinds: {', '.join(unknown)}")

    os.environ["MEMTRAY_KDF_PROFILE"] = "test"
    for variable in ("MEMTRAY_PASSPHRASE", "MEMTRAY_HOME", "MEMTRAY_HUB_SECRET"):
        os.environ.pop(variable, None)
    keyring = start_keyring_session()
    os.environ.update(keyring.env)
    columns = ["first push", "no-change A", "join", "first pull", "no-change B", "hub objects"]
    print(f"{args.files} files of ~{args.size} B; seconds (no-change: median of {args.repeat})")
    print(f"{'hub':<10}" + "".join(f"{column:>13}" for column in columns))
    try:
        with tempfile.TemporaryDirectory(prefix="memtray-bench-") as scratch:
            source = Path(scratch) / "source"
            generate(source, args.files, args.size)
            for name in chosen:
                workdir = Path(scratch) / name
                workdir.mkdir()
                with kinds[name](workdir / "server") as endpoint:
                    figures = run_kind(name, endpoint, source, workdir, args.repeat)
                cells = [
                    f"{figures[column]:>13.0f}" if column == "hub objects" else f"{figures[column]:>13.3f}"
                    for column in columns
                ]
                print(f"{name:<10}" + "".join(cells), flush=True)
    finally:
        keyring.stop()


if __name__ == "__main__":
    main()
