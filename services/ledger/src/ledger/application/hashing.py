"""The per-stream hash chain of events (DESIGN invariant 8).

Each event's hash is an HMAC-SHA256, keyed by the service's chain key, over the previous
event's hash and a canonical JSON of everything the row records, its global position
included (hash scheme 2; events of scheme 1, written before, are checked as they were
hashed, without it). Changing, removing or inserting a row without the key breaks the
chain; removing a whole stream or its newest events is caught by the checkpoints
(:mod:`ledger.application.checkpoints`).
"""

from __future__ import annotations

import hashlib
import hmac
import json

from ledger.application.records import StoredEvent


def canonical(s: StoredEvent) -> bytes:
    """The bytes the hash covers: every recorded field of the event but its hashes."""
    record: dict[str, object] = {
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
    if s.hash_scheme >= 2:
        record["position"] = s.position
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(key: bytes, prev_hash: bytes | None, record: bytes) -> bytes:
    return hmac.new(key, (prev_hash or b"") + record, hashlib.sha256).digest()
