"""Which project a folder on this laptop is.

1. In a git repository with a remote: the normalised remote plus the folder's place inside the checkout
   (a linked worktree is the same project as its main checkout).
2. Otherwise, inside the home folder: its path relative to the home folder (for a repository without a remote,
   the main checkout's path), so ``/Users/alice/code/notes`` and ``/home/alice/code/notes`` match.
3. Otherwise (outside the home folder, no remote): Claude's own folder name for it, which only matches a laptop
   that has the project at the very same path.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from memtray.errors import UsageError
from memtray.projects.claude_names import claude_dir_name
from memtray.projects.git import repository_of
from memtray.projects.identity import ProjectIdentity


def identity_of(path: Path, home: Path, *, claude_folder: str | None = None) -> ProjectIdentity:
    """The identity of the project at ``path``; ``claude_folder`` is Claude's existing folder for it, if known."""
    folder = Path(os.path.abspath(path))
    repository = repository_of(folder)
    if repository is not None:
        inside = relative_posix(folder, repository.checkout) or ""
        if repository.remote is not None:
            return ProjectIdentity("git", repository.remote, inside)
        folder = repository.root / inside if inside else repository.root
    in_home = home_relative(folder, home)
    if in_home is not None:
        return ProjectIdentity("home", in_home)
    name = claude_folder or claude_dir_name(str(folder))
    if name is None:
        raise UsageError(
            f"memtray cannot tell which project {folder} is: it is outside your home folder, has no git remote, "
            "and its path is too long to name. Move it into your home folder or give its repository a remote."
        )
    return ProjectIdentity("claude", name)


def home_relative(folder: Path, home: Path) -> str | None:
    """``folder``'s POSIX path relative to ``home`` ("" for home itself), also through symbolic links; else None."""
    direct = relative_posix(Path(os.path.abspath(folder)), Path(os.path.abspath(home)))
    if direct is not None:
        return direct
    try:
        return relative_posix(Path(os.path.realpath(folder)), Path(os.path.realpath(home)))
    except (OSError, ValueError):
        return None


def relative_posix(path: PurePath, base: PurePath) -> str | None:
    """``path`` relative to ``base`` with "/" separators ("" when equal); None when it is not inside."""
    try:
        relative = path.relative_to(base)
    except ValueError:
        return None
    return "" if relative == PurePath(".") else relative.as_posix()
