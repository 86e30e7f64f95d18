"""Starting ``memtray mcp``: the setting that turns it off, and the setup each agent is given, which really starts
a working server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

from tests.ask.conftest import World, memtray_mcp, settings_json
from tests.support.laptops import REPO

REFUSAL = (
    "memtray: Agents may not read your memory on this laptop: turn on 'Let agents read my memory' in memtray's "
    "settings (or run: memtray settings agents_read_memory on)."
)


def test_with_the_setting_off_the_server_refuses_to_start(world: World) -> None:
    b = world.b
    assert "agents_read_memory = True    # Let agents read my memory (memtray mcp)" in b.run("settings").stdout
    b.run("settings", "agents_read_memory", "off")
    try:
        assert settings_json(b)["agents_read_memory"] is False
        refused = memtray_mcp(b, world.webapp_b)
        assert (refused.returncode, refused.stdout, refused.stderr.strip()) == (2, "", REFUSAL)
    finally:
        b.run("settings", "agents_read_memory", "on")
    # On: the server starts and serves (it ends when its input closes, having said nothing on stderr).
    served = memtray_mcp(b, world.webapp_b)
    assert (served.returncode, served.stderr) == (0, "")


def test_a_laptop_that_is_not_set_up_is_told_so(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "memtray", "--home", str(tmp_path / "home"), "mcp"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "memtray is not set up on this laptop yet." in done.stderr


def printed(world: World, agent: str) -> str:
    return world.b.run("mcp", "--print-config", agent).stdout


def test_each_agent_gets_its_own_setup(world: World) -> None:
    home = str(world.b.home)
    claude = printed(world, "claude-code").splitlines()
    assert claude[1].startswith("claude mcp add --scope user memtray -- ")
    assert claude[1].endswith(f" -m memtray --home {home} mcp")
    codex = tomllib.loads(printed(world, "codex"))["mcp_servers"]["memtray"]
    assert codex["args"] == ["-m", "memtray", "--home", home, "mcp"]
    gemini = json.loads(printed(world, "gemini").split("\n", 1)[1])["mcpServers"]["memtray"]
    assert gemini == codex
    cursor = json.loads(printed(world, "cursor").split("\n", 1)[1])["mcpServers"]["memtray"]
    assert cursor == {**codex, "env": {"MEMTRAY_MCP_PROJECT": "${workspaceFolder}"}}
    unknown = world.b.run("mcp", "--print-config", "vim", check=False)
    assert unknown.returncode == 2 and "invalid choice: 'vim'" in unknown.stderr


def test_the_printed_setup_starts_a_server_for_the_project_the_agent_names(world: World) -> None:
    """Cursor's entry, as Cursor runs it (its ${workspaceFolder} filled in), from a folder that is no project."""
    cursor = json.loads(printed(world, "cursor").split("\n", 1)[1])["mcpServers"]["memtray"]
    env = {
        "HOME": world.b.env["HOME"],
        "PYTHONPATH": str(REPO),
        "MEMTRAY_MCP_PROJECT": str(world.webapp_b),
    }
    parameters = StdioServerParameters(command=cursor["command"], args=cursor["args"], env=env, cwd="/")

    async def overview() -> dict[str, object]:
        async with Client(parameters) as client:
            return dict((await client.call_tool("overview", {})).structured_content)

    calling = anyio.run(overview)["calling_project"]
    assert isinstance(calling, dict) and calling["identity"] == "github.com/alice/webapp"
