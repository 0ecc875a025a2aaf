"""The published OpenAPI contracts (``contracts/*.json``) checked against the apps.

Each service's test calls :func:`check_contract` with its app's document, the contract file
and the command that regenerates it, and :func:`check_problem_json` for its refusals::

    def test_contract_file_matches_the_app(spec):
        check_contract(spec, CONTRACTS / "billing-openapi.json", "billing")
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

PROBLEM_JSON = "application/problem+json"


def _lines(document: Any) -> list[str]:
    return json.dumps(document, indent=2, sort_keys=True).splitlines()


def check_contract(spec: dict[str, Any], contract: Path, command: str) -> None:
    """Fail, showing the first differing lines and how to regenerate, unless ``contract``
    holds exactly the document ``spec`` (as JSON: key order and layout do not matter)."""
    regenerate = f".venv/bin/{command} openapi > contracts/{contract.name}"
    assert contract.exists(), f"contracts/{contract.name} is missing; run: {regenerate}"
    published = json.loads(contract.read_text())
    served = json.loads(json.dumps(spec))
    if published == served:
        return
    drift = difflib.unified_diff(_lines(published), _lines(served), "published", "app", lineterm="")
    raise AssertionError(
        f"the API drifted from contracts/{contract.name}; run: {regenerate}\n"
        + "\n".join(list(drift)[:40])
    )


def check_problem_json(spec: dict[str, Any]) -> None:
    """Every documented 4xx is ``application/problem+json`` (FastAPI's own validation error
    schema is replaced by the Problem schema)."""
    schemas = spec["components"]["schemas"]
    assert "Problem" in schemas
    assert "HTTPValidationError" not in schemas
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for code, response in op["responses"].items():
                if code.startswith("4"):
                    assert list(response["content"]) == [PROBLEM_JSON], (method, path, code)
