"""The parts that carry project identity through sync, each on its own: the scan's path translation, folder
definitions old laptops can read, the index's in-place migration, and two syncs reported as one."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from memtray.model import ConflictInfo, FileNotice, FileProblem, SyncResult
from memtray.projects.identity import ProjectIdentity
from memtray.service.projects import is_claude_folder
from memtray.service.syncing import _both
from memtray.sync.cycle import disk_path_in
from memtray.sync.globs import GlobFilter
from memtray.sync.index import Index
from memtray.sync.records import DiskStamp, FileRow, FileVersion, FolderDef
from memtray.sync.scan import ScanResult, scan_folder

# The folders table as every index made before projects were matched by identity has it.
OLD_FOLDERS_TABLE = """
CREATE TABLE folders (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, include TEXT NOT NULL, exclude TEXT NOT NULL,
    removed INTEGER NOT NULL, stamp_time REAL NOT NULL, stamp_device TEXT NOT NULL, pending INTEGER NOT NULL
);
INSERT INTO folders VALUES ('f1', 'Claude Code', '["/CLAUDE.md"]', '[]', 0, 1.5, 'dev', 0);
"""


class RenamingMap:
    """Disk folder ``here-*`` is vault folder ``vault-*``; ``gone-*`` has no place on this laptop."""

    def to_vault(self, disk_relative: str) -> str | None:
        head, _, rest = disk_relative.partition("/")
        if head.startswith("twin"):
            return f"vault-x/{rest}"
        return f"vault-{head.removeprefix('here-')}/{rest}" if head.startswith("here-") else disk_relative

    def to_disk(self, vault_relative: str) -> str | None:
        head, _, rest = vault_relative.partition("/")
        if head.startswith("gone-"):
            return None
        return f"here-{head.removeprefix('vault-')}/{rest}" if head.startswith("vault-") else vault_relative

    def parked(self) -> list[ProjectIdentity]:
        return []


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def known_row(path: str, text: str) -> FileRow:
    sha = hashlib.sha256(text.encode()).hexdigest()
    version = FileVersion("f", path, {"me": 1}, False, sha, len(text), 1.0, "me")
    return FileRow(version, DiskStamp(sha, len(text), 1, 1, {"me": 1}))


def scan(root: Path, rows: dict[str, FileRow]) -> ScanResult:
    return scan_folder(
        root, "f", GlobFilter([], []), rows, "me", lambda path, sha: None, hash_after_ns=0, paths=RenamingMap()
    )


def test_the_scan_reads_disk_paths_and_reports_vault_paths(tmp_path: Path) -> None:
    write(tmp_path, "here-a/memory.md", "a\n")
    write(tmp_path, "plain.md", "p\n")
    result = scan(tmp_path, {})
    assert sorted(edit.version.path for edit in result.edits) == ["plain.md", "vault-a/memory.md"]
    assert [edit.data for edit in result.edits if edit.version.path == "vault-a/memory.md"] == [b"a\n"]


def test_a_parked_file_is_never_a_deletion_and_a_moved_one_is_counted_apart(tmp_path: Path) -> None:
    write(tmp_path, "here-new/m.md", "moved\n")
    rows = {
        "gone-away/m.md": known_row("gone-away/m.md", "parked\n"),
        "here-new/m.md": known_row("here-new/m.md", "moved\n"),
        "vault-lost/m.md": known_row("vault-lost/m.md", "lost\n"),
    }
    result = scan(tmp_path, rows)
    deleted = sorted(edit.version.path for edit in result.edits if edit.version.deleted)
    assert deleted == ["here-new/m.md", "vault-lost/m.md"], "the parked file stays; the others went"
    assert result.moved == 1, "here-new/m.md is still on disk, synced as vault-new/m.md now"


def test_two_disk_files_claiming_one_vault_path_are_a_problem_not_a_merge(tmp_path: Path) -> None:
    write(tmp_path, "twin-1/m.md", "one\n")
    write(tmp_path, "twin-2/m.md", "two\n")
    result = scan(tmp_path, {})
    assert [(edit.version.path, edit.data) for edit in result.edits] == [("vault-x/m.md", b"one\n")]
    assert "belongs to the same project as twin-1/m.md" in result.problems["twin-2/m.md"]


def test_a_file_is_written_only_where_its_vault_path_leads_back_to_it() -> None:
    paths = RenamingMap()
    assert disk_path_in(paths, "vault-a/m.md") == "here-a/m.md"
    assert disk_path_in(paths, "gone-a/m.md") is None, "parked: its project is not on this laptop"
    assert disk_path_in(paths, "twin-1/m.md") is None, "that place is vault-x/m.md's, never overwritten for another"


def test_folder_definitions_stay_readable_for_laptops_that_know_no_presets_or_projects() -> None:
    plain = FolderDef("f1", "notes", ["*.md"], [], False, (1.0, "dev"))
    assert set(plain.to_json()) == {"id", "name", "include", "exclude", "removed", "stamp"}
    tagged = FolderDef("f2", "Claude Code", [], [], False, (2.0, "dev"), preset="claude-code", project="")
    assert tagged.to_json()["preset"] == "claude-code" and "project" not in tagged.to_json()
    assert FolderDef.from_json(json.loads(json.dumps(tagged.to_json()))) == tagged
    assert FolderDef.from_json(plain.to_json()) == plain


def test_an_index_from_before_gains_the_folder_tags_in_place(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_FOLDERS_TABLE)
    index = Index(path)
    try:
        old = index.folder_defs()["f1"]
        assert (old.name, old.include, old.preset, old.project) == ("Claude Code", ["/CLAUDE.md"], "", "")
        assert is_claude_folder(old), "a vault made before presets had ids finds its Claude Code folder by name"
        index.put_folder_def(FolderDef("f2", "Project api", [], [], False, (2.0, "dev"), project="git=x+y"), False)
        assert index.folder_defs()["f2"].project == "git=x+y"
    finally:
        index.close()
    assert Index(path).folder_defs()["f2"].project == "git=x+y", "a second open does not migrate again"


def test_the_claude_folder_is_known_by_its_preset_first() -> None:
    assert is_claude_folder(FolderDef("f", "my agent memory", preset="claude-code"))
    assert not is_claude_folder(FolderDef("f", "Claude Code", preset="codex"))
    assert not is_claude_folder(FolderDef("f", "claude"))


def test_two_syncs_in_a_row_report_as_one() -> None:
    conflict = ConflictInfo(1, "memory", "a.md", None, 1.0, "B", False)
    first = SyncResult(uploaded=1, downloaded=2, conflicts=[conflict], problems=[FileProblem("m", "old", "x")])
    first.combined.append(FileNotice("memory", "a.md", "B"))
    second = SyncResult(downloaded=3, problems=[FileProblem("m", "new", "y")], seconds=0.5)
    both = _both(first, second)
    assert (both.uploaded, both.downloaded, both.seconds) == (1, 5, 0.5)
    assert both.conflicts == [conflict] and both.combined == first.combined
    assert both.problems == second.problems, "problems say how things stand now"
