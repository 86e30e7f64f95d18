"""``memtray mcp``: the MCP server (stdio) an agent starts to read, search and add to this laptop's memory.

Built on the official MCP Python SDK (``mcp.server.mcpserver.MCPServer``). It opens this laptop's home as the
service does, never its hub: everything it answers comes from the index and the synced folders (tools.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from memtray import __version__
from memtray.ask.search_index import SearchIndex, search_file
from memtray.ask.tools import AskTools
from memtray.ask.vault_view import AskError, VaultView
from memtray.ask.writing import calling_project
from memtray.errors import MemtrayError, UsageError
from memtray.service.base import ServiceBase

log = logging.getLogger("memtray.ask")
SETTING = "agents_read_memory"
INSTRUCTIONS = (
    "memtray keeps your coding agents' memory files the same on all your laptops. These tools read and search "
    "that memory as this laptop holds it: every project, every agent, every laptop, including projects that are "
    "not on this laptop. Files are named '<folder>/<path>' as list_files shows them. The only write is "
    "write_memory, into the memory of the project you work in."
)
READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)


def check_allowed(service: ServiceBase) -> None:
    """Refuse to serve when the person turned agents' access off (or memtray is not set up)."""
    if not service.config.setting(SETTING):
        raise UsageError(
            "Agents may not read your memory on this laptop: turn on 'Let agents read my memory' in memtray's "
            "settings (or run: memtray settings agents_read_memory on)."
        )


def build_tools(service: ServiceBase, project_dir: Path) -> AskTools:
    view = VaultView(service)
    try:
        project = calling_project(project_dir)
    except AskError:
        project = None
    index_file = service.home.index_file
    service.index  # noqa: B018 (opened first: it is made if this laptop has none yet)
    return AskTools(view, SearchIndex(search_file(service.home.data_dir), index_file), project)


def build_server(tools: AskTools) -> MCPServer:
    server: MCPServer = MCPServer(
        name="memtray", title="memtray", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )

    def call(action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        try:
            return tools.run(action)
        except MemtrayError as exc:
            raise ToolError(exc.message) from None
        except Exception as exc:
            log.exception("an agent's request failed")
            raise ToolError(f"memtray could not do that ({type(exc).__name__}). Details are in its log.") from None

    def overview() -> dict[str, Any]:
        return call(tools.overview)

    def list_files(folder: str | None = None, project: str | None = None) -> dict[str, Any]:
        return call(lambda: tools.list_files(folder, project))

    def read_file(file: str, version: int | None = None) -> dict[str, Any]:
        return call(lambda: tools.read_file(file, version))

    def search(query: str, limit: int = 10) -> dict[str, Any]:
        return call(lambda: tools.search(query, limit))

    def history(file: str) -> dict[str, Any]:
        return call(lambda: tools.history(file))

    def write_memory(text: str, file: str | None = None, replace: str | None = None) -> dict[str, Any]:
        return call(lambda: tools.write_memory(text, file, replace))

    server.add_tool(
        overview,
        title="Overview of your synced memory",
        description="The synced folders, every project with memory (its agents, the laptops that wrote it, whether "
        "it is on this laptop) and the last change. Start here.",
        annotations=READ,
    )
    server.add_tool(
        list_files,
        title="List memory files",
        description="Every memory file memtray syncs, named '<folder>/<path>', with its project, agent, size and "
        "last change. Optionally only one folder (its name) or one project (its name or identity).",
        annotations=READ,
    )
    server.add_tool(
        read_file,
        title="Read a memory file",
        description="The text of one memory file named as list_files names it, also for a project that is not on "
        "this laptop. Give 'version' (from history) for an earlier text. Passwords and keys are hidden.",
        annotations=READ,
    )
    server.add_tool(
        search,
        title="Search all memory",
        description="Full-text search across every memory file of every project, agent and laptop. Returns the "
        "best matches first, each with its file, line number and the matching line.",
        annotations=READ,
    )
    server.add_tool(
        history,
        title="Version history of a file",
        description="The versions of a memory file this laptop keeps: when, by which laptop, its size; read one "
        "with read_file and its 'version'.",
        annotations=READ,
    )
    server.add_tool(
        write_memory,
        title="Add to this project's memory",
        description="Add 'text' at the end of the memory of the project you work in (its MEMORY.md, or another "
        ".md file in that memory folder given as 'file'), or, with 'replace', put 'text' in place of that exact "
        "text. Other files are refused. memtray then syncs it to your other laptops.",
        annotations=WRITE,
    )
    return server


def serve(service: ServiceBase, project_dir: Path) -> None:
    """Serve over stdio until the agent closes the connection."""
    check_allowed(service)
    logging.getLogger("mcp").setLevel(logging.WARNING)  # not a line per request in memtray's log
    tools = build_tools(service, project_dir)
    try:
        build_server(tools).run("stdio")
    finally:
        tools.search_index.close()
