"""The published contract, contracts/console-openapi.json, is the app's own OpenAPI document.

Regenerate it after changing a route:
``.venv/bin/console openapi > contracts/console-openapi.json``.
"""

from __future__ import annotations

from pathlib import Path

from console.adapters.web.app import create_app
from console.settings import Settings
from servicekit.contracts import check_contract

CONTRACT = Path(__file__).resolve().parents[4] / "contracts" / "console-openapi.json"


def test_contract_file_matches_the_app() -> None:
    spec = create_app(settings=Settings()).openapi()
    check_contract(spec, CONTRACT, "console")
    assert "Problem" in spec["components"]["schemas"]
