"""A Codex session follows the person to their other laptop (issue 14), through the real sync.

Two laptops with different home folders and project paths, a folder hub, real ``memtray`` processes (see
conftest.py), only "Also bring my Codex sessions" turned on; rollouts shaped as Codex writes them
(tests/support/codex_sessions.py).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from memtray.presets import SESSIONS
from memtray.sessions.codex import CodexRewriter
from memtray.sessions.records import made_at
from tests.sessions.conftest import World, make_world
from tests.support.codex_sessions import CodexSession, history_entry, write_history, write_rollout
from tests.support.laptops import opened
from tests.support.transcripts import read_records, settle

DAY = 24 * 60 * 60
AWS_KEY = "AKIA" + "QW7TZ3KX5NB4RJ2D"  # the shape of an AWS access key id, split so no scanner flags this file


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """A (the project at /Users/alice/code/webapp) and B (at /home/alice.smith/src/work/webapp), one vault, only
    Codex sessions turned on; Codex's folder is the default ``~/.codex`` on both."""
    monkeypatch.delenv("CODEX_HOME", raising=False)
    return make_world(tmp_path, "codex_sessions")


def b_has_used_codex_in_the_project(world: World) -> CodexSession:
    own = CodexSession(str(world.webapp_b), start=time.time() - 7200)
    settle(write_rollout(own.path(world.b.user_home), own.opening()))
    return own


def staged_text(staging: Path) -> str:
    return "".join(path.read_text(encoding="utf-8") for path in sorted(staging.rglob("*.jsonl")))


def stamps(path: Path) -> list[str]:
    return [record["timestamp"] for record in read_records(path)]


def test_a_session_continues_on_the_other_laptop_at_the_same_place_with_its_paths(world: World) -> None:
    a, b = world.a, world.b
    mine = b_has_used_codex_in_the_project(world)
    settle(write_history(b.user_home, [history_entry(mine.session, "Run the tests", time.time() - 7000)]))
    talk = CodexSession(str(world.webapp_a))
    records = [
        *talk.opening(),
        *talk.run(f"cat /etc/hosts && ls {world.webapp_a}/tests", "127.0.0.1 localhost"),
        talk.compacted("The login test fails because the fixture lacks `ok`."),
        talk.turn_context(),
    ]
    source = write_rollout(talk.path(a.user_home), records)
    settle(source)
    settle(write_history(a.user_home, [history_entry(talk.session, "Why does the login test fail?")]))

    a.sync()
    b.sync()

    target = talk.path(b.user_home)
    got = read_records(target)
    assert [r["timestamp"] for r in got] == [r["timestamp"] for r in records], "every line, once, in order"
    assert got[0]["payload"]["cwd"] == str(world.webapp_b)
    assert {r["payload"]["cwd"] for r in got if r["type"] == "turn_context"} == {str(world.webapp_b)}
    calls = [json.loads(r["payload"]["arguments"]) for r in got if r["payload"].get("type") == "function_call"]
    assert [call["workdir"] for call in calls] == [str(world.webapp_b)] * 2
    assert calls[0]["command"][2] == f"sed -n 1,40p {world.webapp_b}/src/app.py"
    assert calls[1]["command"][2] == f"cat /etc/hosts && ls {world.webapp_b}/tests", "only the project's paths"
    assert str(a.user_home) not in target.read_text(encoding="utf-8")
    untouched = [n for n, r in enumerate(records) if str(world.webapp_a) not in json.dumps(r)]
    assert untouched and all(got[n] == records[n] for n in untouched), "lines without paths arrive as written"
    history = read_records(b.user_home / ".codex" / "history.jsonl")
    assert [h["text"] for h in history] == ["Run the tests", "Why does the login test fail?"]

    settle(a.user_home / ".codex" / "history.jsonl")
    a.sync()
    history = read_records(a.user_home / ".codex" / "history.jsonl")
    assert sorted(h["text"] for h in history) == ["Run the tests", "Why does the login test fail?"]
    assert read_records(source) == records, "the sending laptop's own rollout is left exactly as it was"
    assert any(path.parts[-4] == "codex" for path in a.staging.rglob("*.jsonl")), "chunks go under codex/"


def test_growth_of_one_session_on_both_laptops_and_new_sessions_merge_by_union_once(world: World) -> None:
    a, b = world.a, world.b
    b_has_used_codex_in_the_project(world)
    on_a = CodexSession(str(world.webapp_a))
    shared_a = write_rollout(on_a.path(a.user_home), on_a.opening())
    settle(shared_a)
    a.sync()
    b.sync()
    shared_b = on_a.path(b.user_home)
    assert stamps(shared_b) == stamps(shared_a)

    # Both laptops continue the same session before either syncs, and each starts a new one.
    on_b = CodexSession(str(world.webapp_b), on_a.session, start=on_a.started)
    on_b.clock = on_a.clock + 0.3
    write_rollout(shared_a, [on_a.turn_context(), *on_a.user("Also check the signup test.")])
    write_rollout(shared_b, [on_b.turn_context(), *on_b.run("pytest -q", "12 passed")])
    new_a = CodexSession(str(world.webapp_a), start=time.time() - 600)
    new_b = CodexSession(str(world.webapp_b), start=time.time() - 500)
    only_a = write_rollout(new_a.path(a.user_home), new_a.opening())
    only_b = write_rollout(new_b.path(b.user_home), new_b.opening())
    for path in (shared_a, shared_b, only_a, only_b):
        settle(path)

    a.sync()
    b.sync()
    a.sync()

    union = set(stamps(shared_a)) | set(stamps(shared_b))
    assert len(union) == 10 + 3 + 3
    for path in (shared_a, shared_b):
        assert sorted(stamps(path)) == sorted(union), f"{path} lacks lines or holds some twice"
    assert stamps(new_a.path(b.user_home)) == stamps(only_a)
    assert stamps(new_b.path(a.user_home)) == stamps(only_b)
    assert str(world.webapp_a) not in shared_b.read_text(encoding="utf-8")
    assert str(world.webapp_b) not in shared_a.read_text(encoding="utf-8")
    assert not list(b.user_home.rglob("*conflict*")) and not list(a.user_home.rglob("*conflict*"))


def test_a_pasted_key_is_removed_from_what_is_sent(world: World) -> None:
    a, b = world.a, world.b
    b_has_used_codex_in_the_project(world)
    talk = CodexSession(str(world.webapp_a))
    records = [talk.meta(), *talk.user(f"Deploy with these:\nAWS_ACCESS_KEY_ID={AWS_KEY}\nregion=eu-west-1")]
    source = write_rollout(talk.path(a.user_home), records)
    settle(source)
    a.sync()
    b.sync()

    assert AWS_KEY not in staged_text(a.staging) and AWS_KEY not in staged_text(b.staging)
    got = read_records(talk.path(b.user_home))
    assert got[1]["payload"]["content"][0]["text"] == (
        "Deploy with these:\n[memtray removed an AWS access key here]\nregion=eu-west-1"
    )
    assert got[2]["payload"]["message"] == got[1]["payload"]["content"][0]["text"]
    assert AWS_KEY in source.read_text(encoding="utf-8"), "the laptop's own rollout keeps what was typed"


def test_with_hold_a_codex_session_with_a_key_stays_on_the_laptop_and_the_person_is_told(world: World) -> None:
    a, b = world.a, world.b
    b_has_used_codex_in_the_project(world)
    a.run("settings", "codex_sessions_secrets", "hold")
    talk = CodexSession(str(world.webapp_a))
    settle(write_rollout(talk.path(a.user_home), [talk.meta(), *talk.user(f"key id {AWS_KEY}")]))
    a.sync()
    held = a.status()["held"]
    b.sync()

    assert [(item["folder"], item["finding"]) for item in held] == [("Agent sessions", "an AWS access key")]
    assert talk.session in held[0]["path"], "the person is told which session was held"
    assert not talk.path(b.user_home).exists() and AWS_KEY not in staged_text(b.staging)


def test_a_project_this_laptop_does_not_have_waits_untouched_then_arrives(world: World) -> None:
    a, b = world.a, world.b
    notes_a = a.user_home / "code" / "notes"
    notes_a.mkdir(parents=True)
    talk = CodexSession(str(notes_a))
    settle(write_rollout(talk.path(a.user_home), talk.opening("todo.md")))
    a.sync()
    b.sync()
    assert not (b.user_home / ".codex").exists(), "nothing is written for a project B lacks"
    assert any(talk.session in str(path) for path in b.staging.rglob("*.jsonl")), "it waits in B's staging"

    notes_b = b.user_home / "code" / "notes"
    notes_b.mkdir(parents=True)
    b.sync()
    got = read_records(talk.path(b.user_home))
    assert got[0]["payload"]["cwd"] == str(notes_b)
    assert json.loads(got[5]["payload"]["arguments"])["command"][2] == f"sed -n 1,40p {notes_b}/todo.md"


def test_codex_sessions_stay_on_the_laptop_when_the_setting_is_off(world: World) -> None:
    a, b = world.a, world.b
    b_has_used_codex_in_the_project(world)
    a.run("settings", "codex_sessions", "no")
    a.run("settings", "claude_sessions", "yes")  # the sessions bridge runs, for Claude Code only
    talk = CodexSession(str(world.webapp_a))
    settle(write_rollout(talk.path(a.user_home), talk.opening()))
    a.sync()
    b.sync()
    assert a.staging.exists(), "the bridge ran on A"
    assert not list(a.staging.rglob("codex*")), "nothing of Codex is staged on A"
    assert not talk.path(b.user_home).exists()

    a.run("settings", "codex_sessions", "yes")
    b.run("settings", "codex_sessions", "no")
    b.run("settings", "claude_sessions", "yes")
    a.sync()
    b.sync()
    assert list(a.staging.rglob("codex/*/*/*.jsonl")), "once on, A sends it"
    assert not talk.path(b.user_home).exists(), "B, with the setting off, takes nothing"


def test_paths_inside_a_tool_calls_arguments_stay_valid_json_whatever_the_folder_is_called() -> None:
    source, target = "/Users/alice/code/webapp", '/home/al"ice\\x/webapp'
    arguments = json.dumps({"command": ["bash", "-lc", f"ls {source}/src"], "workdir": source}, separators=(",", ":"))
    line = json.dumps({"type": "response_item", "payload": {"type": "function_call", "arguments": arguments}})
    got = json.loads(CodexRewriter(source, target).line(line.encode()))
    inner = json.loads(got["payload"]["arguments"])
    assert inner == {"command": ["bash", "-lc", f"ls {target}/src"], "workdir": target}


def test_an_agent_sessions_folder_added_before_codex_takes_codex_chunks_too(world: World) -> None:
    a, b = world.a, world.b
    b_has_used_codex_in_the_project(world)
    a.sync()
    b.sync()
    with opened(a) as service:  # as a laptop that added the folder when only Claude Code sessions were brought
        folder = next(f for f in service.index.folder_defs().values() if f.preset == SESSIONS)
        folder.include = ["claude/**", "claude-history/**"]
        folder.stamp = (time.time(), service.config.device_id)
        service.index.put_folder_def(folder, pending=True)
    talk = CodexSession(str(world.webapp_a))
    settle(write_rollout(talk.path(a.user_home), talk.opening()))
    a.sync()
    b.sync()
    assert stamps(talk.path(b.user_home)) == stamps(talk.path(a.user_home))


def test_codex_sessions_older_than_the_retention_leave_the_hub_but_stay_in_codexs_folders(world: World) -> None:
    a, b = world.a, world.b
    b_has_used_codex_in_the_project(world)
    a.run("settings", "sessions_days", "30")
    old = CodexSession(str(world.webapp_a), start=time.time() - 45 * DAY)
    recent = CodexSession(str(world.webapp_a))
    for talk in (old, recent):
        settle(write_rollout(talk.path(a.user_home), talk.opening()))
    settle(write_history(a.user_home, [history_entry(old.session, "An old question", time.time() - 45 * DAY)]))
    a.sync()
    b.sync()
    assert old.path(b.user_home).exists() and list(b.staging.rglob("codex-history/*.jsonl"))

    a.sync()  # A deletes its chunks of what went quiet 45 days ago; the deletion syncs
    b.sync()

    for laptop in (a, b):
        staged = [path.as_posix() for path in laptop.staging.rglob("*.jsonl")]
        assert not any(old.session in path for path in staged), f"{laptop.name} still stages the old session"
        assert not any("/codex-history/" in path for path in staged), f"{laptop.name} still stages old history"
        assert any(recent.session in path for path in staged), f"{laptop.name} lost the recent session"
    assert old.path(a.user_home).exists() and old.path(b.user_home).exists()

    settle(write_history(a.user_home, [history_entry(recent.session, "A new question")]))
    a.sync()
    a.sync()
    assert list(a.staging.rglob("codex-history/*.jsonl")), "history of the last days stays on the hub"


def test_a_chunk_that_names_a_file_outside_its_session_is_ignored(world: World) -> None:
    a, b = world.a, world.b
    b_has_used_codex_in_the_project(world)
    talk = CodexSession(str(world.webapp_a))
    settle(write_rollout(talk.path(a.user_home), talk.opening()))
    a.sync()
    b.sync()
    session_dir = next(path.parent for path in b.staging.rglob("*.jsonl") if talk.session in str(path))
    header = json.loads(next(session_dir.glob("*.jsonl")).read_text(encoding="utf-8").splitlines()[0])
    other = CodexSession(str(world.webapp_a))
    day = talk.file().rsplit("/", 1)[0]
    for number, file in enumerate(["../../escaped.jsonl", other.file(), f"{day}/../../x/rollout-{talk.session}.jsonl"]):
        planted = session_dir / f"{'f' * 32}-{number + 1:06d}.jsonl"
        planted.write_text(json.dumps({**header, "file": file}) + "\n" + json.dumps({"type": "x"}) + "\n")

    b.sync()

    assert not list(b.user_home.rglob("escaped.jsonl")) and not other.path(b.user_home).exists()
    assert [path for path in (b.user_home / ".codex").rglob("*.jsonl") if talk.session in path.name] == [
        talk.path(b.user_home)
    ]
    assert {"type": "x"} not in read_records(talk.path(b.user_home))


def test_codex_history_lines_carry_their_time_in_seconds() -> None:
    entry = history_entry("0199a1b2-0000-7000-8000-000000000001", "Fix the login test", 1_764_662_400)
    assert made_at(entry) == 1_764_662_400.0, "retention reads Codex's seconds as seconds"
