"""``memtray mcp`` reads: the MCP SDK's stdio client drives a real ``python -m memtray mcp`` on laptop B, which has
webapp checked out and api parked (api's memory is only in B's index, sent by laptop A)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import anyio
from mcp import Client

from tests.ask.conftest import (
    API_KEY,
    API_MEMORY,
    PLANTED_TOKEN,
    WEBAPP_KEY,
    WEBAPP_MEMORY,
    World,
    call_tools,
    memory_name,
    server_parameters,
    tool_names,
)

HIDDEN = "[memtray hid this line: it holds a GitHub token]"


def test_the_server_offers_the_six_tools(world: World) -> None:
    assert sorted(tool_names(world.b, world.webapp_b)) == [
        "history",
        "list_files",
        "overview",
        "read_file",
        "search",
        "write_memory",
    ]


def test_overview_names_every_project_with_its_agent_laptops_and_where_it_is(world: World) -> None:
    (overview,) = call_tools(world.b, world.webapp_b, [("overview", {})])
    assert overview["this_laptop"] == "Laptop-B"
    assert overview["calling_project"]["identity"] == "github.com/alice/webapp"
    projects = {project["identity"]: project for project in overview["projects"]}
    assert set(projects) == {"github.com/alice/webapp", "github.com/alice/api"}
    api, webapp = projects["github.com/alice/api"], projects["github.com/alice/webapp"]
    assert (api["on_this_laptop"], webapp["on_this_laptop"]) == (False, True)
    assert (api["is_calling_project"], webapp["is_calling_project"]) == (False, True)
    assert api["agents"] == ["Claude Code"] and api["laptops"] == ["Laptop-A"] and api["memory_files"] == 1
    assert api["last_change"]["by"] == "Laptop-A"
    assert [folder["name"] for folder in overview["folders"]] == ["Claude Code"]
    assert overview["folders"][0]["files"] == 2


def test_list_and_read_include_the_memory_of_a_project_parked_on_this_laptop(world: World) -> None:
    listed, api, webapp = call_tools(
        world.b,
        world.webapp_b,
        [
            ("list_files", {}),
            ("read_file", {"file": memory_name(API_KEY)}),
            ("read_file", {"file": memory_name(WEBAPP_KEY)}),
        ],
    )
    files = {item["file"]: item for item in listed["files"]}
    assert set(files) == {memory_name(API_KEY), memory_name(WEBAPP_KEY)}
    assert files[memory_name(API_KEY)]["on_this_laptop"] is False
    assert files[memory_name(WEBAPP_KEY)]["on_this_laptop"] is True
    assert files[memory_name(API_KEY)]["project"] == "github.com/alice/api"
    assert api["on_this_laptop"] is False
    assert api["text"] == API_MEMORY.replace(f"Token for the CI bot: {PLANTED_TOKEN}", HIDDEN)
    assert webapp["text"] == WEBAPP_MEMORY
    (only_api,) = call_tools(world.b, world.webapp_b, [("list_files", {"project": "api"})])
    assert [item["file"] for item in only_api["files"]] == [memory_name(API_KEY)]


def test_a_planted_secret_is_neither_shown_nor_found(world: World) -> None:
    by_word, by_secret = call_tools(
        world.b,
        world.webapp_b,
        [("search", {"query": "CI bot token"}), ("search", {"query": PLANTED_TOKEN})],
    )
    assert by_secret["results"] == []
    assert [(hit["file"], hit["line"], hit["snippet"]) for hit in by_word["results"]] == [
        (memory_name(API_KEY), 4, HIDDEN)
    ]


def test_search_ranks_by_relevance_and_gives_file_line_and_snippet(world: World) -> None:
    release, deploy, both, either = call_tools(
        world.b,
        world.webapp_b,
        [
            ("search", {"query": "release"}),
            ("search", {"query": "deploy"}),
            ("search", {"query": "release notes"}),
            ("search", {"query": "postgresql vite"}),
        ],
    )

    def found(answer: dict[str, Any]) -> list[tuple[str, int, str]]:
        return [(hit["file"], hit["line"], hit["snippet"]) for hit in answer["results"]]

    # webapp says "release" four times, api once: webapp first, though api comes first by name.
    assert found(release) == [
        (memory_name(WEBAPP_KEY), 4, "Each release: run the release script, write the release notes, tag the release."),
        (memory_name(API_KEY), 5, "Release notes are kept in the wiki."),
    ]
    assert found(deploy) == [
        (
            memory_name(API_KEY),
            3,
            "Deploy the api: deploy to staging, then deploy to production; every deploy is tagged.",
        )
    ]
    assert [hit["file"] for hit in both["results"]] == [memory_name(WEBAPP_KEY), memory_name(API_KEY)]
    # No file has both words: the files with either are found, each at its line.
    assert sorted((hit["file"], hit["line"]) for hit in either["results"]) == [
        (memory_name(API_KEY), 2),
        (memory_name(WEBAPP_KEY), 3),
    ]


def test_names_outside_the_vault_are_refused(world: World) -> None:
    outside = [
        "../../../etc/passwd",
        str(world.memory_file(world.b, world.webapp_b)),
        "Claude Code/../../.ssh/id_ed25519",
        "Claude Code/projects/../../.claude.json",
        "Claude Code/.credentials.json",
    ]
    answers = call_tools(world.b, world.webapp_b, [("read_file", {"file": name}) for name in outside])
    for name, answer in zip(outside, answers, strict=True):
        assert answer == f"There is no memory file called '{name}'. The list_files tool lists them."


def test_every_read_is_answered_with_the_storage_out_of_reach(world: World) -> None:
    """Reads come from this laptop's index and folders only: with the storage folder gone, all still answer."""
    storage = Path(urlparse(world.b.hub.url).path)
    away = storage.with_name("storage-out-of-reach")
    storage.rename(away)
    try:
        answers = call_tools(
            world.b,
            world.webapp_b,
            [
                ("overview", {}),
                ("list_files", {}),
                ("read_file", {"file": memory_name(API_KEY)}),
                ("search", {"query": "postgresql"}),
                ("history", {"file": memory_name(API_KEY)}),
            ],
        )
    finally:
        away.rename(storage)
    overview, listed, read, found, history = answers
    assert all(isinstance(answer, dict) for answer in answers), answers
    assert len(overview["projects"]) == 2 and len(listed["files"]) == 2
    assert read["text"].startswith("# api\n") and found["results"][0]["line"] == 2
    assert len(history["versions"]) == 1


def test_a_change_that_syncs_while_the_server_runs_is_searchable_and_in_the_history(world: World) -> None:
    """A edits webapp's memory; B's running server finds the new text once B has synced, and lists both versions."""
    a, b = world.a, world.b
    webapp = memory_name(WEBAPP_KEY)
    changed = WEBAPP_MEMORY.replace("built with vite", "built with esbuild")

    async def run() -> tuple[list[Any], ...]:
        async with Client(server_parameters(b, world.webapp_b)) as client:

            async def search(query: str) -> list[Any]:
                answer = await client.call_tool("search", {"query": query})
                return [(hit["file"], hit["line"]) for hit in answer.structured_content["results"]]

            before = await search("esbuild")
            world.memory_file(a, world.webapp_a).write_text(changed, encoding="utf-8")
            await anyio.to_thread.run_sync(a.sync)
            await anyio.to_thread.run_sync(b.sync)
            after, old = await search("esbuild"), await search("vite")
            history = (await client.call_tool("history", {"file": webapp})).structured_content["versions"]
            earlier = await client.call_tool("read_file", {"file": webapp, "version": history[-1]["version"]})
            current = await client.call_tool("read_file", {"file": webapp})
            return before, after, old, history, [earlier.structured_content, current.structured_content]

    before, after, old, history, (earlier, current) = anyio.run(run)
    assert before == [] and old == []
    assert after == [(webapp, 3)]
    assert [(v["by"], v["current"]) for v in history] == [("Laptop-A", True), ("Laptop-A", False)]
    assert history[0]["version"] > history[1]["version"]
    assert earlier["text"] == WEBAPP_MEMORY and current["text"] == changed
    # A version of another file is never read under this file's name.
    other = history[-1]["version"]
    (refused,) = call_tools(b, world.webapp_b, [("read_file", {"file": memory_name(API_KEY), "version": other})])
    assert refused == f"{memory_name(API_KEY)} has no version {other}. The history tool lists its versions."


def test_a_file_deleted_on_another_laptop_leaves_the_search(world: World) -> None:
    """Run last: A deletes api's memory; once B has synced, B's search index drops it."""
    (before,) = call_tools(world.b, world.webapp_b, [("search", {"query": "postgresql"})])
    assert [hit["file"] for hit in before["results"]] == [memory_name(API_KEY)]
    world.memory_file(world.a, world.api_a).unlink()
    world.a.sync()
    world.b.sync()
    found, listed = call_tools(world.b, world.webapp_b, [("search", {"query": "postgresql"}), ("list_files", {})])
    assert found["results"] == []
    assert [item["file"] for item in listed["files"]] == [memory_name(WEBAPP_KEY)]
