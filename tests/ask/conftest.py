"""Two laptops with real Claude Code homes, real git checkouts and real memtray processes, shared by the tests of
``memtray mcp``; and the MCP SDK's own stdio client driving ``python -m memtray mcp`` against one of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from memtray.projects.claude_names import claude_dir_name
from memtray.projects.identity import ProjectIdentity
from tests.servers import folder_endpoint
from tests.support.claude_home import bare_remote, clone, hosted_as, open_in_claude, projects_dir, write_memory
from tests.support.laptops import REPO, Laptop

WEBAPP = "git@github.com:alice/webapp.git"
API = "git@github.com:alice/api.git"
WEBAPP_KEY = ProjectIdentity("git", "github.com/alice/webapp").key
API_KEY = ProjectIdentity("git", "github.com/alice/api").key
CLAUDE = "Claude Code"
# A GitHub token made up for the test (the secret guard's pattern), planted in the api's memory.
PLANTED_TOKEN = "ghp_" + "Zq7" * 12

WEBAPP_MEMORY = """# webapp
Run the tests with pytest -q before pushing.
The frontend is built with vite.
Each release: run the release script, write the release notes, tag the release.
"""
API_MEMORY = f"""# api
The api uses PostgreSQL 16 for storage.
Deploy the api: deploy to staging, then deploy to production; every deploy is tagged.
Token for the CI bot: {PLANTED_TOKEN}
Release notes are kept in the wiki.
"""


def memory_name(project: str) -> str:
    return f"{CLAUDE}/projects/{project}/memory/MEMORY.md"


@dataclass
class World:
    a: Laptop
    b: Laptop
    webapp_a: Path
    webapp_b: Path
    api_a: Path

    def home(self, laptop: Laptop) -> Path:
        return Path(laptop.env["HOME"])

    def memory_file(self, laptop: Laptop, checkout: Path) -> Path:
        folder = claude_dir_name(str(checkout))
        assert folder is not None
        return projects_dir(self.home(laptop)) / folder / "memory" / "MEMORY.md"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """A has webapp and api open in Claude Code, each with memory; B has only webapp (api is parked on B)."""
    root = tmp_path_factory.mktemp("ask")
    hub = folder_endpoint(root / "hub")
    laptops = {}
    for name, home in {"A": "Users/alice", "B": "home/alice.smith"}.items():
        (root / name / home).mkdir(parents=True)
        (root / f"laptop-{name}").mkdir()
        laptops[name] = Laptop(f"Laptop-{name}", root / f"laptop-{name}", hub, env={"HOME": str(root / name / home)})
    a, b = laptops["A"], laptops["B"]
    remotes = root / "remotes"
    home_a, home_b = Path(a.env["HOME"]), Path(b.env["HOME"])
    webapp_a = hosted_as(clone(bare_remote(remotes, "webapp"), home_a / "code" / "webapp"), WEBAPP)
    api_a = hosted_as(clone(bare_remote(remotes, "api"), home_a / "code" / "api"), API)
    webapp_b = hosted_as(clone(remotes / "webapp.git", home_b / "src" / "webapp"), WEBAPP)
    write_memory(open_in_claude(home_a, webapp_a), WEBAPP_MEMORY)
    write_memory(open_in_claude(home_a, api_a), API_MEMORY)
    open_in_claude(home_b, webapp_b)
    a.init()
    a.run("folder", "add", "--preset", "claude-code")
    a.run("folder", "guard", CLAUDE, "off")  # so that the planted token reaches B, where it must stay hidden
    a.sync()
    b.join_from(a)
    b.sync()
    return World(a, b, webapp_a, webapp_b, api_a)


def server_parameters(laptop: Laptop, cwd: Path) -> StdioServerParameters:
    env = {"HOME": laptop.env["HOME"], "PYTHONPATH": str(REPO), "MEMTRAY_KDF_PROFILE": "test"}
    return StdioServerParameters(
        command=sys.executable, args=["-m", "memtray", "--home", str(laptop.home), "mcp"], env=env, cwd=cwd
    )


def call_tools(laptop: Laptop, cwd: Path, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """Start ``memtray mcp`` for ``laptop`` in ``cwd`` with the SDK's stdio client, make ``calls`` in order, and
    return each result: its structured content, or the plain sentence of a refused call (as a str)."""

    async def run() -> list[Any]:
        answers: list[Any] = []
        async with Client(server_parameters(laptop, cwd)) as client:
            for name, arguments in calls:
                result = await client.call_tool(name, arguments)
                if result.is_error:
                    text = " ".join(getattr(block, "text", "") for block in result.content)
                    prefix = f"Error executing tool {name}: "  # how the SDK reports a tool's refusal
                    assert text.startswith(prefix), text
                    answers.append(text[len(prefix) :])
                else:
                    answers.append(result.structured_content)
        return answers

    return anyio.run(run)


def tool_names(laptop: Laptop, cwd: Path) -> list[str]:
    async def run() -> list[str]:
        async with Client(server_parameters(laptop, cwd)) as client:
            return [tool.name for tool in (await client.list_tools()).tools]

    return anyio.run(run)


def activity(laptop: Laptop) -> list[tuple[str, str, str]]:
    with laptop.index() as db:
        return [tuple(row) for row in db.execute("SELECT kind, path, detail FROM activity ORDER BY id")]


def memtray_mcp(laptop: Laptop, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``memtray mcp`` started with nothing on its input: what it says before (or instead of) serving."""
    env = {**os.environ, "HOME": laptop.env["HOME"], "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "memtray", "--home", str(laptop.home), "mcp"],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_json(laptop: Laptop) -> dict[str, Any]:
    return dict(json.loads((laptop.home / "config" / "config.json").read_text())["settings"])
