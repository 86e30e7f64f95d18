"""A hub on a WebDAV server: Nextcloud, ownCloud, Apache mod_dav or any RFC 4918 server.

URL: ``webdav://[user@]host[:port]/folder`` (plain HTTP) or ``webdavs://…`` (HTTPS). The password
comes from the keychain as ``secret``; a password written into the URL is refused so it never
lands in a config file. Each key is a file below the hub folder, which memtray creates if only
its last level is missing.

Create-only writes: where the server honours ``If-None-Match: *`` on PUT, that is all it takes.
Where it ignores the header, the object is PUT under a hidden temporary name in the same folder
and renamed with ``MOVE`` and ``Overwrite: F``, which a WebDAV server must refuse when the target
exists, so a reader never sees a half-written object. Which of the two works is found out once per
hub with a hidden probe object before the first write. A server honouring neither is refused.

Requests follow redirects only within the same server (credentials never go elsewhere) and are
retried a bounded number of times when the connection drops or the server answers 5xx.

Every answer is read with a bound, whatever the server claims: an object is refused before download
when its Content-Length is over ``max_object_size`` and streamed with a running cap otherwise, a
folder listing is capped at ``LISTING_MAX``, and any other answer's body is read up to ``ANSWER_MAX``
and dropped. A compressed answer counts at its unpacked size (urllib3 unpacks a chunk at a time).

Hidden temporary objects a killed write left behind are removed by the daily tidy (``remove_stale_temps``,
called from sync/blob_gc.py) once they are old enough that no write can still be using them.
"""

from __future__ import annotations

import builtins
import contextlib
import time
import uuid
from collections.abc import Iterator, Mapping
from urllib.parse import quote, unquote, urljoin, urlsplit

import requests

from memtray.errors import (
    HubAuthError,
    HubError,
    HubFullError,
    HubPayloadTooLargeError,
    HubRateLimitedError,
    HubUnreachableError,
    ObjectExistsError,
    ObjectMissingError,
    UsageError,
)
from memtray.hubs.base import (
    MIB,
    READ_CHUNK,
    check_declared_size,
    describe_size,
    read_bounded,
    read_capped,
)
from memtray.hubs.keys import is_listed_key, is_valid_key
from memtray.hubs.retrying import retry_after_seconds
from memtray.hubs.webdav_listing import PROPFIND_BODY, PROPFIND_TIMES_BODY, Child, http_time, parse_listing

TIMEOUT = (10.0, 60.0)
ATTEMPTS = 3
FIRST_BACKOFF = 0.25
MAX_REDIRECTS = 5
RETRY_STATUSES = frozenset({500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_COLLECTION_DEPTH = 3
HIDDEN_PREFIX = ".memtray-"
IF_NONE_MATCH = "if-none-match"
MOVE_NO_OVERWRITE = "move"
LISTING_MAX = 64 * MIB
ANSWER_MAX = 1 * MIB


class WebDavHub:
    def __init__(self, url: str, secret: str | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("webdav", "webdavs"):
            raise UsageError("A WebDAV storage address starts with webdav:// or webdavs://.")
        if parts.password is not None:
            raise UsageError("Take the password out of the WebDAV address; memtray keeps it in the keychain.")
        if not parts.hostname:
            raise UsageError("The WebDAV address needs a server name, like webdavs://name@example.com/memtray.")
        self.url = url
        self._hostname = parts.hostname
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        self._where = f"{host}:{parts.port}" if parts.port else host
        self._scheme = "https" if parts.scheme == "webdavs" else "http"
        self._origin = f"{self._scheme}://{self._where}"
        self._base = unquote(parts.path).rstrip("/")
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "memtray"
        if parts.username:
            self._session.auth = (unquote(parts.username), secret or "")
        elif secret:
            raise UsageError("Add your WebDAV user name to the address, like webdavs://name@example.com/memtray.")
        self._made: set[str] = set()
        self._create_mode: str | None = None
        self._retries = 0

    def __repr__(self) -> str:
        return f"WebDavHub({self.url!r})"

    def put_new(self, key: str, data: bytes) -> None:
        _check_key(key)
        if self._create_mode is None:
            self._create_mode = self._probe_create_mode()
        retries = self._retries
        try:
            if self._create_mode == IF_NONE_MATCH:
                self._put(key, data, {"If-None-Match": "*"})
            else:
                self._put_by_move(key, data)
        except ObjectExistsError:
            # A retried write may have landed before its connection dropped: our own bytes there mean it did.
            if self._retries == retries or self._existing(key) != data:
                raise

    def get(self, key: str) -> bytes:
        _check_key(key)
        with self._send("GET", self._url(key), keep_body=True) as response:
            if response.status_code == 200:
                check_declared_size(key, _declared_length(response))
                with self._reading(key):
                    return read_capped(response.iter_content(READ_CHUNK), key)
            if response.status_code in (404, 410):
                raise ObjectMissingError(f"Your storage is missing {key}.")
            raise self._error(response, "read a file")

    def list(self, prefix: str, after: str | None = None) -> builtins.list[str]:
        start = prefix.rpartition("/")[0]
        found = [
            key
            for key in self._walk(start, prefix, after)
            if key.startswith(prefix) and (after is None or key > after) and is_listed_key(key)
        ]
        return sorted(found)

    def delete(self, key: str) -> None:
        """Remove ``key``; a key that is already gone is not an error (so a retried delete succeeds)."""
        _check_key(key)
        self._remove(key)

    def remove_stale_temps(self, older_than: float, now: float | None = None) -> int:
        """Delete the hidden temporary and probe objects (``.memtray-*``) that killed writes of any laptop left,
        untouched for ``older_than`` seconds by this laptop's clock (``now``) and by the server's (a write in
        progress keeps its object fresh; a laptop whose clock runs ahead never takes a fresh one for stale). An
        object whose time the server does not give stays. How many went."""
        laptop_now = time.time() if now is None else now
        removed = 0
        pending = [""]
        while pending:
            collection = pending.pop()
            children, server_now = self._propfind(collection, PROPFIND_TIMES_BODY)
            cutoff = min(laptop_now, laptop_now if server_now is None else server_now) - older_than
            for child in children:
                key = f"{collection}/{child.name}" if collection else child.name
                if child.is_collection:
                    if not child.name.startswith(".") and key.count("/") < MAX_COLLECTION_DEPTH:
                        pending.append(key)
                elif child.name.startswith(HIDDEN_PREFIX) and child.modified is not None and child.modified < cutoff:
                    self._remove(key)
                    removed += 1
        return removed

    def close(self) -> None:
        self._session.close()

    def _probe_create_mode(self) -> str:
        probe = f"{HIDDEN_PREFIX}probe-{uuid.uuid4().hex}"
        try:
            try:
                self._put(probe, b"probe", {"If-None-Match": "*"})
                self._put(probe, b"probe", {"If-None-Match": "*"})
            except ObjectExistsError:
                return IF_NONE_MATCH
            try:
                self._put_by_move(probe, b"probe")
            except ObjectExistsError:
                return MOVE_NO_OVERWRITE
            raise HubError(
                f"The WebDAV server at {self._where} replaces files memtray asked it to keep, "
                "so memtray cannot use it safely."
            )
        finally:
            with contextlib.suppress(HubError):
                self._remove(probe)

    def _put(self, key: str, data: bytes, headers: Mapping[str, str]) -> None:
        response = self._send("PUT", self._url(key), headers=headers, data=data)
        if response.status_code in (404, 409):
            self._made.difference_update(_ancestors(key))
            self._make_collections(key)
            response = self._send("PUT", self._url(key), headers=headers, data=data)
        if response.status_code in (200, 201, 204):
            return
        if response.status_code == 412:
            raise ObjectExistsError(f"Your storage already has {key}.")
        raise self._error(response, "save a file")

    def _put_by_move(self, key: str, data: bytes) -> None:
        parent = key.rpartition("/")[0]
        temp = f"{parent}/{HIDDEN_PREFIX}{uuid.uuid4().hex}" if parent else f"{HIDDEN_PREFIX}{uuid.uuid4().hex}"
        self._put(temp, data, {})
        headers = {"Destination": self._url(key), "Overwrite": "F"}
        retries = self._retries
        for attempt in range(ATTEMPTS):
            response = self._send("MOVE", self._url(temp), headers=headers)
            if response.status_code in (201, 204):
                return
            if response.status_code == 404 and self._retries != retries:
                raise ObjectExistsError(f"Your storage already has {key}.")
            # rclone can answer 412 for a target it has not finished noticing is absent; a 412 counts
            # only once the target is really there.
            if response.status_code != 412 or self._present(key) or attempt == ATTEMPTS - 1:
                break
            time.sleep(0.1 * (attempt + 1))
        self._remove(temp)
        if response.status_code == 412:
            raise ObjectExistsError(f"Your storage already has {key}.")
        raise self._error(response, "save a file")

    def _present(self, key: str) -> bool:
        return self._send("HEAD", self._url(key)).status_code == 200

    def _existing(self, key: str) -> bytes | None:
        try:
            return self.get(key)
        except ObjectMissingError:
            return None

    def _remove(self, key: str) -> None:
        response = self._send("DELETE", self._url(key))
        if response.status_code not in (200, 202, 204, 404, 410):
            raise self._error(response, "delete a file")

    def _make_collections(self, key: str) -> None:
        chain = ([""] if self._base else []) + _ancestors(key)
        for collection in chain:
            if collection in self._made:
                continue
            response = self._send("MKCOL", self._url(collection, folder=True))
            if response.status_code in (404, 409) and collection == "":
                raise HubError(
                    f"The folder {self._base} cannot be created on the WebDAV server at {self._where} "
                    "because the folder it should be in does not exist. Check the storage address."
                )
            if response.status_code not in (201, 405):
                raise self._error(response, "create a folder")
            self._made.add(collection)

    def _walk(self, collection: str, prefix: str, after: str | None) -> Iterator[str]:
        for child in self._propfind(collection, PROPFIND_BODY)[0]:
            key = f"{collection}/{child.name}" if collection else child.name
            if not child.is_collection:
                yield key
            elif key.count("/") < MAX_COLLECTION_DEPTH and _may_hold(key, prefix, after):
                yield from self._walk(key, prefix, after)

    def _propfind(self, collection: str, asked: bytes) -> tuple[builtins.list[Child], float | None]:
        """The children of ``collection`` with the properties ``asked``, and the server's clock when it answered
        (None if it did not say)."""
        url = self._url(collection, folder=True)
        headers = {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
        with self._send("PROPFIND", url, headers=headers, data=asked, keep_body=True) as response:
            server_now = http_time(response.headers.get("Date"))
            if response.status_code in (404, 410):
                return [], server_now
            if response.status_code != 207:
                raise self._error(response, "list a folder")
            too_large = HubError(
                f"The WebDAV server at {self._where} sent a folder listing larger than memtray reads "
                f"({describe_size(LISTING_MAX)}), so memtray stopped reading it."
            )
            with self._reading(collection or "the storage folder"):
                body = read_bounded(response.iter_content(READ_CHUNK), LISTING_MAX, too_large)
        return parse_listing(body, urlsplit(url).path, self._where), server_now

    @contextlib.contextmanager
    def _reading(self, what: str) -> Iterator[None]:
        """Turn a connection lost while a body streams in into a plain error."""
        try:
            yield
        except requests.RequestException as exc:
            raise HubUnreachableError(
                f"The WebDAV server at {self._where} stopped sending {what} part-way. memtray will try again later."
            ) from exc

    def _url(self, key: str, *, folder: bool = False) -> str:
        path = f"{self._base}/{key}" if key else self._base
        return self._origin + quote(path + ("/" if folder or not path else ""))

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
        keep_body: bool = False,
    ) -> requests.Response:
        """The server's answer; its body is left to stream (the caller closes it) only with ``keep_body``."""
        delay = FIRST_BACKOFF
        failure: requests.RequestException | None = None
        for attempt in range(ATTEMPTS):
            if attempt:
                self._retries += 1
                time.sleep(delay)
                delay *= 2
            try:
                response = self._follow(method, url, headers, data)
            except requests.exceptions.SSLError as exc:
                raise HubError(
                    f"memtray could not make a secure connection to {self._where}: the server's certificate "
                    "was not accepted or it does not speak HTTPS. Check the address (webdavs:// or webdav://).",
                    title="The secure connection to your storage failed",
                ) from exc
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                failure = exc
                continue
            if response.status_code not in RETRY_STATUSES or attempt == ATTEMPTS - 1:
                if not keep_body:
                    _drop_body(response)
                return response
            _drop_body(response)
        if isinstance(failure, requests.Timeout):
            raise HubUnreachableError(f"The WebDAV server at {self._where} did not answer in time.") from failure
        raise HubUnreachableError(
            f"memtray could not reach the WebDAV server at {self._where}. "
            "Check the address and the internet connection."
        ) from failure

    def _follow(
        self, method: str, url: str, headers: Mapping[str, str] | None, data: bytes | None
    ) -> requests.Response:
        for _ in range(MAX_REDIRECTS + 1):
            response = self._session.request(
                method, url, headers=headers, data=data, timeout=TIMEOUT, allow_redirects=False, stream=True
            )
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            _drop_body(response)
            url = urljoin(url, location)
            if not self._same_server(url):
                raise HubError(
                    f"The WebDAV server at {self._where} sent memtray to another address "
                    f"({urlsplit(url).netloc}). Use that address for your storage if you trust it."
                )
        raise HubError(f"The WebDAV server at {self._where} keeps redirecting memtray in a loop.")

    def _same_server(self, url: str) -> bool:
        target = urlsplit(url)
        return target.hostname == self._hostname and target.scheme in (self._scheme, "https")

    def _error(self, response: requests.Response, action: str) -> HubError:
        status = response.status_code
        where = self._where
        if status == 401:
            return HubAuthError(
                f"The WebDAV server at {where} did not accept the user name and password. "
                "Check them in the storage settings."
            )
        if status == 403:
            return HubAuthError(f"The WebDAV server at {where} does not allow this account to {action} there.")
        if status == 413:
            return HubPayloadTooLargeError(f"The WebDAV server at {where} refused a file as too large.")
        if status == 429:
            return HubRateLimitedError(
                f"The WebDAV server at {where} asked memtray to slow down.",
                retry_after=retry_after_seconds(response.headers),
            )
        if status == 507:
            return HubFullError(
                f"The WebDAV server at {where} is out of space or over its quota. Free some space or raise the quota."
            )
        if status in RETRY_STATUSES:
            return HubUnreachableError(
                f"The WebDAV server at {where} is not working right now (HTTP {status}). memtray will try again later."
            )
        return HubError(f"The WebDAV server at {where} could not {action} (HTTP {status}).")


def _check_key(key: str) -> None:
    if not is_valid_key(key):
        raise UsageError(f"'{key}' is not a valid name for a stored item.")


def _ancestors(key: str) -> builtins.list[str]:
    parts = key.split("/")[:-1]
    return ["/".join(parts[: depth + 1]) for depth in range(len(parts))]


def _may_hold(collection: str, prefix: str, after: str | None) -> bool:
    """Whether keys under ``collection`` can start with ``prefix`` and sort after ``after``."""
    inside = collection + "/"
    if not (inside.startswith(prefix) or prefix.startswith(inside)):
        return False
    return after is None or after.startswith(inside) or inside > after


def _declared_length(response: requests.Response) -> int | None:
    length = response.headers.get("Content-Length", "")
    return int(length) if length.isdigit() else None


def _drop_body(response: requests.Response) -> None:
    """Read and forget a body memtray does not use (so the connection can be reused), but never much of it."""
    with contextlib.suppress(requests.RequestException), response:
        read = 0
        for chunk in response.iter_content(READ_CHUNK):
            read += len(chunk)
            if read > ANSWER_MAX:
                break
