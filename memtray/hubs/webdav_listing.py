"""Reading a WebDAV server's folder listing (a ``PROPFIND`` answer of depth 1) for hubs/webdav.py."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from memtray.errors import HubError

PROPFIND_BODY = b'<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>'
PROPFIND_TIMES_BODY = (
    b'<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><resourcetype/><getlastmodified/></prop>'
    b"</propfind>"
)
DAV = "{DAV:}"


class Child(NamedTuple):
    name: str
    is_collection: bool
    modified: float | None
    """When the server says it last changed (seconds since the epoch), if asked and said."""


def parse_listing(body: bytes, own_path: str, where: str) -> list[Child]:
    """The children a listing of the folder at ``own_path`` names, from the server at ``where``."""
    if b"<!DOCTYPE" in body.upper():
        raise HubError(f"The WebDAV server at {where} sent a folder listing memtray will not read.")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise HubError(f"The WebDAV server at {where} sent a folder listing memtray cannot read.") from exc
    own = unquote(own_path).rstrip("/")
    children = []
    for entry in root.iter(f"{DAV}response"):
        href = (entry.findtext(f"{DAV}href") or "").strip()
        path = unquote(urlsplit(href).path).rstrip("/")
        if not href or path == own:
            continue
        is_collection = entry.find(f".//{DAV}resourcetype/{DAV}collection") is not None
        modified = http_time(entry.findtext(f".//{DAV}getlastmodified"))
        children.append(Child(path.rpartition("/")[2], is_collection, modified))
    return children


def http_time(text: str | None) -> float | None:
    """An HTTP date (``Date``, ``getlastmodified``) as seconds since the epoch; None if absent or unreadable."""
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
