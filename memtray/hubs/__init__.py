"""Hub adapters. ``open_hub`` picks the adapter from the URL's scheme."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from memtray.errors import UsageError
from memtray.hubs.base import Hub

# Kinds whose laptops keep a credential in the keychain. A memtray hub hands each laptop a token when it
# enrolls; for the others the person gives a password or an access key.
SECRET_KINDS = ("memtray", "webdav", "s3")


def needs_secret(kind: str) -> bool:
    return kind in SECRET_KINDS


def person_gives_secret(kind: str) -> bool:
    """Whether the person types this kind's credential (a memtray hub issues its own when a laptop enrolls)."""
    return needs_secret(kind) and kind != "memtray"


def hub_kind(url: str) -> str:
    """The kind of hub ``url`` names: "folder", "memtray" (a memtray hub server), "webdav" or "s3"."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("", "file") or (len(scheme) == 1 and url[1:3] in (":\\", ":/")):
        return "folder"
    if scheme in ("http", "https"):
        return "memtray"
    if scheme in ("webdav", "webdavs"):
        return "webdav"
    if scheme == "s3":
        return "s3"
    raise UsageError(
        f"memtray does not know storage of the kind '{scheme}://'. Use a folder, https://, webdav(s):// or s3://."
    )


def normalise_hub_url(url: str) -> str:
    """Folder hubs become absolute ``file://`` URLs (a ``file://`` URL's path is decoded first, so normalising
    twice changes nothing: "My%20Drive" stays the folder "My Drive"); other URLs lose a trailing slash."""
    if hub_kind(url) == "folder":
        parts = urlsplit(url)
        path = Path(unquote(parts.path) if parts.scheme == "file" else url).expanduser().resolve()
        return path.as_uri()
    return url.rstrip("/")


def open_hub(
    url: str,
    *,
    vault_id: str | None = None,
    device_id: str | None = None,
    secret: str | None = None,
    allow_insecure_http: bool = False,
    tls_fingerprint: str | None = None,
) -> Hub:
    """Open the hub at ``url``. ``secret`` is the credential kept in the keychain, if the kind needs one.

    ``tls_fingerprint`` pins a memtray hub's certificate (see ``memtray.hubs.pinning``).
    """
    kind = hub_kind(url)
    if tls_fingerprint is not None and kind != "memtray":
        raise UsageError("A certificate fingerprint only applies to a memtray server at an https:// address.")
    if kind == "folder":
        from memtray.hubs.folder import FolderHub

        return FolderHub(normalise_hub_url(url))
    if kind == "memtray":
        from memtray.hubs.http import HttpHub

        return HttpHub(
            url,
            vault_id=vault_id,
            device_id=device_id,
            token=secret,
            allow_insecure_http=allow_insecure_http,
            tls_fingerprint=tls_fingerprint,
        )
    if kind == "webdav":
        from memtray.hubs.webdav import WebDavHub

        return WebDavHub(url, secret=secret)
    from memtray.hubs.s3 import S3Hub

    return S3Hub(url, secret=secret)
