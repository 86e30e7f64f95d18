"""A Claude Code session follows the person to their other laptop (issue 14), through the real sync.

Two laptops (see conftest.py), a folder hub, real ``memtray`` processes; transcripts shaped as Claude Code writes
them (tests/support/transcripts.py).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.sessions.conftest import World, b_has_opened_the_project, session_sent_from_a_to_b
from tests.support.transcripts import (
    Conversation,
    history_entry,
    read_records,
    settle,
    subagent_path,
    transcript_path,
    write_history,
    write_records,
)


def uuids(path: Path) -> list[str]:
    return [record["uuid"] for record in read_records(path) if "uuid" in record]


def chunks(staging: Path) -> list[Path]:
    return sorted(path for path in staging.rglob("*.jsonl"))


def test_a_session_continues_in_the_other_laptops_own_project_folder_with_its_paths(world: World) -> None:
    a, b = world.a, world.b
    b_has_opened_the_project(world)
    settle(write_history(b.user_home, [history_entry("Run the tests", str(world.webapp_b), time.time() - 7200)]))
    talk = Conversation(str(world.webapp_a))
    records = [
        *talk.opening("src/app.py"),
        *talk.run("cat /etc/hosts && ls " + str(world.webapp_a / "tests"), "127.0.0.1 localhost"),
        talk.system("Conversation compacted"),
        talk.summary("Fix the login test"),
    ]
    source = settle_after(write_records(transcript_path(a.user_home, world.webapp_a, talk.session), records))
    settle(write_history(a.user_home, [history_entry("Why does the login test fail?", str(world.webapp_a))]))
    helper = Conversation(str(world.webapp_a), talk.session)
    helper_records = [{**record, "isSidechain": True} for record in helper.opening("src/auth.py")]
    settle(write_records(subagent_path(source, "a1b2c3"), helper_records))

    a.sync()
    b.sync()

    target = transcript_path(b.user_home, world.webapp_b, talk.session)
    got = read_records(target)
    assert len(got) == len(records)
    assert [r.get("uuid") for r in got] == [r.get("uuid") for r in records]
    assert {r["cwd"] for r in got if "cwd" in r} == {str(world.webapp_b)}
    read_call = got[1]["message"]["content"][0]
    assert read_call["input"]["file_path"] == f"{world.webapp_b}/src/app.py"
    assert got[2]["toolUseResult"]["file"]["filePath"] == f"{world.webapp_b}/src/app.py"
    bash = got[4]["message"]["content"][0]["input"]["command"]
    assert bash == f"cat /etc/hosts && ls {world.webapp_b}/tests", "only paths inside the project are rewritten"
    assert str(a.user_home) not in target.read_text(encoding="utf-8")
    assert got[-1] == records[-1], "a record without paths arrives exactly as it was written"
    helper_got = read_records(subagent_path(target, "a1b2c3"))
    assert [r["uuid"] for r in helper_got] == [r["uuid"] for r in helper_records]
    assert helper_got[1]["message"]["content"][0]["input"]["file_path"] == f"{world.webapp_b}/src/auth.py"
    history = read_records(b.user_home / ".claude" / "history.jsonl")
    assert [(h["display"], h["project"]) for h in history] == [
        ("Run the tests", str(world.webapp_b)),
        ("Why does the login test fail?", str(world.webapp_b)),
    ]

    settle(a.user_home / ".claude" / "history.jsonl")
    a.sync()
    history = read_records(a.user_home / ".claude" / "history.jsonl")
    assert sorted((h["display"], h["project"]) for h in history) == [
        ("Run the tests", str(world.webapp_a)),
        ("Why does the login test fail?", str(world.webapp_a)),
    ], "history.jsonl is the union of both laptops' lines, each line once, with this laptop's paths"
    assert read_records(source) == records, "the sending laptop's own transcript is left exactly as it was"
    assert not any(f"/{world.webapp_b.name}" in p.name for p in chunks(a.staging))


def settle_after(path: Path) -> Path:
    settle(path)
    return path


def test_concurrent_growth_and_concurrent_sessions_merge_by_union_once(world: World) -> None:
    a, b = world.a, world.b
    b_has_opened_the_project(world)
    on_a, shared_a, shared_b = session_sent_from_a_to_b(world)
    assert uuids(shared_b) == uuids(shared_a)

    # Both laptops continue the same session before either syncs, and each starts a new one.
    on_b = Conversation(str(world.webapp_b), on_a.session)
    on_b.last = on_a.last
    write_records(shared_a, [on_a.user("Also check the signup test."), on_a.assistant("It passes.")])
    write_records(shared_b, [on_b.user("Run the whole suite."), *on_b.run("pytest -q", "12 passed")])
    new_a, new_b = Conversation(str(world.webapp_a)), Conversation(str(world.webapp_b))
    only_a = write_records(transcript_path(a.user_home, world.webapp_a, new_a.session), new_a.opening())
    only_b = write_records(transcript_path(b.user_home, world.webapp_b, new_b.session), new_b.opening())
    for path in (shared_a, shared_b, only_a, only_b):
        settle(path)

    a.sync()
    b.sync()
    a.sync()

    union = set(uuids(shared_a)) | set(uuids(shared_b))
    assert len(union) == 4 + 2 + 3
    for path in (shared_a, shared_b):
        assert sorted(uuids(path)) == sorted(union), f"{path} lacks records or holds some twice"
    assert uuids(transcript_path(b.user_home, world.webapp_b, new_a.session)) == uuids(only_a)
    assert uuids(transcript_path(a.user_home, world.webapp_a, new_b.session)) == uuids(only_b)
    b_cwds = {r["cwd"] for r in read_records(shared_b) if "cwd" in r}
    assert b_cwds == {str(world.webapp_b)}
    assert not list(b.home.rglob("*conflict*")) and not list(b.user_home.rglob("*conflict*"))


def test_a_transcript_the_agent_is_writing_is_not_touched_until_it_is_quiet(world: World) -> None:
    a, b = world.a, world.b
    b_has_opened_the_project(world)
    talk = Conversation(str(world.webapp_a))
    on_a = settle_after(write_records(transcript_path(a.user_home, world.webapp_a, talk.session), talk.opening()))
    a.sync()
    b.sync()
    on_b = transcript_path(b.user_home, world.webapp_b, talk.session)
    write_records(on_a, [talk.user("And the signup test?")])
    settle(on_a)
    a.sync()
    # On B the agent is writing this very session: a record just now, and half of the next line.
    resumed = Conversation(str(world.webapp_b), talk.session)
    write_records(on_b, [resumed.user("Continuing here.")])
    with on_b.open("a", encoding="utf-8") as handle:
        handle.write('{"parentUuid":"' + str(resumed.last) + '","isSidechain":false,"type":"assis')
    written = on_b.read_bytes()

    b.sync()
    assert on_b.read_bytes() == written, "a file written a moment ago is left alone"

    settle(on_b)
    b.sync()
    assert on_b.read_bytes() == written, "a file whose last line is not finished is left alone"

    with on_b.open("a", encoding="utf-8") as handle:
        handle.write('nt","uuid":"u-2"}\n')
    settle(on_b)
    b.sync()
    text = on_b.read_bytes()
    assert text.startswith(written + b'nt","uuid":"u-2"}\n'), "records are only ever added at the end"
    assert read_records(on_b)[-1]["message"]["content"] == "And the signup test?"


def test_a_project_this_laptop_does_not_have_waits_untouched_then_arrives(world: World) -> None:
    a, b = world.a, world.b
    notes_a = a.user_home / "code" / "notes"
    notes_a.mkdir(parents=True)
    talk = Conversation(str(notes_a))
    settle_after(write_records(transcript_path(a.user_home, notes_a, talk.session), talk.opening("todo.md")))
    a.sync()
    b.sync()
    assert not (b.user_home / ".claude" / "projects").exists(), "nothing is written for a project B lacks"
    assert any(talk.session in str(path) for path in chunks(b.staging)), "its session waits in B's staging folder"

    notes_b = b.user_home / "code" / "notes"
    notes_b.mkdir(parents=True)
    own = Conversation(str(notes_b))
    settle_after(write_records(transcript_path(b.user_home, notes_b, own.session), own.opening("todo.md")))
    b.sync()
    got = read_records(transcript_path(b.user_home, notes_b, talk.session))
    assert {r["cwd"] for r in got if "cwd" in r} == {str(notes_b)}


def test_sessions_stay_on_the_laptop_when_the_setting_is_off(world: World) -> None:
    a, b = world.a, world.b
    b_has_opened_the_project(world)
    b.run("settings", "claude_sessions", "no")
    talk = Conversation(str(world.webapp_a))
    settle_after(write_records(transcript_path(a.user_home, world.webapp_a, talk.session), talk.opening()))
    a.sync()
    b.sync()
    assert not transcript_path(b.user_home, world.webapp_b, talk.session).exists()
    assert not b.staging.exists()
    status = json.loads(b.run("folder", "list", "--json", check=False).stdout or "[]")
    assert all(folder.get("path") is None or "sessions" not in str(folder.get("path")) for folder in status)


def test_a_chunk_that_names_a_file_outside_its_session_is_ignored(world: World) -> None:
    a, b = world.a, world.b
    b_has_opened_the_project(world)
    talk = Conversation(str(world.webapp_a))
    settle_after(write_records(transcript_path(a.user_home, world.webapp_a, talk.session), talk.opening()))
    a.sync()
    b.sync()
    session_dir = next(path.parent for path in chunks(b.staging) if talk.session in str(path))
    header = json.loads(next(session_dir.glob("*.jsonl")).read_text(encoding="utf-8").splitlines()[0])
    for number, file in enumerate(["../../../escaped.jsonl", "other-session.jsonl", f"{talk.session}/../x.jsonl"]):
        planted = session_dir / f"{'f' * 32}-{number + 1:06d}.jsonl"
        planted.write_text(json.dumps({**header, "file": file}) + "\n" + json.dumps({"uuid": "x"}) + "\n")

    b.sync()

    projects = b.user_home / ".claude" / "projects"
    assert not list(b.user_home.rglob("escaped.jsonl")) and not list(b.user_home.rglob("x.jsonl"))
    assert not list(projects.rglob("other-session.jsonl"))
