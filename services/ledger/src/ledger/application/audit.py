"""Tamper evidence and projection rebuilds, over stored events (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.application.checkpoints import Checkpoint
from ledger.application.hashing import seal_matches
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
    checkpoint: Checkpoint | None = None  # the latest: what it covers is fully checked

    @property
    def ok(self) -> bool:
        return not self.findings


def verify_stream(
    stream_id: str, head: StreamHead | None, stored: list[StoredEvent], key: bytes
) -> list[Finding]:
    """Check a stream's chain: contiguous versions, linked and correct hashes, head match."""
    findings: list[Finding] = []
    prev: bytes | None = None
    scheme = 1
    for expected, s in enumerate(stored, start=1):
        if s.version != expected:
            findings.append(
                Finding(stream_id, s.version, f"version {expected} is missing (found {s.version})")
            )
            break
        if s.hash_scheme < scheme:
            findings.append(Finding(stream_id, s.version, "hash scheme goes back (position)"))
        scheme = s.hash_scheme
        if (bytes(s.prev_hash) if s.prev_hash is not None else None) != prev:
            findings.append(Finding(stream_id, s.version, "previous-hash link is broken"))
        if not seal_matches(key, s):
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


def fold_problems(stream_id: str, stored: list[StoredEvent], into: ProjectionRows) -> list[Finding]:
    """Project the stream into ``into``; a stream whose events do not fold (an event removed
    behind the service's back, say) is reported instead, and adds no rows."""
    rows = ProjectionRows()
    try:
        project_stream(stored, rows)
    except Exception as e:  # any rule the domain's fold enforces
        return [Finding(stream_id, None, f"events do not fold: {type(e).__name__}: {e}")]
    into.accounts += rows.accounts
    into.open_items += rows.open_items
    into.payments += rows.payments
    into.journal += rows.journal
    return []
