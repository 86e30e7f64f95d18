"""The git repository a folder belongs to, read from the files git keeps (memtray never runs git).

``.git`` is a folder, or a file ``gitdir: <path>`` in a linked worktree or a submodule. A linked worktree's git
folder names the repository's shared git folder in ``commondir``; like Claude Code (which keeps a worktree's
memory with its main checkout), ``Repository.root`` is then the folder holding that shared git folder.
Remotes come from the shared ``config``: ``origin``, else the only remote, else the first by name.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from memtray.projects.remote import normalise_remote

_MAX_CONFIG_BYTES = 1 << 20
_MAX_POINTER_BYTES = 64 << 10
_SECTION = re.compile(r'^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\](.*)$')
_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$")


@dataclass(frozen=True)
class Repository:
    """A git repository on this laptop. ``remote`` is normalised (``host/owner/name``), never a raw URL."""

    root: Path
    """The main checkout: where Claude Code keys the repository's memory."""
    checkout: Path
    """The checkout the folder asked about is in; differs from ``root`` in a linked worktree."""
    remote: str | None


def repository_of(path: Path) -> Repository | None:
    """The repository ``path`` is in, walking up to the file-system root; None outside any repository."""
    try:
        folder = Path(os.path.abspath(path))
    except (OSError, ValueError):
        return None
    for checkout in (folder, *folder.parents):
        git_dir = _git_dir_at(checkout)
        if git_dir is not None:
            common = _common_dir(git_dir)
            root = common.parent if common != git_dir else checkout
            return Repository(root=root, checkout=checkout, remote=_remote(common, root))
    return None


def _git_dir_at(folder: Path) -> Path | None:
    dot_git = folder / ".git"
    try:
        if dot_git.is_dir():
            git_dir = dot_git
        elif dot_git.is_file():
            pointer = _read_text(dot_git, _MAX_POINTER_BYTES).strip()
            if not pointer.startswith("gitdir:"):
                return None
            git_dir = Path(os.path.normpath(folder / pointer[len("gitdir:") :].strip()))
        else:
            return None
        return git_dir if (git_dir / "HEAD").is_file() else None
    except (OSError, ValueError):
        return None


def _common_dir(git_dir: Path) -> Path:
    try:
        pointer = _read_text(git_dir / "commondir", _MAX_POINTER_BYTES).strip()
    except (OSError, ValueError):
        return git_dir
    if not pointer:
        return git_dir
    common = Path(os.path.normpath(git_dir / pointer))
    return common if common.is_dir() else git_dir


def _remote(common: Path, root: Path) -> str | None:
    try:
        urls = remote_urls(_read_text(common / "config", _MAX_CONFIG_BYTES))
    except (OSError, ValueError):
        return None
    if not urls:
        return None
    name = "origin" if "origin" in urls else sorted(urls)[0]
    return normalise_remote(urls[name], base=root)


def remote_urls(config: str) -> dict[str, str]:
    """Each remote's first ``url`` in a git config file's text (later sections of the same remote add to it)."""
    urls: dict[str, str] = {}
    remote: str | None = None
    for line in _logical_lines(config):
        section = _SECTION.match(line)
        if section is not None:
            remote = _remote_name(section.group(1), section.group(2))
            line = section.group(3).strip()
            if not line:
                continue
        key = _KEY.match(line)
        if key is None or remote is None or key.group(1).lower() != "url" or key.group(2) is None:
            continue
        value = _value(key.group(2))
        if value and remote not in urls:
            urls[remote] = value
    return urls


def _remote_name(section: str, subsection: str | None) -> str | None:
    if subsection is not None:
        return _unescape_subsection(subsection) if section.lower() == "remote" else None
    head, dot, rest = section.partition(".")
    return rest.lower() if dot and head.lower() == "remote" and rest else None


def _unescape_subsection(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _logical_lines(config: str) -> list[str]:
    """Lines with backslash-newline continuations joined (git allows them inside values)."""
    lines: list[str] = []
    pending = ""
    for raw in config.splitlines():
        if raw.endswith("\\") and not raw.endswith("\\\\"):
            pending += raw[:-1]
            continue
        lines.append((pending + raw).strip())
        pending = ""
    if pending:
        lines.append(pending.strip())
    return lines


def _value(raw: str) -> str:
    """A config value: quotes removed, escapes resolved, a comment (``#``/``;`` outside quotes) cut off."""
    out: list[str] = []
    quoted = False
    escapes = {"n": "\n", "t": "\t", "b": "\b", '"': '"', "\\": "\\"}
    position = 0
    while position < len(raw):
        char = raw[position]
        if char == "\\" and position + 1 < len(raw):
            out.append(escapes.get(raw[position + 1], ""))
            position += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char in "#;" and not quoted:
            break
        else:
            out.append(char)
        position += 1
    return "".join(out).strip()


def _read_text(path: Path, limit: int) -> str:
    with path.open("rb") as handle:
        return handle.read(limit).decode("utf-8", errors="replace")
