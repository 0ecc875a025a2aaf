"""The published contract, contracts/console-openapi.json, is the app's own OpenAPI document.

Regenerate it after changing a route:
``.venv/bin/console openapi > contracts/console-openapi.json``.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from console.adapters.web.app import create_app
from console.settings import Settings

CONTRACT = Path(__file__).resolve().parents[4] / "contracts" / "console-openapi.json"
REGENERATE = ".venv/bin/console openapi > contracts/console-openapi.json"


def test_contract_file_matches_the_app() -> None:
    spec = create_app(settings=Settings()).openapi()
    assert CONTRACT.exists(), f"contracts/console-openapi.json is missing; run: {REGENERATE}"
    published = CONTRACT.read_text().splitlines()
    generated = json.dumps(spec, indent=2, sort_keys=True).splitlines()
    drift = list(difflib.unified_diff(published, generated, "published", "app", lineterm=""))
    assert not drift, f"the console drifted from its contract; run: {REGENERATE}\n" + "\n".join(
        drift[:40]
    )
    assert "Problem" in spec["components"]["schemas"]
