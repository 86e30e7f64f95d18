"""One spelling for a git remote, so the same repository is recognised on every laptop.

``git@github.com:Alice/WebApp.git``, ``ssh://git@github.com:22/alice/webapp``, and
``https://user:token@github.com/alice/webapp.git/`` all become ``github.com/alice/webapp``: host and path in lower
case; scheme, user name, password or token, port, query, fragment and a final ``.git`` dropped; nested groups
(``gitlab.com/group/sub/name``) kept.

A remote that is a folder on this computer (a bare repository on a disk or a share, ``file://`` URLs included)
becomes ``file/<absolute path>`` with the path's case kept and ``.git`` dropped, e.g. ``file/srv/git/webapp``;
a relative one is taken from ``base`` (the checkout). That names the repository reliably on laptops that reach
it under the same path, and never matches a hosted remote.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePath
from urllib.parse import unquote

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.DOTALL)
_SCP = re.compile(r"^(?:[^@/]+@)?(\[[^\]/]+\]|[^:/\[\]]+):(.*)$", re.DOTALL)
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def normalise_remote(url: str, base: str | PurePath | None = None) -> str | None:
    """``host/owner/name`` (or ``file/<path>``) for a git remote URL; None when it names no repository."""
    url = url.strip()
    if not url or any(ord(char) < 32 for char in url):
        return None
    match = _URL.match(url)
    if match is not None:
        scheme, rest = match.group(1).lower(), match.group(2)
        if scheme == "file":
            return _local(_file_url_path(rest), None)
        return _hosted(*_split_netloc(rest))
    if _DRIVE.match(url) or url.startswith(("/", "\\", ".")):
        return _local(url, base)
    match = _SCP.match(url)
    if match is not None:
        return _hosted(match.group(1), match.group(2))
    return _local(url, base)


def _split_netloc(rest: str) -> tuple[str, str]:
    netloc, _, path = rest.partition("/")
    netloc = netloc.rpartition("@")[2]
    if netloc.startswith("["):
        return netloc.partition("]")[0] + "]", path
    host, _, port = netloc.partition(":")
    if port and not port.isdigit():
        path = f"{port}/{path}"
    return host, path


def _hosted(host: str, path: str) -> str | None:
    host = host.strip().lower()
    path = unquote(re.split(r"[?#]", path, maxsplit=1)[0])
    parts = _repository_parts(path.lower().split("/"))
    if not host or any(char in host for char in " \\@") or not parts:
        return None
    return "/".join([host, *parts])


def _file_url_path(rest: str) -> str:
    host, slash, path = rest.partition("/")
    path = unquote(slash + path)
    if _DRIVE.match(path.lstrip("/")):
        path = path.lstrip("/")
    if host and host.lower() != "localhost":
        path = f"//{host}{path}"
    return path


def _local(path: str, base: str | PurePath | None) -> str | None:
    path = path.replace("\\", "/")
    is_absolute = path.startswith("/") or _DRIVE.match(path) is not None
    if not is_absolute:
        if base is None:
            return None
        path = f"{PurePath(base).as_posix().rstrip('/')}/{path}"
    if _DRIVE.match(path):
        path = path[0].lower() + path[1:]
    parts = _repository_parts(posixpath.normpath(path).split("/"))
    return "/".join(["file", *parts]) if parts else None


def _repository_parts(parts: list[str]) -> list[str]:
    """The path's parts without empty ones and without the ``.git`` ending; [] if it climbs with ``..``."""
    kept = [part for part in parts if part not in ("", ".")]
    if ".." in kept:
        return []
    if kept and kept[-1].endswith(".git"):
        kept[-1] = kept[-1][: -len(".git")]
        if not kept[-1]:
            kept.pop()
    return kept
