"""Tamper evidence and projection rebuilds, over stored events (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.application.hashing import canonical, chain_hash
from ledger.application.projections import (
    Row,
    account_row,
    item_row,
    journal_rows,
    payment_row,
)
from ledger.application.records import StoredEvent, StreamHead
from ledger.application.upcasting import to_domain
from ledger.domain.state import Account, evolve


@dataclass
class Finding:
    stream_id: str
    version: int | None
    problem: str


@dataclass
class VerifyReport:
    streams: int = 0
    events: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def verify_stream(
    stream_id: str, head: StreamHead | None, stored: list[StoredEvent], key: bytes
) -> list[Finding]:
    """Check a stream's chain: contiguous versions, linked and correct hashes, head match."""
    findings: list[Finding] = []
    prev: bytes | None = None
    for expected, s in enumerate(stored, start=1):
        if s.version != expected:
            findings.append(
                Finding(stream_id, s.version, f"version {expected} is missing (found {s.version})")
            )
            break
        if (bytes(s.prev_hash) if s.prev_hash is not None else None) != prev:
            findings.append(Finding(stream_id, s.version, "previous-hash link is broken"))
        record = canonical(s)
        if chain_hash(key, s.prev_hash, record) != bytes(s.hash):
            findings.append(Finding(stream_id, s.version, "content does not match its hash"))
        prev = bytes(s.hash)
    if head is None:
        findings.append(Finding(stream_id, None, "events without a stream head"))
    elif not stored or head.version != stored[-1].version or bytes(head.hash) != prev:
        last = stored[-1].version if stored else 0
        findings.append(
            Finding(stream_id, None, f"head says version {head.version}, events end at {last}")
        )
    return findings


@dataclass
class ProjectionRows:
    accounts: list[Row] = field(default_factory=list)
    open_items: list[Row] = field(default_factory=list)
    payments: list[Row] = field(default_factory=list)
    journal: list[Row] = field(default_factory=list)


def project_stream(stored: list[StoredEvent], into: ProjectionRows) -> Account | None:
    """Fold one stream's events and add the rows it projects to ``into``."""
    state: Account | None = None
    for s in stored:
        event = to_domain(s.event_type, s.schema_version, s.data)
        state = evolve(state, event)
        into.journal += journal_rows(state.account_id, s.position, event, s.recorded_at)
    if state is None:
        return None
    into.accounts.append(account_row(state))
    into.open_items += [item_row(state.account_id, i) for i in state.items.values()]
    into.payments += [payment_row(state.account_id, p) for p in state.payments.values()]
    return state
