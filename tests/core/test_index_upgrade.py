"""A laptop whose index an earlier memtray wrote (every kept text compressed, the content table without its
``packed`` column) goes on merging both laptops' edits: the texts it kept are its merge bases. Real laptops (the
CLI in real processes) on a real folder hub."""

from __future__ import annotations

import zlib
from collections.abc import Callable

from tests.servers import HubEndpoint
from tests.support.laptops import Laptop, paired

TEXT = "# Memory\n\n- one\n- two\n- three\n"


def as_an_earlier_release_kept_it(laptop: Laptop) -> int:
    """Rewrite ``laptop``'s content table in the earlier shape; how many texts it holds."""
    with laptop.index() as db:
        rows = db.execute("SELECT sha, data FROM content").fetchall()
        db.executescript("DROP TABLE content; CREATE TABLE content (sha TEXT PRIMARY KEY, data BLOB NOT NULL);")
        db.executemany("INSERT INTO content VALUES (?, ?)", [(sha, zlib.compress(data, 1)) for sha, data in rows])
    return len(rows)


def test_an_index_from_an_earlier_release_still_merges_both_edits(
    make_laptop: Callable[[str, HubEndpoint], Laptop], folder_hub: HubEndpoint
):
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": TEXT})
    assert as_an_earlier_release_kept_it(b) > 0
    (a.folder() / "CLAUDE.md").write_text(TEXT.replace("- one", "- one, from A"))
    a.sync()
    (b.folder() / "CLAUDE.md").write_text(TEXT.replace("- three", "- three, from B"))
    b.sync()
    merged = TEXT.replace("- one", "- one, from A").replace("- three", "- three, from B")
    assert (b.folder() / "CLAUDE.md").read_text() == merged
    a.sync()
    assert (a.folder() / "CLAUDE.md").read_text() == merged
    with b.index() as db:
        assert db.execute("SELECT COUNT(*) FROM content WHERE packed = 0").fetchone()[0] > 0, "new texts kept as is"
