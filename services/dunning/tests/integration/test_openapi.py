"""The published API contract, contracts/dunning-openapi.json, is the app's own OpenAPI document.

Regenerate it after changing a route, a request body or an error:
``.venv/bin/dunning openapi > contracts/dunning-openapi.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dunning.adapters.http.app import create_app
from dunning.settings import Settings
from servicekit.contracts import check_contract, check_problem_json

CONTRACT = Path(__file__).resolve().parents[4] / "contracts" / "dunning-openapi.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(settings=Settings()).openapi()


def test_contract_file_matches_the_app(spec: dict[str, Any]) -> None:
    check_contract(spec, CONTRACT, "dunning")


def test_errors_are_documented_as_problem_json(spec: dict[str, Any]) -> None:
    check_problem_json(spec)
    retry = spec["paths"]["/v1/dead-letters/{event_id}/retry"]["post"]["responses"]
    assert {"200", "404", "409"} <= set(retry)
