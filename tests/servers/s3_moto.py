"""moto's standalone S3 server on 127.0.0.1 with real request signing checks.

moto checks signatures and IAM policies once ``INITIAL_NO_AUTH_ACTION_COUNT`` unauthenticated
actions are used up; the fixture spends exactly those on making an IAM user with an access key,
so every later request, the laptop's and the tests', must be signed with that key.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.servers import HubEndpoint
from tests.servers._process import free_port, running

BUCKET = "memtray-hub"
FOLDER = "vault1"
REGION = "us-east-1"
SETUP_ACTIONS = 3
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


class S3RawStore:
    """The hub's objects, read and written with boto3 straight to the bucket."""

    def __init__(self, client: Any, bucket: str, folder: str) -> None:
        self.client = client
        self.bucket = bucket
        self.root = f"{folder}/"

    def keys(self, prefix: str = "") -> list[str]:
        found = []
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.root + prefix)
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"][len(self.root) :]
                if not any(part.startswith(".") for part in key.split("/")):
                    found.append(key)
        return sorted(found)

    def read(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.bucket, Key=self.root + key)["Body"].read())

    def write(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.root + key, Body=data)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.root + key)


def s3_client(endpoint: str, key_id: str = "setup", secret_key: str = "setup") -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret_key,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2, "mode": "standard"}),
    )


@contextlib.contextmanager
def s3_moto_endpoint(workdir: Path) -> Iterator[HubEndpoint]:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    environment = {"INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_ACTIONS), "MOTO_CALL_RESET_API": "false"}
    with running(command, port, workdir / "moto.log", environment):
        key_id, secret_key = _make_access_key(endpoint)
        client = s3_client(endpoint, key_id, secret_key)
        client.create_bucket(Bucket=BUCKET)
        yield HubEndpoint(
            kind="s3",
            url=f"s3://{BUCKET}/{FOLDER}?endpoint={endpoint}&region={REGION}&addressing=path",
            secret=f"{key_id}:{secret_key}",
            raw=S3RawStore(client, BUCKET, FOLDER),
        )
        client.close()


def _make_access_key(endpoint: str) -> tuple[str, str]:
    import boto3

    iam = boto3.session.Session().client(
        "iam", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="setup", aws_secret_access_key="setup"
    )
    iam.create_user(UserName="memtray")
    iam.put_user_policy(UserName="memtray", PolicyName="all", PolicyDocument=ALLOW_ALL)
    created = iam.create_access_key(UserName="memtray")["AccessKey"]
    iam.close()
    return str(created["AccessKeyId"]), str(created["SecretAccessKey"])
