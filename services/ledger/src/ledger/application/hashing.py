"""The per-stream hash chain of events (DESIGN invariant 8).

Each event's hash is an HMAC-SHA256, keyed by the service's chain key, over the previous
event's hash and a canonical JSON of everything the row records. Changing, removing or
inserting a row without the key breaks the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from ledger.application.records import StoredEvent


def canonical(s: StoredEvent) -> bytes:
    """The bytes the hash covers: every recorded field of the event but its hashes."""
    record = {
        "stream_id": s.stream_id,
        "version": s.version,
        "event_id": str(s.event_id),
        "event_type": s.event_type,
        "schema_version": s.schema_version,
        "data": s.data,
        "effective_date": s.effective_date.isoformat(),
        "recorded_at": s.recorded_at.isoformat(),
        "actor": s.actor,
        "correlation_id": str(s.correlation_id) if s.correlation_id else None,
        "causation_id": str(s.causation_id) if s.causation_id else None,
        "idempotency_key": s.idempotency_key,
    }
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(key: bytes, prev_hash: bytes | None, record: bytes) -> bytes:
    return hmac.new(key, (prev_hash or b"") + record, hashlib.sha256).digest()
