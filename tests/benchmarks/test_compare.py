"""``python -m benchmarks.compare`` works: its quick mode's smallest piece (memtray against rclone on a small folder)
runs as the documented command and gives one row per comparison, with both sides, their ratio, its noise and the
target's verdict, on screen and in JSON. The figures themselves are not checked: benchmarks are not timed tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from benchmarks import hub_propagation
from benchmarks.common import REPO, process_env, remove_scratch, scratch_folder
from benchmarks.compare import Row, Table, Target, render

FIRST_PUSH = "first push, 100 files"
ROWS = [
    FIRST_PUSH,
    "no-change sync in the tray app, 100 files",
    "join + full pull (`join --folder`, one process), 100 files",
    "join + full pull (join, folder map, sync: 3 processes), 100 files",
]


@pytest.mark.skipif(shutil.which("rclone") is None, reason="rclone is the peer of this piece")
def test_quick_sync_piece_prints_and_writes_each_comparison(tmp_path: Path) -> None:
    out = tmp_path / "compare.json"
    temp = tmp_path / "temp"
    temp.mkdir()
    command = [sys.executable, "-m", "benchmarks.compare", "--quick", "--only", "sync", "--sizes", "100"]
    done = subprocess.run(
        [*command, "--json", str(out)],
        cwd=REPO,
        env={**os.environ, "TMPDIR": str(temp)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert not [path.name for path in temp.iterdir() if path.name.startswith("memtray-sync-bench-")]
    written = json.loads(out.read_text())
    rows = written["rows"]
    (creation,) = written["file creation µs"]
    assert creation > 0 and f"(both sides pay it per file): {creation:.0f}–{creation:.0f} µs" in done.stdout
    assert [row["name"] for row in rows] == ROWS
    for row in rows:
        assert row["runs"] == 1 and row["memtray median"] > 0 and row["peer median"] > 0
        assert row["ratio"] == pytest.approx(row["memtray median"] / row["peer median"])
        assert row["noise"] == 0
        assert f"| {row['name']} |" in done.stdout
    first_push = rows[0]
    assert first_push["target"] == "ratio ≤ 0.4" and first_push["met"] == (first_push["ratio"] <= 0.4)
    assert "| comparison | memtray | peer | memtray / peer (median) | noise (max − min) |" in done.stdout


def test_scratch_folders_outlive_their_run_until_the_timing_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run's files are not removed when the next run starts (that would make its file creation dearer)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    first = scratch_folder("memtray-sync-bench-")
    (first / "note.md").write_text("kept")
    second = scratch_folder("memtray-sync-bench-")
    assert first != second and (first / "note.md").read_text() == "kept" and second.is_dir()
    remove_scratch()
    assert list(tmp_path.iterdir()) == []


def test_timed_memtray_processes_keep_their_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(os.environ, "PYTHONDONTWRITEBYTECODE", "1")
    assert "PYTHONDONTWRITEBYTECODE" not in process_env()
    assert "PYTHONDONTWRITEBYTECODE" not in hub_propagation.laptop_env({})


def test_counts_show_in_the_table_as_counts() -> None:
    """Object counts are integers; the hub-size rows print them and judge the bytes against the notes'."""
    table = Table()
    table.add(Row("hub objects after 10 syncs", "the notes", "count", None), 117, 1000)
    table.add(Row("hub bytes after 10 syncs", "the notes' bytes", "MB", Target("≤ 2×", 2.0, of_ratio=True)), 3.15, 2.05)
    shown = render(table)
    assert "| hub objects after 10 syncs | 117 | 1,000 (the notes) | 0.12 |" in shown
    assert (
        "| hub bytes after 10 syncs | 3.15 MB | 2.05 MB (the notes' bytes) | 1.54 | — (1 run) | 1 | ≤ 2× | met |"
        in shown
    )
