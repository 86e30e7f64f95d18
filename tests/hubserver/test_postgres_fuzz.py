"""The hub's schema fuzzing (tests/hubserver/test_fuzz.py) against a hub kept in PostgreSQL: no 500, no schema break."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hubserver.test_fuzz import fuzz_vault, test_no_server_errors_and_schema_conformance  # noqa: F401
from tests.servers.postgres import PostgresHub, run_postgres, run_postgres_hub


@pytest.fixture(scope="module")
def fuzz_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresHub]:
    with run_postgres() as server:
        folder = tmp_path_factory.mktemp("fuzz-pg-hub")
        with run_postgres_hub(folder, server.new_database(), "--rate", "1000000", "--max-body", "65536") as running:
            yield running
