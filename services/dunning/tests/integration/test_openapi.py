"""The published API contract, contracts/dunning-openapi.json, is the app's own OpenAPI document.

Regenerate it after changing a route, a request body or an error:
``.venv/bin/dunning openapi > contracts/dunning-openapi.json``.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from dunning.adapters.http.app import create_app
from dunning.settings import Settings

CONTRACT = Path(__file__).resolve().parents[4] / "contracts" / "dunning-openapi.json"
REGENERATE = ".venv/bin/dunning openapi > contracts/dunning-openapi.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(settings=Settings()).openapi()


def test_contract_file_matches_the_app(spec: dict[str, Any]) -> None:
    assert CONTRACT.exists(), f"contracts/dunning-openapi.json is missing; run: {REGENERATE}"
    published = CONTRACT.read_text().splitlines()
    generated = json.dumps(spec, indent=2, sort_keys=True).splitlines()
    drift = list(difflib.unified_diff(published, generated, "published", "app", lineterm=""))
    assert not drift, f"the API drifted from the contract; run: {REGENERATE}\n" + "\n".join(
        drift[:40]
    )


def test_errors_are_documented_as_problem_json(spec: dict[str, Any]) -> None:
    assert "Problem" in spec["components"]["schemas"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    retry = spec["paths"]["/v1/dead-letters/{event_id}/retry"]["post"]["responses"]
    assert {"200", "404", "409"} <= set(retry)
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for code, response in op["responses"].items():
                if code.startswith("4"):
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        code,
                    )
