"""The checked-in event contracts equal what the code generates (``python -m
eventfeed.contracts --write`` regenerates them)."""

from __future__ import annotations

import json
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


def test_every_dunning_event_has_a_schema_and_a_message() -> None:
    from dunning.domain.events import EVENT_TYPES

    doc = yaml.safe_load((CONTRACTS / "asyncapi.yaml").read_text())
    channel = doc["channels"]["dunning"]
    assert channel["address"] == "receivables.dunning.v1"
    assert sorted(channel["messages"]) == sorted(EVENT_TYPES)
    for name, cls in EVENT_TYPES.items():
        schema = json.loads(
            (CONTRACTS / "events" / f"{name}.v{cls.schema_version}.json").read_text()
        )
        assert schema["$id"] == f"urn:receivables:dunning:{name}:v{cls.schema_version}"
        assert schema["x-topic"] == "receivables.dunning.v1"
        message = doc["components"]["messages"][f"dunning.{name}"]
        assert message["payload"] == {"$ref": f"events/{name}.v{cls.schema_version}.json"}


def test_the_drift_check_covers_every_publisher() -> None:
    """A publisher whose package is missing is silently left out of the generated files."""
    found = [pub.key for pub, _ in contracts.installed_publishers()]
    assert found == [pub.key for pub in contracts.PUBLISHERS] == ["ledger", "dunning", "billing"]


def test_drift_is_detected(tmp_path: Path) -> None:
    copy = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, copy)
    schema = copy / "events" / "InvoiceIssued.v2.json"
    schema.write_text(schema.read_text().replace('"total"', '"grand_total"'))
    (copy / "events" / "InvoiceIssued.v3.json").write_text("{}")
    (copy / "events" / "InvoiceIssued.v1.json").write_text("{}")  # history: allowed
    assert contracts.drift(copy) == ["events/InvoiceIssued.v2.json", "events/InvoiceIssued.v3.json"]
    assert contracts.write(copy) == ["events/InvoiceIssued.v2.json"]


def test_every_billing_event_has_a_schema_and_a_message() -> None:
    from billing.domain.events import EVENT_TYPES

    doc = yaml.safe_load((CONTRACTS / "asyncapi.yaml").read_text())
    channel = doc["channels"]["billing"]
    assert channel["address"] == "receivables.billing.v1"
    assert sorted(channel["messages"]) == sorted(EVENT_TYPES)
    for name, cls in EVENT_TYPES.items():
        schema = json.loads(
            (CONTRACTS / "events" / f"{name}.v{cls.schema_version}.json").read_text()
        )
        assert schema["$id"] == f"urn:receivables:billing:{name}:v{cls.schema_version}"
        assert schema["x-topic"] == "receivables.billing.v1"
