"""Two laptops with different home folders and project paths, each a real ``memtray`` process with its own
``HOME``, sharing a folder hub; while one runs, the other's disk is out of sight, so nothing can work by
accident from a path that only exists on the other laptop."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import folder_endpoint
from tests.support.claude_home import bare_remote, clone, hosted_as
from tests.support.separate_laptops import TwoLaptopWorld, two_separate_laptops
from tests.support.transcripts import Conversation, settle, transcript_path, write_records

REMOTE = "git@github.com:alice/webapp.git"


@dataclass
class World(TwoLaptopWorld):
    webapp_a: Path
    webapp_b: Path


@pytest.fixture
def world(tmp_path: Path) -> World:
    """A (home /Users/alice, the project at ~/code/webapp) and B (home /home/alice.smith, the project at
    ~/src/work/webapp): one repository, cloned on each; both laptops in one vault, sessions turned on."""
    return make_world(tmp_path, "claude_sessions")


def make_world(tmp_path: Path, setting: str) -> World:
    """Laptops A and B, each with its own checkout of one repository, in one vault, ``setting`` turned on on both."""
    hub = folder_endpoint(tmp_path / "hub")
    a, b = two_separate_laptops(tmp_path, hub)
    remote = bare_remote(tmp_path / "remotes" / "alice", "webapp")
    webapp_a = hosted_as(clone(remote, a.user_home / "code" / "webapp"), REMOTE)
    webapp_b = hosted_as(clone(remote, b.user_home / "src" / "work" / "webapp"), REMOTE)
    a.init()
    a.run("settings", setting, "yes")
    b.join_from(a)
    b.run("settings", setting, "yes")
    return World(tmp_path, hub, a, b, webapp_a, webapp_b)


def b_has_opened_the_project(world: World) -> None:
    """B has used Claude Code in its own checkout before, so B knows where the project is."""
    own = Conversation(str(world.webapp_b))
    settle(write_records(transcript_path(world.b.user_home, world.webapp_b, own.session), own.opening()))


def session_sent_from_a_to_b(world: World) -> tuple[Conversation, Path, Path]:
    """A starts a session in its checkout (already quiet) and both laptops sync: the session, its transcript on A
    and where B keeps it."""
    talk = Conversation(str(world.webapp_a))
    source = write_records(transcript_path(world.a.user_home, world.webapp_a, talk.session), talk.opening())
    settle(source)
    world.a.sync()
    world.b.sync()
    return talk, source, transcript_path(world.b.user_home, world.webapp_b, talk.session)
