"""The CloudEvents 1.0 envelope of published events, Kafka protocol binding, binary mode.

One Kafka message per event:

key                     the account id (also the ``partitionkey`` extension)
value                   ``data`` as JSON (``content-type: application/json``)
ce_specversion          ``1.0``
ce_id                   the event id (UUID)
ce_source               the publisher, e.g. ``/receivables/ledger``
ce_type                 ``receivables.<publisher>.<EventType>``,
                        e.g. ``receivables.ledger.InvoiceIssued``
ce_subject              the account id
ce_time                 recorded time (RFC 3339, UTC)
ce_dataschema           ``urn:receivables:<publisher>:<EventType>:v<n>``
ce_schemaversion        n (the payload's schema version)
ce_position             global position in the publisher's store
ce_streamversion        version of the event in its account stream
ce_effectivedate        business date (ISO 8601)
ce_actor, ce_correlationid, ce_causationid   when known

Encoding and decoding go through the ``cloudevents`` library's Kafka binding.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from eventfeed.event import LedgerEvent

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
TYPE_PREFIX = "receivables"
LEDGER_SOURCE = "/receivables/ledger"
DUNNING_SOURCE = "/receivables/dunning"
BILLING_SOURCE = "/receivables/billing"

_FORMAT = JSONFormat()


class EnvelopeError(ValueError):
    """A Kafka message is not a valid event envelope of this contract."""


def publisher_of(source: str) -> str:
    """``/receivables/ledger`` -> ``ledger``."""
    return source.rstrip("/").rsplit("/", 1)[-1]


def cloudevent_type(publisher: str, event_type: str) -> str:
    return f"{TYPE_PREFIX}.{publisher}.{event_type}"


def dataschema(publisher: str, event_type: str, schema_version: int) -> str:
    return f"urn:{TYPE_PREFIX}:{publisher}:{event_type}:v{schema_version}"


def attributes(event: LedgerEvent, source: str = LEDGER_SOURCE) -> dict[str, Any]:
    """The CloudEvents attributes (context and extensions) of ``event``."""
    publisher = publisher_of(source)
    attrs: dict[str, Any] = {
        "specversion": SPECVERSION,
        "id": str(event.event_id),
        "source": source,
        "type": cloudevent_type(publisher, event.type),
        "subject": event.account_id,
        "time": event.recorded_at.astimezone(UTC),
        "datacontenttype": CONTENT_TYPE,
        "dataschema": dataschema(publisher, event.type, event.schema_version),
        "schemaversion": event.schema_version,
        "position": event.position,
        "streamversion": event.version,
        "effectivedate": event.effective_date.isoformat(),
        "partitionkey": event.account_id,
    }
    if event.actor:
        attrs["actor"] = event.actor
    if event.correlation_id:
        attrs["correlationid"] = str(event.correlation_id)
    if event.causation_id:
        attrs["causationid"] = str(event.causation_id)
    return attrs


def to_cloudevent(event: LedgerEvent, source: str = LEDGER_SOURCE) -> CloudEvent:
    """The ``cloudevents`` library's event (validated by it)."""
    return CloudEvent(attributes(event, source), dict(event.data))


def to_kafka_with_library(event: LedgerEvent, source: str = LEDGER_SOURCE) -> ce_kafka.KafkaMessage:
    """The Kafka message through the library's binding (validates every attribute)."""
    return ce_kafka.to_binary(to_cloudevent(event, source), _FORMAT)


def to_kafka(event: LedgerEvent, source: str = LEDGER_SOURCE) -> ce_kafka.KafkaMessage:
    """The Kafka message (binary content mode) of ``event``; key = account id.

    The same bytes as :func:`to_kafka_with_library` (a test holds them equal) without the
    library's per-message validation of attributes built here, which would cost the relay
    most of its time: the binding's rules are ``ce_`` + attribute name for every attribute
    but ``datacontenttype`` (the ``content-type`` header), RFC 3339 times with ``Z``,
    everything else ``str()``, UTF-8; the data as JSON.
    """
    headers: dict[str, bytes] = {}
    for name, value in attributes(event, source).items():
        if name == "datacontenttype":
            headers["content-type"] = value.encode()
        elif isinstance(value, datetime):
            text = value.isoformat()
            headers["ce_" + name] = (text[:-6] + "Z" if text.endswith("+00:00") else text).encode()
        else:
            headers["ce_" + name] = str(value).encode()
    value = json.dumps(dict(event.data)).encode()
    return ce_kafka.KafkaMessage(headers=headers, key=event.account_id, value=value)


def headers_list(message: ce_kafka.KafkaMessage) -> list[tuple[str, bytes]]:
    """Headers in the list form Kafka clients (aiokafka) take."""
    return list(message.headers.items())


def key_bytes(message: ce_kafka.KafkaMessage) -> bytes | None:
    key = message.key
    return key.encode() if isinstance(key, str) else key


def from_kafka(
    key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, bytes]]
) -> LedgerEvent:
    """Parse a consumed Kafka message (binary or structured mode) into a ``LedgerEvent``."""
    message = ce_kafka.KafkaMessage(headers=dict(headers), key=key, value=value or b"")
    try:
        ce = ce_kafka.from_kafka(message, _FORMAT)
    except Exception as e:
        raise EnvelopeError(f"not a CloudEvent: {e}") from e
    return from_cloudevent(ce)


def from_cloudevent(ce: Any) -> LedgerEvent:
    attrs: Mapping[str, Any] = ce.get_attributes()
    try:
        data = ce.get_data()
        if isinstance(data, bytes | str):
            data = json.loads(data)
        type_ = str(attrs["type"]).rsplit(".", 1)[-1]
        recorded_at = attrs["time"]
        return LedgerEvent(
            position=int(attrs["position"]),
            account_id=str(attrs["subject"]),
            version=int(attrs["streamversion"]),
            event_id=UUID(str(attrs["id"])),
            type=type_,
            schema_version=int(attrs["schemaversion"]),
            data=dict(data or {}),
            effective_date=date.fromisoformat(str(attrs["effectivedate"])),
            recorded_at=recorded_at,
            actor=attrs.get("actor"),
            correlation_id=_uuid(attrs.get("correlationid")),
            causation_id=_uuid(attrs.get("causationid")),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise EnvelopeError(f"CloudEvent {attrs.get('id')!r} lacks or garbles {e}") from e


def _uuid(value: object) -> UUID | None:
    return None if value in (None, "") else UUID(str(value))
