"""A jurisdiction is the same thing wherever the APIs take one: an object made with one (an
account, a broker, a blacklist entry) can be found again by it in every filter."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.application.pages import check_filters
from servicekit.types import JURISDICTION_PATTERN

CONTRACTS = Path(__file__).parents[2] / "contracts"


def jurisdiction_patterns(node: Any, where: str = "") -> Iterator[tuple[str, str | None]]:
    """(where, pattern) of every parameter or property named ``jurisdiction``."""
    if isinstance(node, dict):
        if node.get("name") == "jurisdiction" and "schema" in node:
            yield where, _pattern(node["schema"])
        for key, value in node.get("properties", {}).items():
            if key == "jurisdiction":
                yield f"{where}/properties", _pattern(value)
        for key, value in node.items():
            yield from jurisdiction_patterns(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from jurisdiction_patterns(value, f"{where}/{i}")


def _pattern(schema: dict[str, Any]) -> str | None:
    for option in [schema, *schema.get("anyOf", [])]:
        if "pattern" in option:
            return str(option["pattern"])
    return None


@pytest.mark.parametrize("contract", sorted(p.name for p in CONTRACTS.glob("*openapi.json")))
def test_every_jurisdiction_an_api_takes_has_the_one_pattern(contract: str) -> None:
    document = json.loads((CONTRACTS / contract).read_text())
    other = {
        where: pattern
        for where, pattern in jurisdiction_patterns(document)
        if pattern is not None and pattern != JURISDICTION_PATTERN
    }
    assert other == {}


def test_the_console_filters_on_what_the_services_take() -> None:
    check_filters("SGD", "LABUAN")  # 2 to 8 capital letters, as an account is opened with
