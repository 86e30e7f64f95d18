"""Reading the working folder from Claude Code's transcripts: garbage tolerated, reading bounded."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from memtray.projects.claude_names import claude_dir_name
from memtray.projects.transcripts import MAX_PREFIX_BYTES, MAX_TRANSCRIPTS, recorded_folders
from tests.projects.claude_fixtures import claude_records, session, write_transcript


def claude_folder(home: Path, place: Path) -> Path:
    name = claude_dir_name(str(place))
    assert name is not None
    return home / ".claude" / "projects" / name


def test_garbage_lines_records_without_cwd_and_empty_files_are_skipped(tmp_path: Path) -> None:
    webapp = tmp_path / "code" / "webapp"
    garbage = [
        "{not json",
        "\x00\x01\x02",
        "[1, 2, 3]",
        json.dumps({"type": "summary", "summary": "Setup", "leafUuid": "x"}),
        json.dumps({"type": "user", "cwd": 42}),
        json.dumps({"type": "user", "cwd": ""}),
        json.dumps({"type": "user", "cwd": None}),
        "[" * 5000 + "]" * 5000,
        json.dumps({"type": "user", "cwd": str(webapp / "src")}),  # after a `cd`: not this folder's name
    ]
    folder = session(tmp_path, webapp, extra_before=garbage)
    for _ in range(MAX_TRANSCRIPTS):
        write_transcript(folder, [])  # newest, empty: not counted among the transcripts read
    write_transcript(folder, ["", "   ", "{}"])  # newest, no cwd
    (folder / "binary.jsonl").write_bytes(os.urandom(4096))
    (folder / "memory").mkdir()
    (folder / "subagents.jsonl").mkdir()
    assert recorded_folders(folder) == [str(webapp)]


def test_only_the_newest_transcripts_are_read(tmp_path: Path) -> None:
    place = tmp_path / "code" / "old"
    folder = session(tmp_path, place, age_seconds=3600)
    for age in range(10, 10 + 10 * MAX_TRANSCRIPTS, 10):
        write_transcript(folder, [json.dumps({"type": "summary", "summary": "no cwd"})], age_seconds=age)
    assert recorded_folders(folder) == []
    assert session(tmp_path, place, age_seconds=5) == folder
    assert recorded_folders(folder) == [str(place)]


def test_a_huge_transcript_is_read_only_in_part(tmp_path: Path) -> None:
    place = tmp_path / "code" / "big"
    folder = claude_folder(tmp_path, place)
    huge_line = claude_records(str(place), tool_output="x" * (4 * MAX_PREFIX_BYTES))[1]
    huge_line["data"] = {"blob": "y" * (4 * MAX_PREFIX_BYTES)}
    write_transcript(folder, [json.dumps(huge_line, separators=(",", ":"))])
    with (folder / "sparse.jsonl").open("wb") as handle:
        handle.truncate(64 << 30)  # 64 GiB of nothing: reading it whole would never finish
    started = time.monotonic()
    assert recorded_folders(folder) == [str(place)]
    assert time.monotonic() - started < 20


def test_a_cut_off_record_gives_its_cwd_only_from_its_top_level(tmp_path: Path) -> None:
    place = tmp_path / "code" / "real"
    folder = claude_folder(tmp_path, place)
    nested = {"type": "user", "toolUseResult": {"cwd": str(place)}, "pad": "z" * MAX_PREFIX_BYTES}
    write_transcript(folder, [json.dumps(nested, separators=(",", ":"))])
    assert recorded_folders(folder) == []


def test_several_sessions_in_folders_claude_names_alike_are_all_reported(tmp_path: Path) -> None:
    session(tmp_path, tmp_path / "a-b", age_seconds=60)
    folder = session(tmp_path, tmp_path / "a" / "b")
    assert recorded_folders(folder) == [str(tmp_path / "a" / "b"), str(tmp_path / "a-b")]
    assert recorded_folders(tmp_path / "missing") == []
