"""Hub endpoints the scenario tests run against, each a real server or folder on this machine.

Every kind provides a ``HubEndpoint``: the URL a laptop uses, the credential it needs, a way to
mint vault-creation invites, and ``RawStore`` access to the stored objects so tamper tests can
flip, swap, replay, truncate and delete objects behind the client's back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class RawStore(Protocol):
    def keys(self, prefix: str = "") -> list[str]: ...

    def read(self, key: str) -> bytes: ...

    def write(self, key: str, data: bytes) -> None:
        """Overwrite or create ``key`` without going through the client."""
        ...

    def delete(self, key: str) -> None: ...


@dataclass
class HubEndpoint:
    kind: str
    url: str
    raw: RawStore
    secret: str | None = None
    new_invite: Callable[[], str | None] = lambda: None
    extra_cli_args: tuple[str, ...] = ()

    def all_blobs(self) -> Iterator[bytes]:
        for key in self.raw.keys(""):
            yield self.raw.read(key)


class FolderRawStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def keys(self, prefix: str = "") -> list[str]:
        found = []
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    found.append(key)
        return sorted(found)

    def read(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def write(self, key: str, data: bytes) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def delete(self, key: str) -> None:
        (self.root / key).unlink()


def folder_endpoint(root: Path) -> HubEndpoint:
    root.mkdir(parents=True, exist_ok=True)
    return HubEndpoint(kind="folder", url=root.as_uri(), raw=FolderRawStore(root))
