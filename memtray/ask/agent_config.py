"""``memtray mcp --print-config AGENT``: the exact setup each agent needs to start ``memtray mcp``.

Each agent starts an MCP server as a command it runs itself, in the folder it works in; memtray takes that folder
as the calling project. Cursor starts servers elsewhere, so its snippet passes the workspace folder (Cursor
expands ``${workspaceFolder}``) in ``MEMTRAY_MCP_PROJECT``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from memtray.errors import UsageError

AGENTS = ("claude-code", "codex", "gemini", "cursor")
PROJECT_VARIABLE = "MEMTRAY_MCP_PROJECT"


def server_command(home: str | None) -> list[str]:
    """How this memtray is started from anywhere: its own program when it has one, else Python with ``-m``."""
    if getattr(sys, "frozen", False):
        command = [sys.executable]
    else:
        program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
        if program is not None and program.name.startswith("memtray") and program.is_file():
            command = [str(program.resolve())]
        else:
            command = [sys.executable, "-m", "memtray"]
    if home:
        command += ["--home", str(Path(home).expanduser().resolve())]
    return [*command, "mcp"]


def _quoted(part: str) -> str:
    if part and all(c.isalnum() or c in "-_./:=+@%" for c in part):
        return part
    if os.name == "nt":
        return '"' + part.replace('"', '\\"') + '"'
    return "'" + part.replace("'", "'\\''") + "'"


def _toml_string(text: str) -> str:
    return json.dumps(text)


def agent_config(agent: str, home: str | None = None) -> str:
    """What to run or paste so ``agent`` starts memtray's MCP server, with a line saying where it goes."""
    command = server_command(home)
    program, args = command[0], command[1:]
    entry: dict[str, object] = {"command": program, "args": args}
    if agent == "claude-code":
        return (
            "# Run once; Claude Code then starts memtray in each project you open (--scope user: every project):\n"
            f"claude mcp add --scope user memtray -- {' '.join(_quoted(part) for part in command)}\n"
        )
    if agent == "codex":
        listed = ", ".join(_toml_string(arg) for arg in args)
        return (
            "# Add to ~/.codex/config.toml:\n"
            f"[mcp_servers.memtray]\ncommand = {_toml_string(program)}\nargs = [{listed}]\n"
        )
    if agent == "gemini":
        text = json.dumps({"mcpServers": {"memtray": entry}}, indent=2)
        return f'# Add to ~/.gemini/settings.json (merge into its "mcpServers" if it has one):\n{text}\n'
    if agent == "cursor":
        entry["env"] = {PROJECT_VARIABLE: "${workspaceFolder}"}
        text = json.dumps({"mcpServers": {"memtray": entry}}, indent=2)
        return f'# Add to ~/.cursor/mcp.json (merge into its "mcpServers" if it has one):\n{text}\n'
    raise UsageError(f"memtray has no setup for '{agent}'. Choose one of: {', '.join(AGENTS)}.")
