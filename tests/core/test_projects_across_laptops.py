"""A project's memory follows it to every laptop, whatever path the project has there (issue 11, part 1).

Two laptops with different home folders, one shaped like ``/Users/alice`` and one like ``/home/alice.smith``,
each a real ``memtray`` process with its own ``HOME``; real git repositories cloned from bare repositories on
disk; Claude Code project folders with transcripts that record ``cwd`` as Claude Code writes them. Both laptops
share this machine's disk, so while one runs, the other's disk is moved out of sight: no laptop can see (and
identify a project by) a path that only exists on another one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from memtray.paths import resolve_home
from memtray.projects.claude_names import claude_dir_name, sanitised
from memtray.service import Service
from tests.servers import folder_endpoint
from tests.support.claude_home import (
    bare_remote,
    clone,
    hosted_as,
    open_in_claude,
    projects_dir,
    repository_without_remote,
    worktree,
    write_memory,
)
from tests.support.laptops import Laptop
from tests.support.separate_laptops import TwoLaptopWorld, out_of_sight, two_separate_laptops

SSH = "git@github.com:Alice/WebApp.git"
HTTPS = "https://github.com/alice/webapp"
API = "git@github.com:alice/api.git"


class World(TwoLaptopWorld):
    @property
    def remotes(self) -> Path:
        return self.root / "remotes"

    def remote(self, owner: str, name: str) -> Path:
        """The bare repository standing in for github.com/<owner>/<name>, made on first use."""
        bare = self.remotes / owner / f"{name}.git"
        return bare if bare.exists() else bare_remote(self.remotes / owner, name)


def user_home(laptop: Laptop) -> Path:
    return Path(laptop.env["HOME"])


def memory_of(laptop: Laptop, project: Path, name: str = "MEMORY.md") -> Path:
    folder = claude_dir_name(str(project))
    assert folder is not None
    return projects_dir(user_home(laptop)) / folder / "memory" / name


def projects(laptop: Laptop) -> dict[str, dict[str, object]]:
    """``memtray projects --json`` by project name and identity."""
    listed = json.loads(laptop.run("projects", "--json").stdout)
    return {f"{item['name']} {item['identity']}": item for item in listed}


def memory_files(laptop: Laptop) -> dict[str, str]:
    """Every memory file under the laptop's ~/.claude/projects, by path below it."""
    root = projects_dir(user_home(laptop))
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.glob("*/memory/**/*"))
        if path.is_file()
    }


@pytest.fixture
def world(tmp_path: Path) -> World:
    hub = folder_endpoint(tmp_path / "hub")
    return World(tmp_path, hub, *two_separate_laptops(tmp_path, hub))


def start_vault(world: World) -> None:
    """A starts a vault with its Claude Code folder; B joins (its Claude Code folder is placed by itself)."""
    a, b = world.a, world.b
    a.init()
    a.run("folder", "add", "--preset", "claude-code")
    a.sync()
    b.join_from(a)
    b.sync()


def test_memory_follows_each_project_into_the_other_laptops_own_folder(world: World) -> None:
    a, b = world.a, world.b
    home_a, home_b = user_home(a), user_home(b)
    # webapp: the same repository at another path, cloned over SSH on one laptop and HTTPS on the other.
    webapp_a = hosted_as(clone(world.remote("alice", "webapp"), home_a / "code" / "webapp"), SSH)
    webapp_b = hosted_as(clone(world.remote("alice", "webapp"), home_b / "src" / "work" / "webapp"), HTTPS)
    # shop: on B only a linked worktree was opened in Claude Code; Claude keeps its memory with the main checkout.
    shop_a = clone(world.remote("alice", "shop"), home_a / "code" / "shop")
    shop_b = clone(world.remote("alice", "shop"), home_b / "code" / "shop")
    shop_feature = worktree(shop_b, home_b / "code" / "shop-feature", "feature")
    # longname: on B its path is so long that Claude's folder name carries a hash suffix.
    long_a = clone(world.remote("alice", "longname"), home_a / "code" / "longname")
    deep = home_b / ("a-folder-with-a-rather-long-name-" * 2) / ("and-another-one-below-it-" * 2)
    long_b = clone(world.remote("alice", "longname"), deep / "longname")
    assert claude_dir_name(str(long_b)) is None, "the path must be too long for Claude's plain rule"
    hashed = sanitised(str(long_b))[:200] + "-1k9zq3"
    # api: two repositories with the same name and different remotes; B has only alice's.
    api_a = clone(world.remote("alice", "api"), home_a / "code" / "api")
    fork_a = clone(world.remote("bob", "api"), home_a / "forks" / "api")
    api_b = clone(world.remote("alice", "api"), home_b / "api")
    # notes: a repository without a remote, at the same place in both home folders.
    notes_a = repository_without_remote(home_a / "code" / "notes")
    notes_b = repository_without_remote(home_b / "code" / "notes")

    for project, text in {
        webapp_a: "- use pnpm\n- run the tests with -q\n",
        shop_a: "- prices are in cents\n",
        long_a: "- the long one\n",
        api_a: "- alice's api: REST\n",
        fork_a: "- bob's fork: GraphQL\n",
        notes_a: "- notes are plain text\n",
    }.items():
        write_memory(open_in_claude(home_a, project), text)
    for project in (webapp_b, shop_feature, api_b, notes_b):
        open_in_claude(home_b, project)
    open_in_claude(home_b, long_b, folder_name=hashed)

    start_vault(world)
    b.sync()

    assert memory_of(b, webapp_b).read_text() == "- use pnpm\n- run the tests with -q\n"
    assert memory_of(b, shop_b).read_text() == "- prices are in cents\n", "a worktree's memory is the main checkout's"
    assert not (projects_dir(home_b) / claude_dir_name(str(shop_feature)) / "memory").exists()  # type: ignore[operator]
    assert (projects_dir(home_b) / hashed / "memory" / "MEMORY.md").read_text() == "- the long one\n"
    assert memory_of(b, api_b).read_text() == "- alice's api: REST\n", "bob's fork never mixes in"
    assert memory_of(b, notes_b).read_text() == "- notes are plain text\n"
    assert not any(name.startswith(sanitised(str(home_a))) for name in memory_files(b)), "no folder of A's paths"
    assert len(memory_files(b)) == 5

    listed = projects(b)
    fork = next(item for item in listed.values() if str(item["remote"]).endswith("bob/api"))
    assert fork["state"] == "waiting"
    assert "api's memory waits until you open the project here" in str(fork["detail"])
    webapp = next(item for item in listed.values() if item["name"] == "webapp")
    assert webapp["state"] == "placed" and webapp["local_path"] == str(webapp_b)
    assert webapp["identity"] == webapp["remote"] == "github.com/alice/webapp", "SSH and HTTPS name one repository"

    with memory_of(b, webapp_b).open("a") as memory:
        memory.write("- deploy from main only\n")
    b.sync()
    a.sync()
    assert memory_of(a, webapp_a).read_text() == "- use pnpm\n- run the tests with -q\n- deploy from main only\n"
    with b.index() as db:
        vault_paths = [row[0] for row in db.execute("SELECT path FROM files WHERE path LIKE 'projects/%'")]
    assert vault_paths and all("=" in path.split("/")[1] for path in vault_paths), vault_paths


def test_a_project_cloned_later_waits_then_gets_its_memory(world: World) -> None:
    a, b = world.a, world.b
    home_a, home_b = user_home(a), user_home(b)
    webapp_a = clone(world.remote("alice", "webapp"), home_a / "code" / "webapp")
    write_memory(open_in_claude(home_a, webapp_a), "- use pnpm\n")
    start_vault(world)
    b.sync()

    webapp = next(item for item in projects(b).values() if item["name"] == "webapp")
    assert webapp["state"] == "waiting" and webapp["local_path"] is None
    assert webapp["detail"].startswith("webapp's memory waits until you open the project here")  # type: ignore[union-attr]
    assert memory_files(b) == {}, "parked memory is written nowhere"
    assert "skipped" not in b.run("sync").stderr, "a parked file is no problem"

    webapp_b = clone(world.remote("alice", "webapp"), home_b / "dev" / "webapp")
    b.sync()
    assert memory_files(b) == {}, "a sync searches the home folder at most every few minutes, not every time"
    webapp = next(item for item in projects(b).values() if item["name"] == "webapp")
    assert webapp["state"] == "placed" and webapp["local_path"] == str(webapp_b)
    b.sync()
    assert memory_of(b, webapp_b).read_text() == "- use pnpm\n", "Claude's own folder name for the new clone"

    with memory_of(b, webapp_b).open("a") as memory:
        memory.write("- from B\n")
    b.sync()
    a.sync()
    assert memory_of(a, webapp_a).read_text() == "- use pnpm\n- from B\n"


def test_bad_input_is_told_plainly_and_nothing_is_lost_or_merged(world: World) -> None:
    a, b = world.a, world.b
    home_a, home_b = user_home(a), user_home(b)
    webapp_a = hosted_as(clone(world.remote("alice", "webapp"), home_a / "code" / "webapp"), SSH)
    write_memory(open_in_claude(home_a, webapp_a, garbage=True), "- survives garbage\n")
    no_cwd = projects_dir(home_a) / "-Users-alice-scratch"
    (no_cwd / "memory").mkdir(parents=True)
    (no_cwd / "session.jsonl").write_text('{"type":"summary","summary":"x"}\nnot json at all\n', encoding="utf-8")
    write_memory(no_cwd, "- scratch notes\n")
    api_one = hosted_as(clone(world.remote("alice", "api"), home_a / "code" / "api"), API)
    api_two = hosted_as(clone(world.remote("alice", "api"), home_a / "code" / "api-copy"), API)
    write_memory(open_in_claude(home_a, api_one), "- first clone\n")
    write_memory(open_in_claude(home_a, api_two), "- second clone\n")
    webapp_b = hosted_as(clone(world.remote("alice", "webapp"), home_b / "webapp"), HTTPS)
    api_b = hosted_as(clone(world.remote("alice", "api"), home_b / "api"), API)
    open_in_claude(home_b, webapp_b)
    open_in_claude(home_b, api_b)
    start_vault(world)
    b.sync()

    assert memory_of(b, webapp_b).read_text() == "- survives garbage\n", "garbage lines do not hide the cwd"
    assert not memory_of(b, api_b).exists(), "two clones of one repository on A are never merged into one"
    listed = projects(a)
    api = listed["api github.com/alice/api"]
    assert api["state"] == "ambiguous"
    assert str(api["detail"]).startswith("Two folders on this laptop belong to github.com/alice/api: choose one")
    scratch = listed["-Users-alice-scratch -Users-alice-scratch"]
    assert "No Claude Code transcript says which folder this is" in str(scratch["detail"])
    assert memory_of(a, api_one).read_text() == "- first clone\n"
    assert memory_of(a, api_two).read_text() == "- second clone\n"

    linked = a.run("projects", "link", str(api["project_id"]), str(api_one))
    assert "Linked api" in linked.stdout
    refused = a.run("projects", "link", "webapp", str(api_two), check=False)
    assert refused.returncode == 2
    assert "is the repository github.com/alice/api, not github.com/alice/webapp" in refused.stderr
    a.sync()
    b.sync()
    assert memory_of(b, api_b).read_text() == "- first clone\n", "the linked clone is the project"
    assert memory_of(a, api_two).read_text() == "- second clone\n", "the other clone keeps its own memory"

    shutil.rmtree(webapp_a)
    quiet = a.sync()
    assert "sent" not in quiet, "a repository that vanished is no reason to delete its memory anywhere"
    b.sync()
    assert memory_of(b, webapp_b).read_text() == "- survives garbage\n"
    assert memory_of(a, webapp_a).read_text() == "- survives garbage\n"
    webapp = projects(a)["webapp github.com/alice/webapp"]
    assert webapp["state"] == "placed"
    assert f"The folder {webapp_a} is no longer on this laptop." in str(webapp["detail"])


def test_an_old_style_vault_moves_to_project_identities_without_a_mass_delete(world: World) -> None:
    """Before projects were matched, memory was kept under each laptop's own Claude folder name, and every laptop
    got every other laptop's folders too. Such a vault is exactly what syncing folders nothing identifies makes:
    memory only, no transcripts. Once the projects can be identified, each laptop moves its own memory to the
    project's identity: its old paths are moves, not a mass delete, and nothing is lost or left twice."""
    a, b = world.a, world.b
    home_a, home_b = user_home(a), user_home(b)
    webapp_a, webapp_b = home_a / "code" / "webapp", home_b / "work" / "webapp"
    folder_a, folder_b = (
        projects_dir(home_a) / str(claude_dir_name(str(webapp_a))),
        projects_dir(home_b) / str(claude_dir_name(str(webapp_b))),
    )
    mine_a = {f"a{i}.md": f"- A's note {i}\n" for i in range(4)}
    for name, text in mine_a.items():
        write_memory(folder_a, text, name)
    write_memory(folder_b, "- B's note\n", "b.md")
    start_vault(world)
    b.sync()
    a.sync()
    old_style = {f"{folder_a.name}/memory/{name}": text for name, text in mine_a.items()}
    old_style[f"{folder_b.name}/memory/b.md"] = "- B's note\n"
    assert memory_files(a) == memory_files(b) == old_style, "the vault is made the old way"

    for checkout, home in ((webapp_a, home_a), (webapp_b, home_b)):
        hosted_as(clone(world.remote("alice", "webapp"), checkout), HTTPS)
        open_in_claude(home, checkout)
    moved = a.run("sync")
    assert "Synced: " in moved.stdout and moved.returncode == 0, "4 of 5 paths going is a move, not a question"
    b.sync()
    a.sync()

    everything = {**{f"a{i}.md": f"- A's note {i}\n" for i in range(4)}, "b.md": "- B's note\n"}
    for laptop, checkout in ((a, webapp_a), (b, webapp_b)):
        own = claude_dir_name(str(checkout))
        assert memory_files(laptop) == {f"{own}/memory/{name}": text for name, text in everything.items()}, (
            f"{laptop.name} keeps every note once, in its own folder for the project, and no other laptop's folder"
        )
    with a.index() as db:
        live = [row[0] for row in db.execute("SELECT path FROM files WHERE deleted = 0 AND path LIKE 'projects/%'")]
    assert sorted(live) == sorted(f"projects/git=github.com+alice+webapp/memory/{name}" for name in everything)


def folders_here(laptop: Laptop) -> dict[str, str | None]:
    return {item["name"]: item["path"] for item in json.loads(laptop.run("folder", "list", "--json").stdout)}


def test_preset_folders_from_the_command_line_and_on_a_joining_laptop(world: World) -> None:
    a, b = world.a, world.b
    home_a, home_b = user_home(a), user_home(b)
    (home_a / ".codex").mkdir()
    (home_a / ".codex" / "AGENTS.md").write_text("# Codex rules\n", encoding="utf-8")
    (home_a / ".codex" / "auth.json").write_text('{"token": "never synced"}', encoding="utf-8")
    elsewhere = world.root / "A" / "gemini-elsewhere"
    a.init()
    added = a.run("folder", "add", "--preset", "codex")
    assert f"Codex: {home_a / '.codex'}" in added.stdout
    a.run("folder", "add", "--preset", "gemini-cli", str(elsewhere))
    a.run("folder", "add", "--preset", "claude-code")
    a.run("folder", "add", "my windsurf", str(home_a / ".codeium" / "windsurf" / "memories"))
    assert folders_here(a) == {
        "Claude Code": str(home_a / ".claude"),
        "Codex": str(home_a / ".codex"),
        "Gemini CLI": str(elsewhere),
        "my windsurf": str(home_a / ".codeium" / "windsurf" / "memories"),
    }
    again = a.run("folder", "add", "--preset", "codex", check=False)
    assert again.returncode == 2 and f"'Codex' is already synced on this laptop, at {home_a / '.codex'}" in again.stderr
    unknown = a.run("folder", "add", "--preset", "cursor", check=False)
    assert unknown.returncode == 2 and "invalid choice: 'cursor'" in unknown.stderr
    with_globs = a.run("folder", "add", "--preset", "codex", "--include", "*.json", check=False)
    assert with_globs.returncode == 2 and "the preset says which files to sync" in with_globs.stderr
    a.sync()

    b.join_from(a)
    assert folders_here(b) == {
        "Claude Code": str(home_b / ".claude"),
        "Codex": str(home_b / ".codex"),
        "Gemini CLI": str(home_b / ".gemini"),
        "my windsurf": str(home_b / ".codeium" / "windsurf" / "memories"),
    }, "a joining laptop places each preset folder at its own preset place, without 'folder map'"
    with b.index() as db:
        tags = {name: json.loads(tags) for name, tags in db.execute("SELECT name, tags FROM folders")}
    assert tags == {
        "Claude Code": {"preset": "claude-code"},
        "Codex": {"preset": "codex"},
        "Gemini CLI": {"preset": "gemini-cli"},
        "my windsurf": {"preset": "windsurf"},
    }, "a folder added at an AI tool's place is that tool's folder, under any name"
    b.sync()
    assert (home_b / ".codex" / "AGENTS.md").read_text() == "# Codex rules\n"
    assert not (home_b / ".codex" / "auth.json").exists()


def test_a_project_folder_finds_its_place_on_another_laptop_by_itself(world: World) -> None:
    a, b = world.a, world.b
    home_a, home_b = user_home(a), user_home(b)
    webapp_a = hosted_as(clone(world.remote("alice", "webapp"), home_a / "code" / "webapp"), SSH)
    (webapp_a / "CLAUDE.md").write_text("# webapp\nUse pnpm.\n", encoding="utf-8")
    (webapp_a / ".github").mkdir()
    (webapp_a / ".github" / "copilot-instructions.md").write_text("Prefer small PRs.\n", encoding="utf-8")
    docs_a = hosted_as(clone(world.remote("alice", "docs"), home_a / "docs"), "git@github.com:alice/docs.git")
    (docs_a / "AGENTS.md").write_text("Write short sentences.\n", encoding="utf-8")
    webapp_b = hosted_as(clone(world.remote("alice", "webapp"), home_b / "projects" / "webapp"), HTTPS)
    rules = ["--include", "/CLAUDE.md", "--include", "/AGENTS.md", "--include", ".github/copilot-instructions.md"]
    a.init()
    a.run("folder", "add", "Project webapp", str(webapp_a), *rules)
    a.run("folder", "add", "Project docs", str(docs_a), *rules)
    a.sync()

    b.join_from(a)
    assert folders_here(b) == {"Project webapp": str(webapp_b), "Project docs": None}
    b.sync()
    assert (webapp_b / "CLAUDE.md").read_text() == "# webapp\nUse pnpm.\n"
    assert (webapp_b / ".github" / "copilot-instructions.md").read_text() == "Prefer small PRs.\n"
    docs = projects(b)["docs github.com/alice/docs"]
    assert docs["state"] == "waiting" and "'Project docs' waits until docs is on this laptop" in str(docs["detail"])

    docs_b = hosted_as(
        clone(world.remote("alice", "docs"), home_b / "writing" / "docs"), "https://github.com/alice/docs"
    )
    assert projects(b)["docs github.com/alice/docs"]["state"] == "placed"
    b.sync()
    assert (docs_b / "AGENTS.md").read_text() == "Write short sentences.\n", "placed and filled in one sync"
    with b.index() as db:
        placed = [row[0] for row in db.execute("SELECT detail FROM activity WHERE kind = 'placed'")]
    assert f"github.com/alice/docs is at {docs_b} on this laptop" in placed

    shop_a = hosted_as(clone(world.remote("alice", "shop"), home_a / "shop"), "git@github.com:alice/shop.git")
    shop_b = hosted_as(clone(world.remote("alice", "shop"), home_b / "shop"), "https://github.com/alice/shop")
    (shop_a / "GEMINI.md").write_text("Prices are in cents.\n", encoding="utf-8")
    a.run("folder", "add", "Project shop", str(shop_a), "--include", "/GEMINI.md")
    a.sync()
    b.sync()
    assert (shop_b / "GEMINI.md").read_text() == "Prices are in cents.\n", "its folder arrived, was placed, filled"


def test_conflicts_and_earlier_versions_are_read_and_written_in_this_laptops_own_folder(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = world.a, world.b
    home_a, home_b = user_home(a), user_home(b)
    webapp_a = hosted_as(clone(world.remote("alice", "webapp"), home_a / "code" / "webapp"), SSH)
    webapp_b = hosted_as(clone(world.remote("alice", "webapp"), home_b / "webapp"), HTTPS)
    write_memory(open_in_claude(home_a, webapp_a), "- one\n")
    open_in_claude(home_b, webapp_b)
    start_vault(world)
    b.sync()
    memory_of(a, webapp_a).write_text("- one, said A\n", encoding="utf-8")
    memory_of(b, webapp_b).write_text("- one, said B\n", encoding="utf-8")
    a.sync()
    b.sync()

    monkeypatch.setenv("HOME", str(home_b))
    path = "projects/git=github.com+alice+webapp/memory/MEMORY.md"
    with out_of_sight([a.disk]):
        service = Service(resolve_home(b.home))
        try:
            conflict = next(c for c in service.conflicts() if c.path == path and not c.resolved)
            texts = service.conflict_texts(conflict.conflict_id)
            assert texts.kept == memory_of(b, webapp_b).read_text(), "the view shows the file in B's own folder"
            assert {texts.kept, texts.other} == {"- one, said A\n", "- one, said B\n"}
            first = min(service.history.versions("Claude Code", path), key=lambda version: version.version_id)
            service.resolve_conflict(conflict.conflict_id, "kept")
            service.history.restore_version(first.version_id)
        finally:
            service.close()
    assert memory_of(b, webapp_b).read_text() == "- one\n", "restored in B's own folder for the project"
    b.sync()
    a.sync()
    assert memory_of(a, webapp_a).read_text() == "- one\n"
