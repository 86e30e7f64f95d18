"""Secrets in sessions are removed or held, never sent silently; old sessions leave the hub; a transfer that
stopped after the export carries on (issue 14). Real laptops and hub (see conftest.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from memtray.sessions import SessionBridge
from tests.sessions.conftest import World, b_has_opened_the_project, session_sent_from_a_to_b
from tests.support.laptops import opened
from tests.support.transcripts import Conversation, read_records, settle, transcript_path, write_records

AWS_KEY = "AKIA" + "QW7TZ3KX5NB4RJ2D"  # the shape of an AWS access key id, split so no scanner flags this file
DAY = 24 * 60 * 60


def staged_text(staging: Path) -> str:
    return "".join(path.read_text(encoding="utf-8") for path in sorted(staging.rglob("*.jsonl")))


def test_a_pasted_key_is_removed_from_what_is_sent_and_the_rest_of_the_record_arrives(world: World) -> None:
    a, b = world.a, world.b
    b_has_opened_the_project(world)
    talk = Conversation(str(world.webapp_a))
    records = [
        talk.user(f"Deploy with these:\nAWS_ACCESS_KEY_ID={AWS_KEY}\nregion=eu-west-1"),
        talk.assistant("Deploying to eu-west-1."),
    ]
    source = write_records(transcript_path(a.user_home, world.webapp_a, talk.session), records)
    settle(source)
    a.sync()
    b.sync()

    assert AWS_KEY not in staged_text(a.staging) and AWS_KEY not in staged_text(b.staging)
    got = read_records(transcript_path(b.user_home, world.webapp_b, talk.session))
    assert got[0]["message"]["content"] == (
        "Deploy with these:\n[memtray removed an AWS access key here]\nregion=eu-west-1"
    )
    assert got[0]["uuid"] == records[0]["uuid"]
    assert {**got[1], "cwd": str(world.webapp_a)} == records[1], "only the project's paths differ"
    assert AWS_KEY in source.read_text(encoding="utf-8"), "the laptop's own transcript keeps what was typed"


def test_with_hold_a_session_with_a_key_stays_on_the_laptop_and_the_person_is_told(world: World) -> None:
    a, b = world.a, world.b
    b_has_opened_the_project(world)
    a.run("settings", "claude_sessions_secrets", "hold")
    talk, source, target = session_sent_from_a_to_b(world)
    before = target.read_bytes()

    write_records(source, [talk.user(f"key id {AWS_KEY}"), talk.assistant("Thanks.")])
    settle(source)
    done = a.run("sync")
    held = a.status()["held"]
    b.sync()

    assert [(item["folder"], item["finding"]) for item in held] == [("Agent sessions", "an AWS access key")]
    assert talk.session in held[0]["path"], "the person is told which session was held"
    assert "held back" in done.stderr
    assert target.read_bytes() == before, "nothing of the held part reached the other laptop"
    assert AWS_KEY not in staged_text(b.staging)


def test_sessions_older_than_the_retention_leave_the_hub_but_stay_in_the_agents_folders(world: World) -> None:
    a, b = world.a, world.b
    b_has_opened_the_project(world)
    a.run("settings", "sessions_days", "30")
    old = Conversation(str(world.webapp_a), start=time.time() - 45 * DAY)
    recent = Conversation(str(world.webapp_a))
    old_file = write_records(transcript_path(a.user_home, world.webapp_a, old.session), old.opening())
    recent_file = write_records(transcript_path(a.user_home, world.webapp_a, recent.session), recent.opening())
    for path in (old_file, recent_file):
        settle(path)
    a.sync()
    b.sync()
    assert transcript_path(b.user_home, world.webapp_b, old.session).exists()

    a.sync()  # A deletes its chunks of the session quiet for 45 days; the deletion syncs
    b.sync()

    for laptop in (a, b):
        staged = [path.as_posix() for path in laptop.staging.rglob("*.jsonl")]
        assert not any(old.session in path for path in staged), f"{laptop.name} still stages the old session"
        assert any(recent.session in path for path in staged), f"{laptop.name} lost the recent session"
    assert old_file.exists() and transcript_path(b.user_home, world.webapp_b, old.session).exists()


def test_a_transfer_stopped_after_the_export_carries_on_at_the_next_sync(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = world.a, world.b
    b_has_opened_the_project(world)
    a.sync()
    talk = Conversation(str(world.webapp_a))
    source = write_records(transcript_path(a.user_home, world.webapp_a, talk.session), talk.opening())
    settle(source)
    # What a sync killed right after the export leaves behind: the new chunk, sent nowhere yet.
    monkeypatch.setenv("HOME", str(a.user_home))
    with opened(a) as service:
        exported = SessionBridge(service).before_sync()
    assert exported.chunks == 1
    staged = sorted(a.staging.rglob(f"*{talk.session}*/*.jsonl"))
    assert len(staged) == 1

    a.sync()
    b.sync()

    assert sorted(a.staging.rglob(f"*{talk.session}*/*.jsonl")) == staged, "the chunk is sent, not made again"
    got = read_records(transcript_path(b.user_home, world.webapp_b, talk.session))
    assert [r["uuid"] for r in got] == [r["uuid"] for r in read_records(source)]
    assert json.loads(staged[0].read_text(encoding="utf-8").splitlines()[0])["root"] == str(world.webapp_a)
