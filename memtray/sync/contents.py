"""The bytes one sync cycle gathers (scanned files, inline content from other laptops, merges), by SHA-256,
without holding them all in memory.

Once more than ``SPILL_BYTES`` are held, the small ones (those that travel inside an entry, up to ``INLINE_MAX``)
move to the index's content table, where the cycle would have stored them anyway (engine.py, step 5);
every reader already looks there after this map. The table is keyed by SHA-256, so a version recorded later finds
its bytes there, and bytes of a cycle that stopped early are only rows nothing refers to (``Index.prune_versions``
removes them). Larger content (a blob from the hub, a large file) stays in memory, as the index does not keep a
blob that is on the hub. Nothing moves while a transaction is open, so a rollback never loses held bytes.
"""

from __future__ import annotations

from memtray.hubs.base import MIB
from memtray.sync.entry import INLINE_MAX
from memtray.sync.index import Index

SPILL_BYTES = 4 * MIB


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
