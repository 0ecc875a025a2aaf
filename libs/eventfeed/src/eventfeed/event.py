"""The event a consumer's handler receives, whichever transport delivered it.

``LedgerEvent`` is built from one JSON object of the ledger's HTTP feed
(``GET /v1/events``) or from one Kafka message in the CloudEvents envelope
(:mod:`eventfeed.envelope`); both give equal objects. ``data`` is the event's public
payload as JSON (amounts are decimal strings such as ``"1250.00"``, dates ISO strings),
already upcast by the publisher to ``schema_version``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class LedgerEvent:
    """One published event of an account stream.

    position        global position in the publisher's store; increases with commit order
                    (the HTTP feed is ordered by it; Kafka keeps it per partition)
    account_id      the stream, also the Kafka key and the CloudEvents ``subject``
    version         the stream version: 1, 2, 3 ... per account, without gaps
    event_id        unique id (CloudEvents ``id``); the dedupe key across transports
    type            event type name, e.g. ``"PaymentReceived"``
    schema_version  version of ``data``'s schema (``contracts/events/<type>.v<n>.json``)
    data            the payload
    effective_date  business date of the event (issue date, value date ...)
    recorded_at     when the ledger recorded it (CloudEvents ``time``), timezone-aware
    """

    position: int
    account_id: str
    version: int
    event_id: UUID
    type: str
    schema_version: int
    data: Mapping[str, Any] = field(hash=False)
    effective_date: date
    recorded_at: datetime
    actor: str | None = None
    correlation_id: UUID | None = None
    causation_id: UUID | None = None

    def amount(self, name: str = "amount") -> Decimal:
        """A money field of ``data`` as an exact ``Decimal`` (never a float)."""
        return Decimal(str(self.data[name]))

    @classmethod
    def from_feed(cls, obj: Mapping[str, Any]) -> LedgerEvent:
        """Parse one element of the HTTP feed's ``events`` array."""
        return cls(
            position=int(obj["position"]),
            account_id=str(obj["account_id"]),
            version=int(obj["version"]),
            event_id=UUID(str(obj["event_id"])),
            type=str(obj["type"]),
            schema_version=int(obj["schema_version"]),
            data=dict(obj["data"]),
            effective_date=date.fromisoformat(str(obj["effective_date"])),
            recorded_at=datetime.fromisoformat(str(obj["recorded_at"])),
            actor=obj.get("actor"),
            correlation_id=_uuid(obj.get("correlation_id")),
            causation_id=_uuid(obj.get("causation_id")),
        )

    def to_feed(self) -> dict[str, Any]:
        """The HTTP feed's JSON form (what :meth:`from_feed` reads)."""
        return {
            "position": self.position,
            "account_id": self.account_id,
            "version": self.version,
            "event_id": str(self.event_id),
            "type": self.type,
            "schema_version": self.schema_version,
            "data": dict(self.data),
            "effective_date": self.effective_date.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "actor": self.actor,
            "correlation_id": str(self.correlation_id) if self.correlation_id else None,
            "causation_id": str(self.causation_id) if self.causation_id else None,
        }


def _uuid(value: object) -> UUID | None:
    return None if value in (None, "") else UUID(str(value))
