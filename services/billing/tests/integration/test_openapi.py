"""The published API contract, contracts/billing-openapi.json, is the app's own OpenAPI document.

Regenerate it after changing a route, a request body or an error:
``.venv/bin/billing openapi > contracts/billing-openapi.json``.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from billing.adapters.files import XLSX
from billing.adapters.http.app import create_app
from billing.settings import Settings

CONTRACT = Path(__file__).resolve().parents[4] / "contracts" / "billing-openapi.json"
REGENERATE = ".venv/bin/billing openapi > contracts/billing-openapi.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(settings=Settings()).openapi()


def test_contract_file_matches_the_app(spec: dict[str, Any]) -> None:
    assert CONTRACT.exists(), f"contracts/billing-openapi.json is missing; run: {REGENERATE}"
    published = CONTRACT.read_text().splitlines()
    generated = json.dumps(spec, indent=2, sort_keys=True).splitlines()
    drift = list(difflib.unified_diff(published, generated, "published", "app", lineterm=""))
    assert not drift, f"the API drifted from the contract; run: {REGENERATE}\n" + "\n".join(
        drift[:40]
    )


def test_errors_are_documented_as_problem_json(spec: dict[str, Any]) -> None:
    assert "Problem" in spec["components"]["schemas"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    create = spec["paths"]["/v1/policies"]["post"]["responses"]
    assert {"201", "409", "422"} <= set(create)
    upload = spec["paths"]["/v1/policies/{policy_id}/members/upload"]["post"]
    assert {"text/csv", XLSX} <= set(upload["requestBody"]["content"])
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for code, response in op["responses"].items():
                if code.startswith("4"):
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        code,
                    )
