"""Bytes on the hub when a big Claude Code transcript grows: only the tail travels (issue 14).

    .venv/bin/python benchmarks/session_tail.py [--size-mb 20] [--appends 100] [--append-kb 2]

(run from the repository root). One laptop, set up in this process on a folder hub with "Also bring my Claude
Code sessions" on, has a transcript of ``--size-mb`` MB (records shaped like Claude Code's, about 2 KB each) in
a project under its home folder. It syncs once (the first export sends the whole transcript), then ``--appends``
times a record of about ``--append-kb`` KB is added and the laptop syncs. Printed: the hub's growth (every file
the hub holds: encrypted chunks, log entries, acknowledgements) for the first sync and for all the appends,
against what sending the whole transcript at every append would cost. Another laptop downloads the same
objects, so its download is the same size.

Set-up uses a private gnome-keyring session and the test KDF profile.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import PASSPHRASE, WORDS  # noqa: E402
from memtray.paths import resolve_home  # noqa: E402
from memtray.service import Service  # noqa: E402
from tests.support.desktop import start_keyring_session  # noqa: E402
from tests.support.transcripts import Conversation, settle, transcript_path, write_records  # noqa: E402

MB = 1 << 20


def hub_bytes(hub: Path) -> int:
    return sum(path.stat().st_size for path in hub.rglob("*") if path.is_file())


WORDS = [*WORDS, "login", "fixture", "session", "failing", "import", "config", "retry", "path", "check", "user"]
_RANDOM = random.Random(14)


def padding(kilobytes: float, number: int) -> str:
    """About ``kilobytes`` KB of prose with identifiers in it, compressible like real transcripts (not more)."""
    text = f"step {number}:"
    while len(text) < kilobytes * 1024:
        text += " " + " ".join(_RANDOM.choices(WORDS, k=8)) + f" src/{_RANDOM.getrandbits(48):012x}.py"
    return text[: int(kilobytes * 1024)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=20)
    parser.add_argument("--appends", type=int, default=100)
    parser.add_argument("--append-kb", type=float, default=2)
    options = parser.parse_args()
    os.environ["MEMTRAY_KDF_PROFILE"] = "test"
    keyring = start_keyring_session()
    os.environ.update(keyring.env)
    try:
        with tempfile.TemporaryDirectory(prefix="memtray-session-bench-") as temp:
            work = Path(temp)
            os.environ["HOME"] = str(work / "user")
            project = work / "user" / "code" / "webapp"
            project.mkdir(parents=True)
            talk = Conversation(str(project))
            transcript = transcript_path(work / "user", project, talk.session)
            number = 0
            while not transcript.exists() or transcript.stat().st_size < options.size_mb * MB:
                batch = [talk.user(padding(2, number + n)) for n in range(500)]
                write_records(transcript, batch)
                number += len(batch)
            settle(transcript)
            size = transcript.stat().st_size
            hub = work / "hub"
            service = Service(resolve_home(work / "home"))
            service.init(str(hub), PASSPHRASE, device_name="Laptop-A")
            service.set_setting("claude_sessions", True)
            before = hub_bytes(hub)
            started = time.perf_counter()
            service.sync()
            first = hub_bytes(hub) - before
            print(f"transcript: {size / MB:.1f} MB, {number} records")
            seconds = time.perf_counter() - started
            print(f"first sync (whole transcript): {first / MB:.2f} MB on the hub in {seconds:.1f} s")
            before = hub_bytes(hub)
            added = 0
            started = time.perf_counter()
            for step in range(options.appends):
                grown = transcript.stat().st_size
                write_records(transcript, [talk.user(padding(options.append_kb, number + step))])
                added += transcript.stat().st_size - grown
                settle(transcript)
                service.sync()
            spent = time.perf_counter() - started
            tail = hub_bytes(hub) - before
            whole = options.appends * first
            print(
                f"{options.appends} appends of {added / options.appends / 1024:.1f} KB "
                f"({added / 1024:.0f} KB in all): {tail / 1024:.0f} KB on the hub, "
                f"{tail / options.appends / 1024:.1f} KB per append ({spent / options.appends * 1000:.0f} ms per sync)"
            )
            print(
                f"sending the whole transcript at every append (as the first sync did) would put about "
                f"{whole / MB:.0f} MB on the hub: {whole / max(tail, 1):.0f} times as much"
            )
            service.close()
    finally:
        keyring.stop()


if __name__ == "__main__":
    main()
