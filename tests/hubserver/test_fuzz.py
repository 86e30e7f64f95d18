"""Schemathesis against /openapi.json: no input makes the hub answer 500 or break its own schema.

Each generated case runs twice: as generated (random vault ids, mostly 404/422), and with the
vault id of a real vault and its device token, so the handlers behind authentication get fuzzed too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.hubserver.conftest import Vault, make_vault
from tests.servers.http_hub import RunningHub, run_hub_server

EXAMPLES = 500
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    folder: Path = tmp_path_factory.mktemp("fuzz-hub")
    with run_hub_server(folder, "--rate", "1000000", "--max-body", "65536") as running:
        yield running


@pytest.fixture(scope="module")
def fuzz_vault(fuzz_hub: RunningHub) -> Vault:
    return make_vault(fuzz_hub)


def test_no_server_errors_and_schema_conformance(fuzz_hub: RunningHub, fuzz_vault: Vault) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_hub.url}/openapi.json")
    strategy = st.one_of(schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE))
    headers = {"Authorization": f"Bearer {fuzz_vault.a.token}"}
    seen: set[str] = set()

    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def fuzz(case: Any) -> None:
        seen.add(case.operation.label)
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)
        if "vault_id" in (case.path_parameters or {}):
            case.path_parameters["vault_id"] = fuzz_vault.vault_id
            if case.operation.label.endswith("/changes"):
                # The long-poll would otherwise wait its default 30 s, racing this call's 30 s read timeout.
                case.query = {**(case.query or {}), "timeout": 0}
            case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

    fuzz()
    assert len(seen) >= 10, sorted(seen)
    assert "internal error" not in fuzz_hub.log_text()
