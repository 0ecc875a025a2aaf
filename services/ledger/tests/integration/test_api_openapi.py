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

CONTRACT = Path(__file__).resolve().parents[4] / "contracts" / "openapi.json"
REGENERATE = ".venv/bin/ledger openapi > contracts/openapi.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(settings=Settings()).openapi()


def _diff(old: Any, new: Any, at: str = "") -> list[str]:
    """Where two JSON documents differ, as JSON-pointer-ish paths (first few)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(old.keys() | new.keys()):
            if key not in new:
                out.append(f"{at}/{key}: removed")
            elif key not in old:
                out.append(f"{at}/{key}: added")
            else:
                out += _diff(old[key], new[key], f"{at}/{key}")
        return out
    return [] if old == new else [f"{at}: changed"]


def test_contract_file_matches_the_app(spec: dict[str, Any]) -> None:
    assert CONTRACT.exists(), f"contracts/openapi.json is missing; run: {REGENERATE}"
    published = json.loads(CONTRACT.read_text())
    drift = _diff(published, json.loads(json.dumps(spec)))
    assert not drift, f"the API drifted from contracts/openapi.json; run: {REGENERATE}\n" + (
        "\n".join(drift[:20])
    )


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
    assert "Problem" in spec["components"]["schemas"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            if "{account_id}" in path:
                assert "404" in codes, (method, path)
            if method == "post":
                assert {"409", "422"} <= codes, (method, path)
            for code, response in op["responses"].items():
                if code.startswith("4"):
                    assert list(response["content"]) == ["application/problem+json"]
