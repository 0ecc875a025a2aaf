"""Records of the event store as the application sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from ledger.domain.events import Event


@dataclass(frozen=True)
class Metadata:
    """Who and why, recorded on every event of a command."""

    actor: str
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class NewEvent:
    event: Event
    event_id: UUID


@dataclass(frozen=True)
class StreamHead:
    version: int
    position: int
    hash: bytes


@dataclass(frozen=True)
class StoredEvent:
    position: int
    stream_id: str
    version: int
    event_id: UUID
    event_type: str
    schema_version: int
    data: dict[str, Any]  # as stored (before upcasting)
    effective_date: date
    recorded_at: datetime
    actor: str
    correlation_id: UUID | None
    causation_id: UUID | None
    idempotency_key: str | None
    prev_hash: bytes | None
    hash: bytes
    hash_scheme: int = 2  # 1: written before the hash covered the position
