"""Search latency of ``memtray mcp`` over 10,000 memory files (target: median under 50 ms).

    .venv/bin/python benchmarks/ask_search.py [--files 10000] [--queries 40]

(run from the repository root). A laptop is set up in this process on a folder hub with ``--files`` generated
notes of 2 KB (benchmarks/common.py, plus one rare word in every 100th note) and synced once, so its index holds
them all. Then, on the real search index (memtray/ask/search_index.py):

- first build: indexing every file from nothing (read from the index, secrets masked, FTS5 insert);
- search, in this process: ``AskTools.search`` as the MCP tool calls it, median and 95th percentile over
  ``--queries`` queries of three kinds: a rare word (in 1% of the notes), a common word (in nearly every note:
  the most work for bm25), and two words;
- search through MCP: the same queries sent by the MCP SDK's stdio client to ``python -m memtray mcp``;
- after one file changed and synced: the first search, which re-indexes that file.

Set-up uses a private gnome-keyring session and the test KDF profile, outside every timed step.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import anyio  # noqa: E402
from mcp import Client, StdioServerParameters  # noqa: E402

from benchmarks.common import PASSPHRASE, generate  # noqa: E402
from memtray.ask.search_index import SearchIndex, search_file  # noqa: E402
from memtray.ask.tools import AskTools  # noqa: E402
from memtray.ask.vault_view import VaultView  # noqa: E402
from memtray.paths import resolve_home  # noqa: E402
from memtray.service import Service  # noqa: E402
from memtray.service.base import ServiceBase  # noqa: E402
from tests.support.desktop import start_keyring_session  # noqa: E402

TARGET_MS = 50.0
RARE = ["kubernetes", "postgres", "graphql", "terraform", "webpack"]
COMMON = ["pytest", "memory", "agent", "ruff", "modules"]
PAIRS = ["pytest ruff", "never push", "kubernetes tests", "small modules", "postgres memory"]


def plant_rare_words(folder: Path, count: int) -> None:
    for number in range(0, count, 100):
        note = folder / f"project-{number % 100:03d}" / "memory" / f"note-{number:05d}.md"
        with note.open("a") as handle:
            handle.write(f"\nThis project uses {RARE[(number // 100) % len(RARE)]}.\n")


def milliseconds(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def queries(count: int) -> list[str]:
    every = RARE + COMMON + PAIRS
    return [every[n % len(every)] for n in range(count)]


def in_process(tools: AskTools, asked: list[str]) -> list[float]:
    samples = []
    for query in asked:
        started = time.perf_counter()
        tools.search(query)
        samples.append(time.perf_counter() - started)
    return samples


def through_mcp(home: Path, asked: list[str]) -> list[float]:
    parameters = StdioServerParameters(
        command=sys.executable,
        args=["-m", "memtray", "--home", str(home), "mcp"],
        env={"PYTHONPATH": str(REPO), "MEMTRAY_KDF_PROFILE": "test"},
    )

    async def run() -> list[float]:
        samples = []
        async with Client(parameters) as client:
            await client.call_tool("search", {"query": "warm up"})
            for query in asked:
                started = time.perf_counter()
                result = await client.call_tool("search", {"query": query})
                samples.append(time.perf_counter() - started)
                assert not result.is_error
        return samples

    return anyio.run(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=40)
    options = parser.parse_args()
    os.environ["MEMTRAY_KDF_PROFILE"] = "test"
    keyring = start_keyring_session()
    os.environ.update(keyring.env)
    try:
        with tempfile.TemporaryDirectory(prefix="memtray-ask-bench-") as temp:
            work = Path(temp)
            source = work / "memory"
            generate(source, options.files)
            plant_rare_words(source, options.files)
            home = resolve_home(work / "home")
            setup = Service(home)
            setup.init(str(work / "hub"), PASSPHRASE, device_name="Laptop-A")
            setup.add_folder("memory", str(source))
            started = time.perf_counter()
            setup.sync()
            print(f"set-up sync of {options.files} files: {time.perf_counter() - started:.1f} s (not part of search)")
            service = ServiceBase(home)
            view = VaultView(service)
            search_index = SearchIndex(search_file(home.data_dir), home.index_file)
            started = time.perf_counter()
            indexed = search_index.refresh(view)
            print(f"first build of the search index: {indexed} files in {time.perf_counter() - started:.2f} s")
            tools = AskTools(view, search_index, None)
            asked = queries(options.queries)
            hits = {query: len(tools.search(query, 50)["results"]) for query in RARE[:1] + COMMON[:1]}
            print(f"results (up to 50): {hits}")
            median, p95 = milliseconds(in_process(tools, asked))
            verdict = "within" if median < TARGET_MS else "OVER"
            target = f"{verdict} the {TARGET_MS:.0f} ms target"
            print(f"search in process: median {median:.1f} ms, p95 {p95:.1f} ms ({target})")
            median, p95 = milliseconds(through_mcp(work / "home", asked))
            print(f"search through MCP (stdio client): median {median:.1f} ms, p95 {p95:.1f} ms")
            note = next(source.glob("project-007/memory/*.md"))
            note.write_text(note.read_text() + "\nA new word: zeppelin.\n")
            setup.sync()
            started = time.perf_counter()
            found = tools.search("zeppelin")["results"]
            after = (time.perf_counter() - started) * 1000
            print(f"first search after one file changed and synced: {after:.1f} ms ({len(found)} result)")
            search_index.close()
            service.close()
            setup.close()
    finally:
        keyring.stop()


if __name__ == "__main__":
    main()
