"""A person's home folder as Claude Code and git leave it: real repositories (a bare repository on disk as the
remote), worktrees, and ``~/.claude/projects/<dir>/`` folders with transcript files that record the project's
``cwd`` the way Claude Code writes them."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

from memtray.projects.claude_names import claude_dir_name

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Alice",
    "GIT_AUTHOR_EMAIL": "alice@example.com",
    "GIT_COMMITTER_NAME": "Alice",
    "GIT_COMMITTER_EMAIL": "alice@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args: str, cwd: Path, home: Path | None = None) -> str:
    """Run the real git binary (tests only: memtray itself never runs git)."""
    env = {**os.environ, **GIT_IDENTITY, "HOME": str(home or cwd)}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed in {cwd}:\n{done.stderr}")
    return done.stdout


def bare_remote(remotes: Path, name: str) -> Path:
    """A bare repository with one commit, standing in for github.com/<owner>/<name>."""
    bare = remotes / f"{name}.git"
    bare.mkdir(parents=True)
    git("init", "--bare", "--initial-branch=main", str(bare), cwd=remotes)
    seed = remotes / f"{name}-seed"
    git("clone", str(bare), str(seed), cwd=remotes)
    (seed / "README.md").write_text(f"# {name}\n", encoding="utf-8")
    git("add", "README.md", cwd=seed)
    git("commit", "-m", "first", cwd=seed)
    git("push", "origin", "HEAD:main", cwd=seed)
    return bare


def clone(remote: Path, checkout: Path) -> Path:
    checkout.parent.mkdir(parents=True, exist_ok=True)
    git("clone", str(remote), str(checkout), cwd=checkout.parent)
    return checkout


def hosted_as(checkout: Path, url: str) -> Path:
    """Make the clone's origin read ``url`` (``git@github.com:alice/x.git``, ``https://…``) while git still reaches
    the bare repository on disk it was cloned from (``url.<bare>.insteadOf``)."""
    bare = git("remote", "get-url", "origin", cwd=checkout).strip()
    git("remote", "set-url", "origin", url, cwd=checkout)
    git("config", f"url.{bare}.insteadOf", url, cwd=checkout)
    git("fetch", "origin", cwd=checkout)
    return checkout


def repository_without_remote(checkout: Path) -> Path:
    checkout.mkdir(parents=True)
    git("init", "--initial-branch=main", cwd=checkout)
    return checkout


def worktree(checkout: Path, place: Path, branch: str) -> Path:
    git("worktree", "add", "-b", branch, str(place), cwd=checkout)
    return place


def projects_dir(home: Path) -> Path:
    return home / ".claude" / "projects"


def transcript_lines(cwd: str, session: str) -> list[dict[str, object]]:
    """The records Claude Code writes at the start of a session: a summary without ``cwd``, then messages."""
    common = {"isSidechain": False, "userType": "external", "cwd": cwd, "sessionId": session, "version": "2.1.3"}
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    return [
        {"type": "summary", "summary": "Project setup", "leafUuid": second},
        {
            **common,
            "parentUuid": None,
            "type": "user",
            "message": {"role": "user", "content": "Remember to run the tests with -q."},
            "uuid": first,
            "timestamp": "2025-11-20T09:14:03.112Z",
        },
        {
            **common,
            "parentUuid": first,
            "type": "assistant",
            "message": {"role": "assistant", "content": [{"type": "text", "text": "Noted."}]},
            "uuid": second,
            "timestamp": "2025-11-20T09:14:05.480Z",
        },
    ]


def open_in_claude(home: Path, project: Path, *, folder_name: str | None = None, garbage: bool = False) -> Path:
    """What running ``claude`` in ``project`` leaves behind: its projects folder with one transcript.
    ``folder_name`` overrides Claude's name (for the hash-suffixed names of long paths); ``garbage`` adds lines
    that are not JSON and records without ``cwd``."""
    name = folder_name or claude_dir_name(str(project))
    assert name is not None, "the path is too long for Claude's plain rule: give the hashed folder name"
    folder = projects_dir(home) / name
    folder.mkdir(parents=True, exist_ok=True)
    session = str(uuid.uuid4())
    lines = [json.dumps(record) for record in transcript_lines(str(project), session)]
    if garbage:
        lines = ["{not json", json.dumps({"type": "summary", "summary": "no cwd here"}), "\x00\xff", *lines]
    (folder / f"{session}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def write_memory(claude_folder: Path, text: str, name: str = "MEMORY.md") -> Path:
    path = claude_folder / "memory" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
