"""Where a git hub lives (its address) and what its failures mean, in plain sentences.

Addresses: ``git+https://[user@]host[:port]/owner/repo.git`` (a personal access token as the secret; the user name
defaults to one GitHub, GitLab and Gitea all accept with a token), ``git+ssh://[user@]host[:port]/path/repo.git``
(the ssh keys the person already uses; no secret) and ``git+file:///path/repo.git`` for a bare repository on disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from memtray.errors import HubAuthError, HubError, HubUnreachableError, UsageError
from memtray.hubs.loopback import is_loopback

SCHEMES = {"git+https": "https", "git+http": "http", "git+ssh": "ssh", "git+file": "file"}
GIT_KINDS = {"git+https": "git", "git+http": "git", "git+ssh": "git-ssh", "git+file": "git-file"}
TOKEN_USER = "oauth2"
TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class GitAddress:
    url: str
    transport: str
    host: str
    path: str
    user: str | None
    port: int | None

    @property
    def where(self) -> str:
        """The repository as a person recognises it: host and path, never a credential."""
        return self.path if self.transport == "file" else f"{self.host}{self.path}"


def parse_git_url(url: str, allow_insecure_http: bool = False) -> GitAddress:
    """Check and split a git hub address; refuse passwords in it, and plain http:// to another computer unless
    the person allowed it."""
    parts = urlsplit(url)
    transport = SCHEMES.get(parts.scheme.lower())
    if transport is None:
        raise UsageError("A git storage address looks like git+https://github.com/you/memory.git.")
    if parts.password:
        raise UsageError("Take the token out of the git address; memtray keeps it in the keychain.")
    if parts.query or parts.fragment:
        raise UsageError("A git storage address has no ?… or #… part.")
    path = unquote(parts.path)
    if transport == "file":
        if parts.netloc not in ("", "localhost") or not path:
            raise UsageError("A git repository on this computer looks like git+file:///home/you/memory.git.")
        if len(path) > 3 and path[0] == "/" and path[2] == ":" and path[1].isalpha():
            path = path[1:]  # git+file:///C:/Users/you/memory.git names C:/Users/you/memory.git on Windows
        return GitAddress(url, transport, "", path, None, None)
    host = parts.hostname or ""
    if not host or path.strip("/") == "":
        raise UsageError("A git storage address names a server and a repository: git+https://host/owner/repo.git.")
    if transport == "http" and not allow_insecure_http and not is_loopback(host):
        raise UsageError(
            f"memtray will not send a token to {host} over plain http://, because anyone on the network could read "
            "it; use a git+https:// address, or allow insecure http for this server if you trust the network."
        )
    return GitAddress(url, transport, host, path, parts.username, parts.port)


def local_repository_path(text: str) -> Path | None:
    """The bare repository a plain path names, or None when it is not one (then it is a folder hub).

    A folder hub only ever holds ``vault``, ``log``, ``blob``, ``ckpt``, ``roster`` and ``epoch``, so a folder with
    git's ``HEAD`` file and ``objects`` and ``refs`` folders is never mistaken for one.
    """
    if "://" in text:
        return None
    path = Path(text).expanduser()
    try:
        is_bare = (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()
    except OSError:
        return None
    return path.resolve() if is_bare else None


def make_client(address: GitAddress, token: str | None) -> tuple[Any, str]:
    """A dulwich client for ``address`` and the repository path to hand it."""
    from dulwich.client import LocalGitClient, SSHGitClient, Urllib3HttpGitClient

    if address.transport == "file":
        return LocalGitClient(), address.path
    if address.transport == "ssh":
        return SSHGitClient(address.host, port=address.port, username=address.user), address.path
    netloc = address.host if address.port is None else f"{address.host}:{address.port}"
    client = Urllib3HttpGitClient(
        f"{address.transport}://{netloc}",
        dumb=False,
        username=address.user or TOKEN_USER,
        password=token,
        timeout=TIMEOUT_SECONDS,
    )
    return client, address.path


def remote_error(exc: BaseException, address: GitAddress, writing: bool) -> HubError:
    """A dulwich or network failure as the sentence a person reads."""
    from dulwich.client import HTTPUnauthorized
    from dulwich.errors import GitProtocolError, HangupException, NotGitRepository

    where = address.where
    if isinstance(exc, HTTPUnauthorized):
        return HubAuthError(
            f"The git server {address.host} did not accept the access token. Check the token in the storage settings."
        )
    if isinstance(exc, NotGitRepository):
        return HubError(
            f"There is no git repository at {where}, or the token cannot see it. Check the address and the token.",
            title="Your storage was not found",
        )
    status = _http_status(exc)
    if status == 403 and writing:
        return HubAuthError(
            f"This token can read the repository {where} but not write to it. Give the token write access "
            "(on GitHub: Contents, read and write) or use another token.",
            title="The token cannot save to your storage",
        )
    if status == 403:
        return HubAuthError(f"The git server {address.host} does not let this token read the repository {where}.")
    if status is not None and status >= 500:
        return HubUnreachableError(
            f"The git server {address.host} is not working right now (HTTP {status}). memtray will try again later."
        )
    if isinstance(exc, HangupException) and address.transport == "ssh":
        return HubUnreachableError(
            f"memtray could not reach the repository {where} over ssh. Check the address, the internet connection "
            "and that your ssh key is set up for this server."
        )
    if isinstance(exc, OSError | HangupException) or _is_network_error(exc):
        return HubUnreachableError(
            f"memtray could not reach the git server {address.host or where}. "
            "Check the address and the internet connection."
        )
    if isinstance(exc, GitProtocolError):
        return HubError(f"The git server {address.host or where} gave an answer memtray does not understand.")
    return HubError(f"memtray could not use the git repository {where}.")


def _http_status(exc: BaseException) -> int | None:
    text = str(exc)
    marker = "unexpected http resp "
    if marker not in text:
        return None
    number = text.split(marker, 1)[1].split(" ", 1)[0]
    return int(number) if number.isdigit() else None


def _is_network_error(exc: BaseException) -> bool:
    """True when ``exc`` or what caused it is a failed connection (dulwich wraps urllib3's errors)."""
    import urllib3.exceptions

    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, urllib3.exceptions.HTTPError | OSError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def file_url(path: Path) -> str:
    """The ``git+file://`` address of a bare repository on this computer."""
    return "git+" + Path(os.path.abspath(path)).as_uri()
