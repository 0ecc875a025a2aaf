"""The published API contract, contracts/openapi.json, is the app's own OpenAPI document.

Regenerate it after changing a route, a request body or an error:
``.venv/bin/ledger openapi > contracts/openapi.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger.adapters.http.app import create_app
from ledger.settings import Settings
from servicekit.contracts import check_contract, check_problem_json

CONTRACT = Path(__file__).resolve().parents[4] / "contracts" / "openapi.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(settings=Settings()).openapi()


def test_contract_file_matches_the_app(spec: dict[str, Any]) -> None:
    check_contract(spec, CONTRACT, "ledger")


def test_every_amount_is_a_decimal_string(spec: dict[str, Any]) -> None:
    money = {"amount", "credit_limit"}
    found = 0
    for name, schema in spec["components"]["schemas"].items():
        for prop, definition in schema.get("properties", {}).items():
            if prop in money:
                found += 1
                variants = definition.get("anyOf", [definition])
                types = {v.get("type") for v in variants}
                assert '"number"' not in json.dumps(definition), (name, prop)
                assert types <= {"string", "null"}, (name, prop, definition)
    assert found >= 10


def test_errors_are_documented_as_problem_json(spec: dict[str, Any]) -> None:
    check_problem_json(spec)
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            if "{account_id}" in path:
                assert "404" in codes, (method, path)
            if method == "post":
                assert {"409", "422"} <= codes, (method, path)
