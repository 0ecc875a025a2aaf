"""The CloudEvents envelope: the relay's fast encoder writes exactly what the ``cloudevents``
library's Kafka binding writes, and every form parses back to the same ``LedgerEvent``."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat

from eventfeed import LedgerEvent
from eventfeed.envelope import (
    DUNNING_SOURCE,
    EnvelopeError,
    from_kafka,
    headers_list,
    key_bytes,
    to_cloudevent,
    to_kafka,
    to_kafka_with_library,
)


def event(**changes: object) -> LedgerEvent:
    base: dict[str, object] = {
        "position": (123456 << 16) + 2,
        "account_id": "ACC-1",
        "version": 7,
        "event_id": uuid.uuid4(),
        "type": "PaymentReceived",
        "schema_version": 1,
        "data": {
            "payment_id": "P-1",
            "currency": "SGD",
            "amount": "1250.00",
            "received_on": "2026-01-10",
            "method": "bank_transfer",
            "reference": None,
            "note": "caf\u00e9 \u4ed8\u6b3e",
        },
        "effective_date": date(2026, 1, 10),
        "recorded_at": datetime(2026, 1, 10, 9, 30, 1, 123456, tzinfo=UTC),
        "actor": "api",
        "correlation_id": uuid.uuid4(),
        "causation_id": None,
    }
    base.update(changes)
    return LedgerEvent(**base)  # type: ignore[arg-type]


CASES = [
    event(),
    event(actor=None, correlation_id=None, causation_id=uuid.uuid4()),
    event(recorded_at=datetime(2026, 1, 10, 17, 30, tzinfo=timezone(timedelta(hours=8)))),
    event(type="InvoiceIssued", schema_version=2, data={"lines": [{"amount": "1.00"}]}),
]


@pytest.mark.parametrize("e", CASES)
def test_the_fast_encoder_writes_what_the_library_writes(e: LedgerEvent) -> None:
    assert to_kafka(e) == to_kafka_with_library(e)
    assert to_kafka(e, DUNNING_SOURCE) == to_kafka_with_library(e, DUNNING_SOURCE)


@pytest.mark.parametrize("e", CASES)
def test_binary_and_structured_messages_parse_back(e: LedgerEvent) -> None:
    binary = to_kafka(e)
    assert from_kafka(key_bytes(binary), binary.value, headers_list(binary)) == e
    structured = ce_kafka.to_structured(to_cloudevent(e), JSONFormat())
    assert from_kafka(key_bytes(structured), structured.value, headers_list(structured)) == e


@pytest.mark.parametrize("e", CASES)
def test_the_feed_json_parses_back(e: LedgerEvent) -> None:
    assert LedgerEvent.from_feed(e.to_feed()) == e


def test_headers_carry_the_contract() -> None:
    e = event()
    headers = dict(headers_list(to_kafka(e)))
    assert key_bytes(to_kafka(e)) == b"ACC-1"
    assert headers["ce_id"] == str(e.event_id).encode()
    assert headers["ce_type"] == b"receivables.ledger.PaymentReceived"
    assert headers["ce_subject"] == b"ACC-1"
    assert headers["ce_time"] == b"2026-01-10T09:30:01.123456Z"
    assert headers["ce_position"] == str(e.position).encode()
    assert headers["ce_streamversion"] == b"7"
    assert headers["ce_dataschema"] == b"urn:receivables:ledger:PaymentReceived:v1"
    assert headers["content-type"] == b"application/json"


def test_a_message_that_is_no_event_is_refused() -> None:
    with pytest.raises(EnvelopeError):
        from_kafka(b"k", b"{}", [("ce_specversion", b"1.0"), ("ce_id", b"1")])


def test_amounts_are_exact() -> None:
    assert str(event().amount()) == "1250.00"
