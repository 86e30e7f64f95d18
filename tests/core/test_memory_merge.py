"""Memory-aware merge: concurrent insertions keep both, files with no common version are combined (and each
laptop is told once), JSON merges by key, and a laptop whose own text leaves its file is told.

The merge functions are tested directly; the laptop scenarios run the real CLI in real processes on a
folder hub (see tests/support/laptops.py).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from memtray.sync.index import Index
from memtray.sync.linediff import matching_blocks
from memtray.sync.merge import combine_texts, merge_contents, merge_text
from memtray.sync.merge_json import merge_json
from memtray.sync.reconcile import ConflictPolicy, Outcome, reconcile
from memtray.sync.records import FileRow, FileVersion
from memtray.sync.settle import text_author
from tests.servers import HubEndpoint
from tests.support.laptops import assert_synced, paired

BASE = b"# Notes\n- first\n- second\n"


# --- text: concurrent insertions ---------------------------------------------------------------------------


def test_both_appending_keeps_both_lines_the_first_sides_first():
    merged = merge_text(BASE, BASE + b"- from A\n", BASE + b"- from B\n")
    assert merged == BASE + b"- from A\n- from B\n"
    assert merge_text(BASE, BASE + b"- from B\n", BASE + b"- from A\n") == BASE + b"- from B\n- from A\n"


def test_both_inserting_in_the_middle_keeps_both_at_that_place():
    first = b"# Notes\n- first\n- A1\n- A2\n- second\n"
    second = b"# Notes\n- first\n- B1\n- second\n"
    assert merge_text(BASE, first, second) == b"# Notes\n- first\n- A1\n- A2\n- B1\n- second\n"


def test_a_line_both_added_appears_once_and_differing_runs_keep_their_order():
    first = BASE + b"- shared\n- only A\n- shared tail\n"
    second = BASE + b"- shared\n- only B\n- shared tail\n"
    assert merge_text(BASE, first, second) == BASE + b"- shared\n- only A\n- only B\n- shared tail\n"


def test_inserting_a_line_the_file_already_holds_is_no_conflict():
    base = b"x\nx\nx\n"
    first = b"x\nA\nx\nx\n"
    second = b"x\nx\nx\n-\nB\n"
    assert merge_text(base, first, second) == b"x\nA\nx\nx\n-\nB\n"


def test_insertions_among_repeated_blank_lines_are_no_conflict():
    base = b"# Notes\n\n\n\n\n"
    first = b"# Notes\n\n- from A\n\n\n\n- from A again\n"
    second = b"# Notes\n\n- todo\n\n\n\n"
    assert merge_text(base, first, second) == b"# Notes\n\n- from A\n- todo\n\n\n\n- from A again\n"


def test_appending_to_a_last_line_without_a_line_break_never_glues_lines():
    base = b"# Notes\n- first"
    assert merge_text(base, base + b"\n- from A", base + b"\n- from B") == b"# Notes\n- first\n- from A\n- from B"
    assert merge_text(base, base + b"\n- from A\n", base + b"\n- from B") == b"# Notes\n- first\n- from A\n- from B\n"
    assert merge_text(b"a\r\nb", b"a\r\nb\r\nc", b"a\r\nb\r\nd") == b"a\r\nb\r\nc\r\nd"


def test_edits_to_the_same_line_still_conflict():
    assert merge_text(BASE, b"# Notes\n- FIRST (A)\n- second\n", b"# Notes\n- first (B)\n- second\n") is None
    assert merge_text(BASE, b"# Notes\n- second\n", b"# Notes\n- first, edited\n- second\n") is None


def test_an_insertion_next_to_lines_the_other_side_rewrote_is_kept():
    base = b"1\n2\n3\n"
    assert merge_text(base, b"1\n3\n", b"1\n2\nnew\n3\n") == b"1\nnew\n3\n"
    assert merge_text(base, b"1\ntwo\n3\n", b"1\nnew\n2\n3\n") == b"1\nnew\ntwo\n3\n"
    assert merge_text(b"1\n2\n3\n4\n", b"1\nTWO\nTHREE\n4\n", b"1\n2\nbetween\n3\n4\n") is None


def test_separate_edits_still_merge_and_binary_or_baseless_input_does_not():
    retitled = b"# NOTES\n- first\n- second\n"
    assert merge_text(BASE, retitled, BASE + b"- third\n") == retitled + b"- third\n"
    assert merge_text(None, b"x\n", b"y\n") is None
    assert merge_text(BASE, b"\x00\x01", BASE) is None


# --- text: no common version --------------------------------------------------------------------------------


def test_combining_keeps_both_texts_with_shared_lines_once():
    first = "# Project\n- use pytest\n- keep it short\n"
    second = "# Project\n- tabs, not spaces\n- keep it short\n"
    assert combine_texts(first, second) == "# Project\n- use pytest\n- tabs, not spaces\n- keep it short\n"
    assert combine_texts(second, first) == "# Project\n- tabs, not spaces\n- use pytest\n- keep it short\n"
    assert combine_texts("", second) == second
    assert combine_texts("a", "b") == "a\nb"
    assert combine_texts("a\n", "b") == "a\nb\n"


def test_merge_contents_combines_without_a_base_but_never_binary():
    assert merge_contents("CLAUDE.md", None, b"a\n", b"b\n") == b"a\nb\n"
    assert merge_contents("CLAUDE.md", None, b"a\x00", b"b\n") is None


def test_the_line_matcher_finds_a_longest_common_subsequence():
    first, second = list("xaxbxcx"), list("axxbcxx")
    assert sum(size for _, _, size in matching_blocks(first, second)) == 5


def test_two_large_unrelated_texts_combine_in_bounded_time_losing_nothing():
    first = "# Memory\n" + "".join(f"- note {n}\n" for n in range(40_000)) + "# End\n"
    second = "# Memory\n" + "".join(f"- other note {n}\n" for n in range(40_000)) + "# End\n"
    started = time.monotonic()
    combined = combine_texts(first, second)
    assert time.monotonic() - started < 60, "the line matcher ran without its bound"
    assert combined == first.removesuffix("# End\n") + second.removeprefix("# Memory\n")


# --- JSON ---------------------------------------------------------------------------------------------------


JSON_BASE = b'{\n  "model": "opus",\n  "permissions": {\n    "allow": ["Read"]\n  }\n}\n'


def test_json_keys_changed_on_different_sides_merge_recursively_keeping_layout():
    first = b'{\n  "model": "sonnet",\n  "permissions": {\n    "allow": ["Read", "Edit"]\n  }\n}\n'
    second = b'{\n  "model": "opus",\n  "permissions": {\n    "allow": ["Read"],\n    "deny": ["Bash"]\n  },\n'
    second += b'  "x": 1\n}\n'
    merged = merge_contents("settings.json", JSON_BASE, first, second)
    assert merged == (
        b'{\n  "model": "sonnet",\n  "permissions": {\n    "allow": [\n      "Read",\n      "Edit"\n    ],\n'
        b'    "deny": [\n      "Bash"\n    ]\n  },\n  "x": 1\n}\n'
    )


def test_json_merge_is_used_where_a_line_merge_would_break_the_file():
    first = b'{\n  "a": 1,\n  "b": 2\n}\n'
    second = b'{\n  "a": 1,\n  "c": 3\n}\n'
    base = b'{\n  "a": 1\n}\n'
    assert json.loads(merge_contents("x.json", base, first, second) or b"") == {"a": 1, "b": 2, "c": 3}
    with pytest.raises(ValueError):
        json.loads(merge_contents("x.md", base, first, second) or b"")


def test_json_conflicts_on_one_key_changed_differently_or_changed_and_removed():
    assert merge_json(b'{"a": 1, "b": 2}', b'{"a": 2, "b": 2}', b'{"a": 3, "b": 2}') is None
    assert merge_json(b'{"a": 1, "b": 2}', b'{"b": 2}', b'{"a": 3, "b": 2}') is None
    assert merge_json(b'{"a": {"x": 1}}', b'{"a": {"x": 2}}', b'{"a": {"x": 3}}') is None
    assert merge_json(b'{"a": 1}', b'{"a": 1}', b'{"a": true}') == b'{"a": true}'


def test_json_removal_on_one_side_and_same_change_on_both_merge():
    assert merge_json(b'{"a": 1, "b": 2}', b'{"b": 2}', b'{"a": 1, "b": 3}') == b'{"b": 3}'
    assert merge_json(b'{"a": 1}', b'{"a": 5}\n', b'{"a": 5}') == b'{"a": 5}'


def test_json_without_a_base_joins_keys_unless_one_differs():
    assert merge_json(None, b'{\n\t"a": 1\n}\n', b'{"b": "\xc3\xa9"}') == '{\n\t"a": 1,\n\t"b": "é"\n}\n'.encode()
    assert merge_json(None, b'{"a": 1}', b'{"a": 2}') is None
    assert merge_contents("x.json", None, b'{"a": 1}', b'{"a": 2}') is None


def test_json_that_is_no_object_merges_as_text():
    assert merge_contents("x.json", b"[\n1\n]\n", b"[\n1\n,2\n]\n", b"[\n1\n]\n") == b"[\n1\n,2\n]\n"
    assert merge_json(b"{}", b"[1]", b"{}") is None


# --- reconcile: every laptop computes the same bytes --------------------------------------------------------


def _version(origin: str, vv: dict[str, int], data: bytes, mtime: float) -> FileVersion:
    return FileVersion("f", "CLAUDE.md", vv, False, f"sha-{origin}-{len(data)}", len(data), mtime, origin)


@pytest.mark.parametrize("base", [BASE, None])
def test_both_laptops_merge_to_the_same_bytes_earlier_edit_first(base: bytes | None):
    a = _version("a" * 32, {"a": 2}, BASE + b"- from A\n", mtime=200.0)
    b = _version("b" * 32, {"b": 2}, BASE + b"- from B\n", mtime=100.0)
    contents = {a.sha: BASE + b"- from A\n", b.sha: BASE + b"- from B\n"}
    decisions = [
        reconcile(
            local,
            remote,
            me=local.origin,
            policy=ConflictPolicy.KEEP_BOTH,
            now=300.0,
            content_of=lambda version: contents[version.sha],
            base_of=lambda *_: base,
        )
        for local, remote in ((a, b), (b, a))
    ]
    expected = BASE + b"- from B\n- from A\n"
    assert [decision.content for decision in decisions] == [expected, expected]
    outcome = Outcome.MERGED if base is not None else Outcome.COMBINED
    assert [decision.outcome for decision in decisions] == [outcome, outcome]
    assert [decision.version.combined for decision in decisions] == [base is None, base is None]


def test_versions_that_share_history_are_never_combined_even_when_their_base_is_gone():
    shared = _version("a" * 32, {"a": 1, "b": 1}, BASE + b"- from A\n", mtime=200.0)
    other = _version("b" * 32, {"b": 2, "c": 1}, BASE, mtime=100.0)
    contents = {shared.sha: BASE + b"- from A\n", other.sha: b"# Rewritten\n"}

    def settle(local: FileVersion, remote: FileVersion) -> Outcome:
        return reconcile(
            local,
            remote,
            me=local.origin,
            policy=ConflictPolicy.KEEP_BOTH,
            now=300.0,
            content_of=lambda version: contents[version.sha],
            base_of=lambda *_: None,
        ).outcome

    assert settle(shared, other) is Outcome.RESOLVED
    other.vv = {"c": 1}
    assert settle(shared, other) is Outcome.COMBINED


def test_an_index_from_before_combined_versions_keeps_the_mark(tmp_path: Path):
    path = tmp_path / "index.sqlite3"
    older = Index(path)
    older.db.execute("ALTER TABLE files DROP COLUMN combined")
    older.close()
    index = Index(path)
    combined = _version("a" * 32, {"a": 1}, BASE, mtime=1.0)
    combined.combined = True
    index.put_files([FileRow(combined, None, pending=True)])
    assert [row.version.combined for row in index.pending_files()] == [True]
    index.close()


def test_a_text_belongs_to_the_laptop_that_first_wrote_it():
    mine, theirs = "m" * 32, "t" * 32
    their_edit = FileVersion("f", "p", {theirs: 1}, False, "T", 1, 1.0, theirs)
    kept_theirs_here = FileVersion("f", "p", {theirs: 1, mine: 2}, False, "T", 1, 1.0, mine, resolved=True)
    merged_here = FileVersion("f", "p", {theirs: 1, mine: 3}, False, "M", 1, 1.0, mine, resolved=True)
    assert text_author(kept_theirs_here, [their_edit, kept_theirs_here]) == theirs
    assert text_author(merged_here, [their_edit, kept_theirs_here, merged_here]) == mine
    assert text_author(kept_theirs_here, []) == mine


# --- two real laptops ---------------------------------------------------------------------------------------


def _write(path: Path, text: str, mtime: float) -> None:
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def _lines_starting(stderr: str, word: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(word)]


def test_two_laptops_appending_to_claude_md_both_keep_both_lines(make_laptop, folder_hub: HubEndpoint):
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "# Notes\n- first\n"})
    now = time.time()
    _write(a.folder() / "CLAUDE.md", "# Notes\n- first\n- from A\n", now - 60)
    _write(b.folder() / "CLAUDE.md", "# Notes\n- first\n- from B\n", now)
    outputs = [a.run("sync"), b.run("sync"), a.run("sync")]
    for laptop in (a, b):
        assert (laptop.folder() / "CLAUDE.md").read_text() == "# Notes\n- first\n- from A\n- from B\n"
        assert not (laptop.folder() / ".memtray-conflicts").exists()
    assert not any(_lines_starting(done.stderr, "conflict:") for done in outputs)
    assert not any(_lines_starting(done.stderr, "your text left:") for done in outputs)
    assert_synced([a, b], folder_hub)


def test_a_joining_laptop_with_its_own_claude_md_combines_and_each_laptop_says_so_once(
    make_laptop, folder_hub: HubEndpoint
):
    a, b = make_laptop("Laptop-A", folder_hub), make_laptop("Laptop-B", folder_hub)
    now = time.time()
    a.init()
    a.folder().mkdir()
    _write(a.folder() / "CLAUDE.md", "# Project\n- use pytest\n- keep it short\n", now - 60)
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    b.join_from(a)
    b.folder().mkdir()
    _write(b.folder() / "CLAUDE.md", "# Project\n- tabs, not spaces\n- keep it short\n", now)
    b.run("folder", "map", "memory", str(b.folder()))
    said = {laptop.name: [] for laptop in (a, b)}
    for laptop in (b, a, b, a):
        said[laptop.name] += _lines_starting(laptop.run("sync").stderr, "combined:")
    combined = "# Project\n- use pytest\n- tabs, not spaces\n- keep it short\n"
    for laptop in (a, b):
        assert (laptop.folder() / "CLAUDE.md").read_text() == combined
        assert not (laptop.folder() / ".memtray-conflicts").exists()
    other = {"Laptop-A": "Laptop-B", "Laptop-B": "Laptop-A"}
    for name, lines in said.items():
        assert len(lines) == 1, f"{name} said {lines}"
        assert lines[0].startswith("combined: memory/CLAUDE.md")
        assert other[name] in lines[0]
    assert_synced([a, b], folder_hub)


def test_a_file_deleted_everywhere_and_written_anew_on_two_laptops_keeps_both_texts(
    make_laptop, folder_hub: HubEndpoint
):
    a, b = paired(make_laptop, folder_hub, {"GEMINI.md": "old\n"})
    (a.folder() / "GEMINI.md").unlink()
    a.sync()
    b.sync()
    assert not (b.folder() / "GEMINI.md").exists()
    now = time.time()
    _write(a.folder() / "GEMINI.md", "# Gemini\n- from A\n", now - 60)
    _write(b.folder() / "GEMINI.md", "# Gemini\n- from B\n", now)
    outputs = [a.run("sync"), b.run("sync"), a.run("sync")]
    for laptop in (a, b):
        assert (laptop.folder() / "GEMINI.md").read_text() == "# Gemini\n- from A\n- from B\n"
        assert not (laptop.folder() / ".memtray-conflicts").exists()
    assert not any(_lines_starting(done.stderr, "conflict:") for done in outputs)
    assert_synced([a, b], folder_hub)


def test_an_edit_of_the_same_line_still_conflicts_and_the_laptop_whose_text_left_is_told(
    make_laptop, folder_hub: HubEndpoint
):
    a, b = paired(make_laptop, folder_hub, {"AGENTS.md": "# Rules\n- be brief\n"})
    now = time.time()
    _write(b.folder() / "AGENTS.md", "# Rules\n- be brief, says B\n", now - 60)
    _write(a.folder() / "AGENTS.md", "# Rules\n- be very brief, says A\n", now)
    first = a.run("sync")
    on_b = b.run("sync")
    on_a = a.run("sync")
    assert (b.folder() / "AGENTS.md").read_text() == "# Rules\n- be very brief, says A\n"
    assert _lines_starting(on_b.stderr, "conflict: memory/AGENTS.md")
    told = _lines_starting(on_b.stderr, "your text left:")
    assert told == [
        f"your text left: memory/AGENTS.md — {a.name}'s text is in the file now; "
        "this laptop's is kept in the file's history"
    ]
    assert not _lines_starting(first.stderr + on_a.stderr, "your text left:")
    assert_synced([a, b], folder_hub)
