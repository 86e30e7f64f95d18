"""The bytes one sync cycle gathers (scanned files, inline content from other laptops, merges), by SHA-256,
without holding them all in memory.

Once more than ``SPILL_BYTES`` are held, the small ones (those that travel inside an entry, up to ``INLINE_MAX``)
move to the index's content table, where the cycle would have stored them anyway (engine.py, step 5);
every reader already looks there after this map. The table is keyed by SHA-256, so a version recorded later finds
its bytes there, and bytes of a cycle that stopped early are only rows nothing refers to (``Index.prune_versions``
removes them). Larger content (a blob from the hub, a large file) stays in memory, as the index does not keep a
blob that is on the hub. Nothing moves while a transaction is open, so a rollback never loses held bytes.

Readers going through many versions (the secret guard, publishing) read the content table ahead, many rows in one
query (``with_bytes_at_hand``): one query per version cost more than any other step of reading them back.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice

from memtray.hubs.base import MIB
from memtray.sync.entry import INLINE_MAX
from memtray.sync.index import SQL_VARIABLES, Index
from memtray.sync.records import FileRow

SPILL_BYTES = 4 * MIB
READ_AHEAD_BYTES = MIB


class Contents(dict[str, bytes]):
    def __init__(self, index: Index) -> None:
        super().__init__()
        self.index = index
        self._small_bytes = 0

    def __setitem__(self, sha: str, data: bytes) -> None:
        if len(data) <= INLINE_MAX and not super().__contains__(sha):
            self._small_bytes += len(data)
        super().__setitem__(sha, data)
        if self._small_bytes > SPILL_BYTES and not self.index.db.in_transaction:
            self._spill()

    def _spill(self) -> None:
        small = [(sha, data) for sha, data in self.items() if len(data) <= INLINE_MAX]
        with self.index.transaction():
            self.index.put_content(small)
        for sha, _ in small:
            del self[sha]
        self._small_bytes = 0


def with_bytes_at_hand(
    index: Index, rows: Iterable[FileRow], contents: dict[str, bytes]
) -> Iterator[tuple[FileRow, Mapping[str, bytes]]]:
    """Each of ``rows``, in order, with the bytes at hand for it: ``contents``, and what the content table holds of
    the next rows' versions, read in one query for up to ``SQL_VARIABLES`` rows or about ``READ_AHEAD_BYTES``."""
    remaining = iter(rows)
    while chunk := _next_chunk(remaining):
        wanted = [row.version.sha for row in chunk if not row.version.deleted and row.version.sha not in contents]
        at_hand = ChainMap(index.contents(wanted), contents) if wanted else contents
        for row in chunk:
            yield row, at_hand


def _next_chunk(rows: Iterator[FileRow]) -> list[FileRow]:
    chunk: list[FileRow] = []
    size = 0
    for row in islice(rows, SQL_VARIABLES):
        chunk.append(row)
        size += row.version.size
        if size >= READ_AHEAD_BYTES:
            break
    return chunk
