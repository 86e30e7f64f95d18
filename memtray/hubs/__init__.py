"""Hub adapters. ``open_hub`` picks the adapter from the URL's scheme."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from memtray.errors import UsageError
from memtray.hubs.base import Hub

# Kinds whose laptops keep a credential in the keychain. A memtray hub hands each laptop a token when it
# enrolls; for the others the person gives a password or an access key.
SECRET_KINDS = ("memtray", "webdav", "s3", "git")


def needs_secret(kind: str) -> bool:
    return kind in SECRET_KINDS


def person_gives_secret(kind: str) -> bool:
    """Whether the person types this kind's credential (a memtray hub issues its own when a laptop enrolls)."""
    return needs_secret(kind) and kind != "memtray"


def hub_kind(url: str) -> str:
    """The kind of hub ``url`` names: "folder", "memtray" (a memtray hub server), "webdav", "s3", or a git repository:
    "git" (git+https://, with a token), "git-ssh" (git+ssh://) or "git-file" (git+file:// or the path of a bare
    repository on this computer, which a folder hub never is: see ``memtray.hubs.git_remote.local_repository_path``)."""
    from memtray.hubs.git_remote import GIT_KINDS, local_repository_path

    scheme = urlsplit(url).scheme.lower()
    if scheme in GIT_KINDS:
        return GIT_KINDS[scheme]
    is_path = scheme == "" or (len(scheme) == 1 and url[1:3] in (":\\", ":/"))
    if is_path and local_repository_path(url) is not None:
        return "git-file"
    if is_path or scheme == "file":
        return "folder"
    if scheme in ("http", "https"):
        return "memtray"
    if scheme in ("webdav", "webdavs"):
        return "webdav"
    if scheme == "s3":
        return "s3"
    raise UsageError(
        f"memtray does not know storage of the kind '{scheme}://'. "
        "Use a folder, https://, webdav(s)://, s3:// or git+https://."
    )


def normalise_hub_url(url: str) -> str:
    """Folder hubs become absolute ``file://`` URLs (a ``file://`` URL's path is decoded first, so normalising
    twice changes nothing: "My%20Drive" stays the folder "My Drive"); other URLs lose a trailing slash."""
    if hub_kind(url) == "folder":
        parts = urlsplit(url)
        path = Path(unquote(parts.path) if parts.scheme == "file" else url).expanduser().resolve()
        return path.as_uri()
    if hub_kind(url) == "git-file" and "://" not in url:
        from memtray.hubs.git_remote import file_url, local_repository_path

        return file_url(local_repository_path(url) or Path(url))
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
    if kind in ("git", "git-ssh", "git-file"):
        from memtray.hubs.git import GitRepoHub

        return GitRepoHub(normalise_hub_url(url), secret=secret, allow_insecure_http=allow_insecure_http)
    from memtray.hubs.s3 import S3Hub

    return S3Hub(url, secret=secret)
