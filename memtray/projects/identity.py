"""A project's identity, the same on every laptop, and the one path component that names it in the vault.

Key format (one path component, valid on Windows, macOS and Linux, at most 240 characters):

- ``git=<remote>`` or ``git=<remote>=<subdir>``, e.g. ``git=github.com+alice+mono=packages+api``;
- ``home=<path>``, e.g. ``home=code+scratch`` (``home=`` is the home folder itself);
- kind "claude": the Claude folder name itself (``-Users-alice-notes``), so vaults made before projects were
  matched by identity keep their paths; a folder name Claude's rule cannot produce becomes ``claude=<name>``.

Inside a part, ASCII letters, digits, ``.``, ``_`` and ``-`` stay, ``/`` becomes ``+`` and every other character
becomes ``%XX`` per UTF-8 byte (a final ``.`` too, which Windows refuses). Every key but a Claude name contains
``=``, which Claude names never do. An identity whose key would be longer than 240 characters gets
``sha256=<hex>`` instead; such a key cannot be turned back into an identity (``from_key`` gives None), so it is
only matched against projects this laptop discovered.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from memtray.projects.claude_names import is_claude_name

MAX_KEY_LENGTH = 240
KINDS = ("git", "home", "claude")
_KEEP = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_ESCAPE = re.compile(r"%([0-9A-F]{2})")


@dataclass(frozen=True)
class ProjectIdentity:
    """Which project a folder is: by git remote (plus sub-folder), by home-relative path, or by Claude folder."""

    kind: str
    value: str
    subdir: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown project kind {self.kind!r}")
        if self.kind == "claude":
            if not _is_plain_name(self.value):
                raise ValueError("a Claude folder name must be one plain path component")
        elif not _is_relative_path(self.value, allow_empty=self.kind == "home"):
            raise ValueError("a project identity must be a plain relative path")
        if self.subdir and (self.kind != "git" or not _is_relative_path(self.subdir, allow_empty=False)):
            raise ValueError("only a repository has a sub-folder, as a plain relative path")

    @property
    def key(self) -> str:
        """The single path component naming this project in the vault (``projects/<key>/...``)."""
        if self.kind == "claude" and is_claude_name(self.value):
            return self.value
        key = f"{self.kind}={_encode(self.value)}"
        if self.subdir:
            key += f"={_encode(self.subdir)}"
        if len(key) <= MAX_KEY_LENGTH:
            return key
        digest = hashlib.sha256(f"{self.kind}\0{self.value}\0{self.subdir}".encode()).hexdigest()
        return f"sha256={digest}"

    @classmethod
    def from_key(cls, key: str) -> ProjectIdentity | None:
        """The identity a key names; None for keys this version cannot read back (digest keys, damage)."""
        if is_claude_name(key):
            return cls("claude", key)
        kind, separator, rest = key.partition("=")
        if not separator or kind not in KINDS:
            return None
        value_part, separator, subdir_part = rest.partition("=")
        try:
            identity = cls(kind, _decode(value_part), _decode(subdir_part) if separator else "")
        except ValueError:
            return None
        return identity if identity.key == key else None

    @property
    def name(self) -> str:
        """A short display name: the repository's (or sub-folder's) name, the folder's name, or Claude's name."""
        if self.kind == "git":
            return (self.subdir or self.value).rsplit("/", 1)[-1]
        if self.kind == "home":
            return self.value.rsplit("/", 1)[-1] if self.value else "~"
        return self.value

    def describe(self) -> str:
        """How a person reads it: ``github.com/alice/mono › packages/api``, ``~/code/scratch``, a folder name."""
        if self.kind == "git":
            return f"{self.value} › {self.subdir}" if self.subdir else self.value
        if self.kind == "home":
            return f"~/{self.value}" if self.value else "~"
        return self.value


def _is_plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and not any(char in name for char in "/\\\0")


def _is_relative_path(path: str, *, allow_empty: bool) -> bool:
    if not path:
        return allow_empty
    return "\\" not in path and "\0" not in path and all(part not in ("", ".", "..") for part in path.split("/"))


def _encode(text: str) -> str:
    out = []
    for char in text:
        if char in _KEEP:
            out.append(char)
        elif char == "/":
            out.append("+")
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    if out and out[-1] == ".":
        out[-1] = "%2E"
    return "".join(out)


def _decode(part: str) -> str:
    """The text ``_encode`` made ``part`` from; ValueError for anything it cannot have made."""
    if any(char not in _KEEP and char not in "+%" for char in part):
        raise ValueError("not an encoded key part")
    raw = bytearray()
    position = 0
    while position < len(part):
        char = part[position]
        if char == "%":
            match = _ESCAPE.match(part, position)
            if match is None:
                raise ValueError("broken escape in key")
            raw.append(int(match.group(1), 16))
            position = match.end()
            continue
        raw.extend(b"/" if char == "+" else char.encode("ascii"))
        position += 1
    return raw.decode("utf-8")
