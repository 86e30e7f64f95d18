"""Turning a Claude folder name back into a folder, only when exactly one folder on disk fits it."""

from __future__ import annotations

from pathlib import Path

from memtray.projects.claude_names import claude_dir_name, sanitised
from memtray.projects.named_place import FoldersOnDisk


def name(path: Path) -> str:
    folder = claude_dir_name(str(path))
    assert folder is not None
    return folder


def test_the_one_folder_that_fits_is_found(tmp_path: Path) -> None:
    for place in (tmp_path / "code" / "my_web.app", tmp_path / ".hidden" / "x y", tmp_path / "café" / "été"):
        place.mkdir(parents=True)
        assert FoldersOnDisk().named(name(place)) == place
    assert FoldersOnDisk().named(name(tmp_path)) == tmp_path


def test_no_folder_or_several_folders_give_nothing(tmp_path: Path) -> None:
    assert FoldersOnDisk().named(name(tmp_path / "missing")) is None
    (tmp_path / "a-b").mkdir()
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert FoldersOnDisk().named(name(tmp_path / "a-b")) is None
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    assert FoldersOnDisk().named(name(tmp_path / "file")) is None
    assert FoldersOnDisk().named("C--Users-alice") is None
    assert FoldersOnDisk().named("no-leading-dash") is None


def test_hash_suffixed_names_are_never_resolved(tmp_path: Path) -> None:
    deep = tmp_path / ("long-folder-name-" * 7) / ("another-long-name-" * 7)
    hashed = sanitised(str(deep))[:200] + "-abc123"
    lookalike = Path(str(deep)[:200] + "-abc123")  # a folder whose plain name would be the hashed one
    lookalike.mkdir(parents=True)
    assert sanitised(str(lookalike)) == hashed
    assert FoldersOnDisk().named(hashed) is None


def test_the_walk_is_bounded(tmp_path: Path) -> None:
    place = tmp_path / "a" / "a" / "a" / "a" / "a" / "a"
    place.mkdir(parents=True)
    for index in range(20):
        (tmp_path / f"a-{index}").mkdir()
    depth = len(place.parts)
    assert FoldersOnDisk(max_listings=depth).named(name(place)) == place
    assert FoldersOnDisk(max_listings=depth - 2).named(name(place)) is None
