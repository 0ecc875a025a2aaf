"""The published view of an event: what the HTTP feed answers and the relay publishes.

One shape for both transports, so consumers see the same event whichever way it reaches
them. Stored events are upcast to the current schema version first.
"""

from __future__ import annotations

from typing import Any

from ledger.application.records import StoredEvent
from ledger.application.upcasting import to_domain


def event_view(s: StoredEvent) -> dict[str, Any]:
    event = to_domain(s.event_type, s.schema_version, s.data)
    return {
        "position": s.position,
        "account_id": s.stream_id,
        "version": s.version,
        "event_id": str(s.event_id),
        "type": s.event_type,
        "schema_version": type(event).schema_version,
        "data": event.model_dump(mode="json"),
        "effective_date": s.effective_date.isoformat(),
        "recorded_at": s.recorded_at.isoformat(),
        "actor": s.actor,
        "correlation_id": str(s.correlation_id) if s.correlation_id else None,
        "causation_id": str(s.causation_id) if s.causation_id else None,
    }
