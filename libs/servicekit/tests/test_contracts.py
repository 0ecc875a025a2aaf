"""The OpenAPI contract checks fail on drift and on a 4xx that is not problem+json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from servicekit.contracts import check_contract, check_problem_json


def _spec(content_type: str = "application/problem+json") -> dict[str, Any]:
    return {
        "components": {"schemas": {"Problem": {}}},
        "paths": {"/v1/x": {"post": {"responses": {"422": {"content": {content_type: {}}}}}}},
    }


def test_a_contract_equal_as_json_passes_whatever_its_layout(tmp_path: Path) -> None:
    contract = tmp_path / "x-openapi.json"
    contract.write_text(json.dumps(_spec()))
    check_contract(_spec(), contract, "x")


def test_drift_names_the_changed_lines_and_the_command(tmp_path: Path) -> None:
    contract = tmp_path / "x-openapi.json"
    contract.write_text(json.dumps(_spec()))
    with pytest.raises(AssertionError, match=r"(?s)x openapi > contracts/x-openapi.json.*\+"):
        check_contract(_spec("application/json"), contract, "x")
    with pytest.raises(AssertionError, match="missing"):
        check_contract(_spec(), tmp_path / "none.json", "x")


def test_a_4xx_that_is_not_problem_json_is_refused() -> None:
    check_problem_json(_spec())
    with pytest.raises(AssertionError):
        check_problem_json(_spec("application/json"))
