"""The published API contract, contracts/billing-openapi.json, is the app's own OpenAPI document.

Regenerate it after changing a route, a request body or an error:
``.venv/bin/billing openapi > contracts/billing-openapi.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from billing.adapters.files import XLSX
from billing.adapters.http.app import create_app
from billing.settings import Settings
from servicekit.contracts import check_contract, check_problem_json

CONTRACT = Path(__file__).resolve().parents[4] / "contracts" / "billing-openapi.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(settings=Settings()).openapi()


def test_contract_file_matches_the_app(spec: dict[str, Any]) -> None:
    check_contract(spec, CONTRACT, "billing")


def test_errors_are_documented_as_problem_json(spec: dict[str, Any]) -> None:
    check_problem_json(spec)
    assert {"201", "409", "422"} <= set(spec["paths"]["/v1/policies"]["post"]["responses"])
    upload = spec["paths"]["/v1/policies/{policy_id}/members/upload"]["post"]
    assert {"text/csv", XLSX} <= set(upload["requestBody"]["content"])
