"""``memtray mcp``'s one write: into the calling project's own memory on this laptop, then synced like any edit;
anything else refused, and every write recorded in Activity."""

from __future__ import annotations

from tests.ask.conftest import API_KEY, API_MEMORY, WEBAPP_KEY, WEBAPP_MEMORY, World, activity, call_tools, memory_name

AGENT_ACTIVITY = ("agent-wrote", f"projects/{WEBAPP_KEY}/memory/MEMORY.md", "written by an agent through memtray")


def test_a_write_lands_in_the_calling_projects_memory_and_reaches_the_other_laptop(world: World) -> None:
    a, b = world.a, world.b
    added, replaced = call_tools(
        b,
        world.webapp_b,
        [
            ("write_memory", {"text": "Use pnpm, not npm, in this repository."}),
            ("write_memory", {"text": "built with esbuild", "replace": "built with vite"}),
        ],
    )
    assert added["file"] == replaced["file"] == memory_name(WEBAPP_KEY)
    expected = (
        WEBAPP_MEMORY.replace("built with vite", "built with esbuild") + "Use pnpm, not npm, in this repository.\n"
    )
    assert world.memory_file(b, world.webapp_b).read_text(encoding="utf-8") == expected
    assert activity(b)[-2:] == [AGENT_ACTIVITY, AGENT_ACTIVITY]
    b.sync()
    a.sync()
    assert world.memory_file(a, world.webapp_a).read_text(encoding="utf-8") == expected
    (overview,) = call_tools(a, world.webapp_a, [("overview", {})])
    webapp = next(p for p in overview["projects"] if p["identity"] == "github.com/alice/webapp")
    assert webapp["laptops"] == ["Laptop-A", "Laptop-B"]


def test_a_new_memory_file_of_the_calling_project_is_allowed(world: World) -> None:
    name = f"Claude Code/projects/{WEBAPP_KEY}/memory/decisions.md"
    (written,) = call_tools(world.b, world.webapp_b, [("write_memory", {"text": "We chose SQLite.", "file": name})])
    assert written["file"] == name
    assert (world.memory_file(world.b, world.webapp_b).parent / "decisions.md").read_text() == "We chose SQLite.\n"


def test_a_write_aimed_outside_the_calling_project_is_refused(world: World) -> None:
    a, b = world.a, world.b
    own = f"Claude Code/projects/{WEBAPP_KEY}/memory/"
    targets = [
        memory_name(API_KEY),
        f"{own}../../{API_KEY}/memory/MEMORY.md",
        "Claude Code/CLAUDE.md",
        f"{own}notes.txt",
        f"{own}.hidden.md",
        str(world.memory_file(a, world.api_a)),
    ]
    before_b = world.memory_file(b, world.webapp_b).read_text()
    before_activity = activity(b)
    answers = call_tools(b, world.webapp_b, [("write_memory", {"text": "x", "file": name}) for name in targets])
    for name, answer in zip(targets, answers, strict=True):
        assert answer == (
            f"memtray lets an agent write only to its own project's memory (webapp: {own}), "
            f"so '{name}' was not changed."
        )
    # From api's own folder on laptop A, api is the calling project: webapp is now the one refused.
    (refused,) = call_tools(a, world.api_a, [("write_memory", {"text": "x", "file": memory_name(WEBAPP_KEY)})])
    assert refused.startswith("memtray lets an agent write only to its own project's memory (api: ")
    assert world.memory_file(b, world.webapp_b).read_text() == before_b
    assert world.memory_file(a, world.api_a).read_text() == API_MEMORY
    assert activity(b) == before_activity


def test_a_text_to_replace_must_be_there_once(world: World) -> None:
    before = world.memory_file(world.b, world.webapp_b).read_text()
    missing, twice = call_tools(
        world.b,
        world.webapp_b,
        [
            ("write_memory", {"text": "y", "replace": "not in the file"}),
            ("write_memory", {"text": "y", "replace": "release"}),
        ],
    )
    assert missing == f"The text to replace is not in {memory_name(WEBAPP_KEY)}, so nothing was changed."
    assert twice == (
        f"The text to replace appears 4 times in {memory_name(WEBAPP_KEY)}; give more of it, so it is found once."
    )
    assert world.memory_file(world.b, world.webapp_b).read_text() == before


def test_an_agent_outside_any_project_with_memory_here_writes_nothing(world: World) -> None:
    home_b = world.home(world.b)
    (refused,) = call_tools(world.b, home_b, [("write_memory", {"text": "x"})])
    assert refused.startswith("This project has no memory folder on this laptop yet, so memtray cannot write ")
