"""Test-wide setup: a real Secret Service, a fast KDF profile, and isolated temp folders."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.desktop import start_keyring_session


@pytest.fixture(scope="session", autouse=True)
def secret_service() -> Iterator[dict[str, str]]:
    """Every test (and every memtray process it starts) talks to one real gnome-keyring."""
    os.environ["MEMTRAY_KDF_PROFILE"] = "test"
    os.environ.pop("MEMTRAY_PASSPHRASE", None)
    os.environ.pop("MEMTRAY_HOME", None)
    session = start_keyring_session()
    saved = {key: os.environ.get(key) for key in session.env}
    os.environ.update(session.env)
    yield session.env
    session.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
