"""``memtray mcp``: serve this laptop's synced memory to a coding agent over MCP (stdio); ``--print-config AGENT``
prints what each agent needs to start it (see memtray/ask/)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from memtray.cli.base import add_command

if TYPE_CHECKING:
    from memtray.cli.base import SubCommands

AGENT_CHOICES = ("claude-code", "codex", "gemini", "cursor")


def register(commands: SubCommands) -> None:
    mcp = add_command(
        commands,
        "mcp",
        cmd_mcp,
        "let a coding agent read and search your synced memory (an MCP server on stdin and stdout)",
    )
    mcp.add_argument(
        "--print-config",
        choices=AGENT_CHOICES,
        metavar="AGENT",
        help=f"print the setup AGENT needs to start memtray mcp ({', '.join(AGENT_CHOICES)})",
    )
    mcp.add_argument(
        "--project",
        metavar="DIR",
        help="the agent's project folder, where the agent does not start memtray in it (also MEMTRAY_MCP_PROJECT)",
    )


def project_folder(args: argparse.Namespace) -> Path:
    """The calling project's folder: --project, else MEMTRAY_MCP_PROJECT (when the agent filled it in), else here."""
    from memtray.ask.agent_config import PROJECT_VARIABLE

    chosen = args.project or os.environ.get(PROJECT_VARIABLE, "")
    if chosen and "${" not in chosen:
        return Path(chosen).expanduser()
    return Path.cwd()


def cmd_mcp(args: argparse.Namespace) -> int:
    if args.print_config:
        from memtray.ask.agent_config import agent_config

        print(agent_config(args.print_config, args.home), end="")
        return 0
    from memtray.ask.server import serve
    from memtray.service.base import ServiceBase

    service = ServiceBase(args.home_obj)
    try:
        serve(service, project_folder(args))
    finally:
        service.close()
    return 0
