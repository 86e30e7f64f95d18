"""A hub in an S3 bucket: AWS S3, MinIO, Cloudflare R2, Backblaze B2 or any S3-compatible store.

URL: ``s3://bucket[/prefix]?endpoint=https://host:port&region=us-east-1&addressing=path|virtual|auto``.
Without ``endpoint`` it is AWS; ``addressing`` defaults to ``path`` with an endpoint (what
self-hosted stores expect) and to ``auto`` without. The secret is ``ACCESS_KEY_ID:SECRET_ACCESS_KEY``;
without one, boto3's usual places (environment, ~/.aws, instance role) are used.

Create-only writes send ``If-None-Match: *`` with PutObject, which AWS, MinIO and R2 honour. A store
that ignores the header is found out once per hub with a hidden probe object; there memtray checks
with HeadObject and then writes. That leaves a gap between check and write, which is acceptable
because every laptop writes only its own keys (its own log and checkpoints, blobs under fresh random
names), so nobody else races it for the same key.

An object is refused before download when its ContentLength is over ``max_object_size``, and its
body is read in chunks with a running cap, so a store that lies about the length is bounded too.
"""

from __future__ import annotations

import builtins
import contextlib
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
from memtray.hubs.base import READ_CHUNK, check_declared_size, read_capped
from memtray.hubs.keys import is_listed_key, is_valid_key

ATTEMPTS = 3
URL_OPTIONS = frozenset({"endpoint", "region", "addressing"})
ADDRESSING = frozenset({"path", "virtual", "auto"})
PROBE_PREFIX = ".memtray-probe-"
AUTH_CODES = frozenset(
    {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed"}
)
MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
EXISTS_CODES = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict"})
FULL_CODES = frozenset({"QuotaExceeded", "InsufficientStorage", "XMinioStorageFull", "StorageQuotaExceeded"})
THROTTLE_CODES = frozenset({"SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests"})
UNSUPPORTED_CODES = frozenset({"NotImplemented", "501"})


class S3Hub:
    def __init__(self, url: str, secret: str | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise UsageError("An S3 storage address looks like s3://bucket/folder?endpoint=https://s3.example.com.")
        if "@" in parts.netloc:
            raise UsageError("Take the access key out of the S3 address; memtray keeps it in the keychain.")
        options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        unknown = sorted(set(options) - URL_OPTIONS)
        if unknown:
            raise UsageError(f"The S3 address has an option memtray does not know: {unknown[0]}.")
        endpoint = options.get("endpoint")
        addressing = options.get("addressing", "path" if endpoint else "auto")
        if addressing not in ADDRESSING:
            raise UsageError("In the S3 address, addressing must be path, virtual or auto.")
        self.url = url
        self._bucket = parts.netloc
        folder = parts.path.strip("/")
        self._root = f"{folder}/" if folder else ""
        self._where = urlsplit(endpoint).netloc if endpoint else "AWS S3"
        self._conditional: bool | None = None
        self._client = _client(endpoint, options.get("region", "us-east-1"), addressing, secret)

    def __repr__(self) -> str:
        return f"S3Hub({self.url!r})"

    def put_new(self, key: str, data: bytes) -> None:
        _check_key(key)
        if self._conditional is None:
            self._conditional = self._probe_conditional_put()
        try:
            with self._calling("save a file", key):
                if not self._conditional and self._exists(key):
                    raise ObjectExistsError(f"Your storage already has {key}.")
                self._put(key, data, conditional=self._conditional)
        except ObjectExistsError as exc:
            # botocore retries a put whose answer was lost: our own bytes there mean the first try landed.
            if not (_retried(exc.__cause__) and self._existing(key) == data):
                raise

    def get(self, key: str) -> bytes:
        _check_key(key)
        with self._calling("read a file", key):
            answer = self._client.get_object(Bucket=self._bucket, Key=self._root + key)
            with contextlib.closing(answer["Body"]) as body:
                check_declared_size(key, answer.get("ContentLength"))
                return read_capped(iter(lambda: body.read(READ_CHUNK), b""), key)

    def list(self, prefix: str, after: str | None = None) -> builtins.list[str]:
        request = {"Bucket": self._bucket, "Prefix": self._root + prefix}
        if after is not None:
            request["StartAfter"] = self._root + after
        found = []
        with self._calling("list the bucket"):
            for page in self._client.get_paginator("list_objects_v2").paginate(**request):
                for item in page.get("Contents", []):
                    key = item["Key"][len(self._root) :]
                    if is_listed_key(key) and key.startswith(prefix) and (after is None or key > after):
                        found.append(key)
        return sorted(found)

    def delete(self, key: str) -> None:
        """Remove ``key``; a key that is already gone is not an error (S3 deletes are idempotent)."""
        _check_key(key)
        with self._calling("delete a file", key):
            self._client.delete_object(Bucket=self._bucket, Key=self._root + key)

    def close(self) -> None:
        self._client.close()

    def _put(self, key: str, data: bytes, *, conditional: bool) -> None:
        extra = {"IfNoneMatch": "*"} if conditional else {}
        self._client.put_object(Bucket=self._bucket, Key=self._root + key, Body=data, **extra)

    def _probe_conditional_put(self) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        probe = f"{PROBE_PREFIX}{uuid.uuid4().hex}"
        with self._calling("save a file"):
            try:
                self._put(probe, b"probe", conditional=True)
                self._put(probe, b"probe", conditional=True)
            except ClientError as exc:
                if _code(exc) not in EXISTS_CODES | UNSUPPORTED_CODES:
                    raise
                return _code(exc) in EXISTS_CODES
            finally:
                with contextlib.suppress(BotoCoreError, ClientError):
                    self._client.delete_object(Bucket=self._bucket, Key=self._root + probe)
        return False

    def _exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._client.head_object(Bucket=self._bucket, Key=self._root + key)
        except ClientError as exc:
            if _code(exc) in MISSING_CODES:
                return False
            raise
        return True

    def _existing(self, key: str) -> bytes | None:
        try:
            return self.get(key)
        except ObjectMissingError:
            return None

    @contextlib.contextmanager
    def _calling(self, action: str, key: str | None = None) -> Iterator[None]:
        """Turn botocore's failures inside the block into memtray errors with a plain sentence."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc, action, key) from exc

    def _error(self, exc: Exception, action: str, key: str | None) -> HubError:
        from botocore import exceptions

        where, bucket = self._where, self._bucket
        if isinstance(exc, exceptions.ClientError):
            return self._client_error(exc, action, key)
        if isinstance(exc, exceptions.SSLError):
            return HubError(
                f"memtray could not make a secure connection to {where}: the server's certificate was not "
                "accepted or it does not speak HTTPS. Check the endpoint in the storage address.",
                title="The secure connection to your storage failed",
            )
        if isinstance(exc, exceptions.ConnectTimeoutError | exceptions.ReadTimeoutError):
            return HubUnreachableError(f"The S3 service at {where} did not answer in time.")
        if isinstance(exc, exceptions.HTTPClientError | exceptions.IncompleteReadError):
            return HubUnreachableError(
                f"memtray could not reach the S3 service at {where}. Check the address and the internet connection."
            )
        if isinstance(exc, exceptions.NoCredentialsError | exceptions.PartialCredentialsError):
            return HubAuthError(f"No access key is set for the S3 bucket {bucket}. Add one in the storage settings.")
        return HubError(f"The S3 service at {where} could not {action} in the bucket {bucket}.")

    def _client_error(self, exc: Any, action: str, key: str | None) -> HubError:
        code = _code(exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        where, bucket = self._where, self._bucket
        if key is not None and code in MISSING_CODES:
            return ObjectMissingError(f"Your storage is missing {key}.")
        if key is not None and code in EXISTS_CODES:
            return ObjectExistsError(f"Your storage already has {key}.")
        if code in AUTH_CODES:
            return HubAuthError(
                f"The S3 service at {where} did not accept the access key. "
                "Check the key ID and secret in the storage settings."
            )
        if code == "AccessDenied" or status == 403:
            return HubAuthError(f"The S3 service at {where} does not allow this access key to {action} in {bucket}.")
        if code == "NoSuchBucket":
            return HubError(f"The bucket {bucket} does not exist at {where}. Create it or check the storage address.")
        if code in FULL_CODES or status == 507:
            return HubFullError(
                f"The bucket {bucket} at {where} is full or over its quota. Free some space or raise the quota."
            )
        if code == "EntityTooLarge" or status == 413:
            return HubPayloadTooLargeError(f"The S3 service at {where} refused a file as too large.")
        if code in THROTTLE_CODES or status in (429, 503):
            return HubRateLimitedError(f"The S3 service at {where} asked memtray to slow down.")
        if status >= 500:
            return HubUnreachableError(
                f"The S3 service at {where} is not working right now (HTTP {status}). memtray will try again later."
            )
        return HubError(f"The S3 service at {where} could not {action} in {bucket} ({code or status}).")


def _client(endpoint: str | None, region: str, addressing: str, secret: str | None) -> Any:
    import boto3
    from botocore.config import Config

    key_id, _, secret_key = (secret or "").partition(":")
    if secret and not secret_key:
        raise UsageError("The S3 secret must be written as ACCESS_KEY_ID:SECRET_ACCESS_KEY.")
    config = Config(
        connect_timeout=10,
        read_timeout=60,
        retries={"total_max_attempts": ATTEMPTS, "mode": "standard"},
        s3={"addressing_style": addressing},
        signature_version="s3v4",
        user_agent_extra="memtray",
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key_id or None,
        aws_secret_access_key=secret_key or None,
        config=config,
    )


def _code(exc: BaseException | None) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _retried(exc: BaseException | None) -> bool:
    response = getattr(exc, "response", None)
    return isinstance(response, dict) and response.get("ResponseMetadata", {}).get("RetryAttempts", 0) > 0


def _check_key(key: str) -> None:
    if not is_valid_key(key):
        raise UsageError(f"'{key}' is not a valid name for a stored item.")
