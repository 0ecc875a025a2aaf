"""The checked-in event contracts equal what the code generates (``python -m
eventfeed.contracts --write`` regenerates them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from eventfeed import contracts

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def test_contracts_match_the_code() -> None:
    problems = contracts.drift(CONTRACTS)
    assert problems == [], (
        f"contracts drift from the code: {problems}; "
        "run `python -m eventfeed.contracts --write` and commit"
    )


def test_every_ledger_event_has_a_schema_and_a_message() -> None:
    from ledger.domain.events import EVENT_TYPES

    doc = yaml.safe_load((CONTRACTS / "asyncapi.yaml").read_text())
    assert doc["asyncapi"] == "3.0.0"
    assert doc["channels"]["ledger"]["address"] == "receivables.ledger.v1"
    assert doc["channels"]["dunning"]["address"] == "receivables.dunning.v1"
    for name, cls in EVENT_TYPES.items():
        assert (CONTRACTS / "events" / f"{name}.v{cls.schema_version}.json").exists()
        assert name in doc["channels"]["ledger"]["messages"]


def test_drift_is_detected(tmp_path: Path) -> None:
    copy = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, copy)
    schema = copy / "events" / "InvoiceIssued.v2.json"
    schema.write_text(schema.read_text().replace('"total"', '"grand_total"'))
    (copy / "events" / "InvoiceIssued.v3.json").write_text("{}")
    (copy / "events" / "InvoiceIssued.v1.json").write_text("{}")  # history: allowed
    assert contracts.drift(copy) == ["events/InvoiceIssued.v2.json", "events/InvoiceIssued.v3.json"]
    assert contracts.write(copy) == ["events/InvoiceIssued.v2.json"]
