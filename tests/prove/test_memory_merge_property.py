"""Laptops that only insert and append lines never conflict, and every line any of them wrote survives.

hypothesis chooses 2–3 in-process laptops (the real Service on a folder hub, see fleet.py), whether the
shared memory file ends with a line break, and a schedule of insertions, appends and syncs (which laptop
syncs when is part of the input). Every laptop then syncs until quiet; the files must be identical on every
laptop, hold every line that was written (each line written once, once), and no sync may have raised a
conflict or set a text aside.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memtray.sync.globs import CONFLICTS_DIR
from tests.prove.fleet import SCALE, InProcessLaptop, assert_converged, close_fleet, make_fleet, proof_settings, settle
from tests.support.laptops import tree

EXAMPLES = 12 * SCALE
NAME = "CLAUDE.md"
BASE_LINES = ["# Notes", "", "- one", "", "- two", ""]
WORDS = ("red", "blue", "teal", "")
"""An empty word inserts a blank line: lines a file already holds are where a poor line matcher goes wrong."""

Step = tuple[str, int, int, str]
steps_strategy = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 2), st.integers(0, 12), st.sampled_from(WORDS)),
    st.tuples(st.just("append"), st.integers(0, 2), st.just(0), st.sampled_from(WORDS)),
    st.tuples(st.just("sync"), st.integers(0, 2), st.just(0), st.just("")),
)


def _read_lines(path: Path) -> tuple[list[str], bool]:
    text = path.read_text(encoding="utf-8")
    return text.removesuffix("\n").split("\n"), text.endswith("\n")


def _write_lines(path: Path, lines: list[str], final_break: bool) -> None:
    path.write_text("\n".join(lines) + ("\n" if final_break else ""), encoding="utf-8")


def _sync_without_conflict(member: InProcessLaptop) -> None:
    result = member.sync()
    assert result is not None
    assert not result.conflicts, f"{member.laptop.name} raised a conflict: {result.conflicts}"
    assert not result.displaced, f"{member.laptop.name} set its own text aside: {result.displaced}"


def check_insertions(count: int, final_break: bool, steps: list[Step]) -> None:
    with tempfile.TemporaryDirectory(prefix="memtray-merge-") as workdir:
        hub, fleet = make_fleet(Path(workdir), count)
        try:
            _write_lines(fleet[0].folder / NAME, BASE_LINES, final_break)
            for member in fleet:
                _sync_without_conflict(member)
            written: list[str] = []
            for kind, laptop, position, word in steps:
                member = fleet[laptop % count]
                if kind == "sync":
                    _sync_without_conflict(member)
                    continue
                lines, ends_with_break = _read_lines(member.folder / NAME)
                line = f"- {word} {member.laptop.name} #{len(written)}" if word else ""
                lines.insert(len(lines) if kind == "append" else position % (len(lines) + 1), line)
                _write_lines(member.folder / NAME, lines, ends_with_break)
                written += [line] if line else []
            settle(fleet)
            for member in fleet:
                _sync_without_conflict(member)
            assert_converged(hub, fleet)
            final = tree(fleet[0].folder)[NAME].decode("utf-8").split("\n")
            missing = [line for line in [*BASE_LINES, *written] if line not in final]
            assert not missing, f"lines lost: {missing}"
            repeated = [line for line in written if final.count(line) > 1]
            assert not repeated, f"lines written once appear more often: {repeated}"
            for member in fleet:
                assert not (member.folder / CONFLICTS_DIR).exists(), f"{member.laptop.name} saved a conflict copy"
        finally:
            close_fleet(fleet)


@pytest.mark.timeout(240 * SCALE)
@proof_settings(EXAMPLES)
@given(count=st.integers(2, 3), final_break=st.booleans(), steps=st.lists(steps_strategy, min_size=2, max_size=14))
def test_concurrent_insertions_and_appends_keep_every_line_without_conflict(
    count: int, final_break: bool, steps: list[Step]
):
    check_insertions(count, final_break, steps)
