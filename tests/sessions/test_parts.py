"""The parts of sessions that follow the person, on real files: what a chunk holds, how paths are rewritten, how
records are merged into a transcript."""

from __future__ import annotations

import json
from pathlib import Path

from memtray.sessions.chunks import Header, chunks_in, read_chunk
from memtray.sessions.export import Exported, Source, export
from memtray.sessions.merge import Outcome, merge_into, transcript_key
from memtray.sessions.redact import redact_lines
from memtray.sessions.rewrite import Rewriter
from memtray.sessions.state import ExportState
from tests.support.transcripts import Conversation, Record, line, read_records, settle, write_records

DEVICE = "a" * 32


def exporter(tmp_path: Path) -> tuple[Source, ExportState]:
    transcript = tmp_path / "claude" / "s1.jsonl"
    source = Source(transcript, tmp_path / "staging" / "s1", Header("claude", "s1.jsonl", "/Users/alice/web", "/x"))
    return source, ExportState(tmp_path / "state.json")


def export_now(source: Source, state: ExportState) -> None:
    export(source, state, DEVICE, "redact", Exported())


def opening_exported(tmp_path: Path) -> tuple[Source, ExportState, Conversation, list[Record]]:
    """A transcript whose opening records were exported once: its source, export state, conversation, records."""
    source, state = exporter(tmp_path)
    talk = Conversation("/Users/alice/web")
    first = talk.opening()
    write_records(source.path, first)
    export_now(source, state)
    return source, state, talk, first


def staged(source: Source) -> list[list[bytes]]:
    return [read[1] for read in (read_chunk(chunk.path) for chunk in chunks_in(source.directory)) if read]


def test_a_chunk_holds_only_the_complete_lines_added_since_the_last_one(tmp_path: Path) -> None:
    source, state, talk, first = opening_exported(tmp_path)
    more = [talk.user("next"), talk.assistant("done")]
    write_records(source.path, more)
    with source.path.open("a", encoding="utf-8") as handle:
        handle.write('{"parentUuid":"x","type":"us')  # the agent is writing this line
    export_now(source, state)
    export_now(source, state)  # nothing new: no chunk

    chunks = staged(source)
    assert chunks == [[line(r).encode() for r in first], [line(r).encode() for r in more]]
    with source.path.open("a", encoding="utf-8") as handle:
        handle.write('er"}\n')
    export_now(source, state)
    assert staged(source)[-1] == [b'{"parentUuid":"x","type":"user"}']


def test_a_transcript_changed_in_its_sent_part_sends_only_records_no_chunk_holds(tmp_path: Path) -> None:
    source, state, talk, first = opening_exported(tmp_path)
    extra = talk.user("after the rewrite")
    source.path.write_text("".join(line(r) + "\n" for r in [first[1], first[0], *first[2:], extra]))
    export_now(source, state)
    assert staged(source)[-1] == [line(extra).encode()]


def test_only_paths_of_the_project_are_rewritten() -> None:
    rewrite = Rewriter("/Users/alice/web", "/home/alice.smith/src/web")
    assert rewrite.text("cd /Users/alice/web && cat /Users/alice/web/a.py") == (
        "cd /home/alice.smith/src/web && cat /home/alice.smith/src/web/a.py"
    )
    assert rewrite.text("/Users/alice/website/a.py and /Users/alice/notes") == (
        "/Users/alice/website/a.py and /Users/alice/notes"
    )
    assert rewrite.text("/mnt/Users/alice/web/a.py") == "/mnt/Users/alice/web/a.py"
    record = {"cwd": "/Users/alice/web", "message": {"content": [{"input": {"file_path": "/Users/alice/web/x"}}]}}
    assert json.loads(rewrite.line(line(record).encode())) == {
        "cwd": "/home/alice.smith/src/web",
        "message": {"content": [{"input": {"file_path": "/home/alice.smith/src/web/x"}}]},
    }


def test_merging_adds_only_missing_records_at_the_end_and_waits_for_a_quiet_file(tmp_path: Path) -> None:
    state = ExportState(tmp_path / "state.json")
    talk = Conversation("/home/alice.smith/src/web")
    mine, theirs = talk.opening(), [talk.user("from the other laptop"), talk.summary("Fixing login")]
    target = write_records(tmp_path / "s1.jsonl", mine)
    incoming = [line(r).encode() for r in [*mine[:2], *theirs, theirs[1]]]

    assert merge_into(target, incoming, transcript_key, state) is Outcome.BUSY
    settle(target)
    assert merge_into(target, incoming, transcript_key, state) is Outcome.APPENDED
    assert read_records(target) == [*mine, *theirs]
    settle(target)
    assert merge_into(target, incoming, transcript_key, state) is Outcome.UNCHANGED

    new = tmp_path / "new" / "s2.jsonl"
    assert merge_into(new, incoming, transcript_key, state) is Outcome.CREATED
    assert read_records(new) == [*mine[:2], *theirs]


def test_a_private_key_is_removed_from_its_first_line_to_its_last_and_the_rest_kept() -> None:
    body = "\n".join("MIIEowIBAAKCAQEA7x" + "Q" * 46 for _ in range(3))
    text = f"here is the key:\n-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\nthanks"
    record = Conversation("/w").user(text)
    cleaned, removed = redact_lines([line(record).encode()])
    assert removed == 1
    kept = json.loads(cleaned[0])["message"]["content"]
    assert kept == "here is the key:\n[memtray removed a private key here]\nthanks"
