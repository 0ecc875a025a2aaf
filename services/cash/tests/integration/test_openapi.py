"""contracts/cash-openapi.json is the app's own OpenAPI document (regenerate it with
``.venv/bin/cash openapi > contracts/cash-openapi.json`` after changing the API)."""

from __future__ import annotations

from pathlib import Path

from cash.adapters.http.app import create_app
from cash.settings import Settings
from servicekit.contracts import check_contract, check_problem_json

PUBLISHED = Path(__file__).resolve().parents[4] / "contracts" / "cash-openapi.json"


def test_the_published_contract_is_what_the_app_serves() -> None:
    check_contract(create_app(settings=Settings()).openapi(), PUBLISHED, "cash")


def test_refusals_are_documented_as_problem_details() -> None:
    spec = create_app(settings=Settings()).openapi()
    check_problem_json(spec)
    match = spec["paths"]["/v1/lines/{line_id}/match"]["post"]["responses"]
    assert {"404", "422"} <= set(match)
