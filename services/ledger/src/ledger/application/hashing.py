"""The per-stream hash chain of events (DESIGN invariant 8).

Each event's hash is an HMAC-SHA256, keyed by the service's chain key, over the previous
event's hash and a canonical JSON of everything the row records. Changing, removing or
inserting a row without the key breaks the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime
from typing import Any
from uuid import UUID


def canonical(
    *,
    stream_id: str,
    version: int,
    event_id: UUID,
    event_type: str,
    schema_version: int,
    data: dict[str, Any],
    effective_date: date,
    recorded_at: datetime,
    actor: str,
    correlation_id: UUID | None,
    causation_id: UUID | None,
    idempotency_key: str | None,
) -> bytes:
    record = {
        "stream_id": stream_id,
        "version": version,
        "event_id": str(event_id),
        "event_type": event_type,
        "schema_version": schema_version,
        "data": data,
        "effective_date": effective_date.isoformat(),
        "recorded_at": recorded_at.isoformat(),
        "actor": actor,
        "correlation_id": str(correlation_id) if correlation_id else None,
        "causation_id": str(causation_id) if causation_id else None,
        "idempotency_key": idempotency_key,
    }
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(key: bytes, prev_hash: bytes | None, record: bytes) -> bytes:
    return hmac.new(key, (prev_hash or b"") + record, hashlib.sha256).digest()
