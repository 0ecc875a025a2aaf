"""Brokers and the maker-checker rule on their bank details.

A broker is registered with bank details that, like any later change, are a *request* (the
maker) that takes effect only when a different user approves it (the checker): no payout
uses details one person alone has entered. Rejected and superseded details stay in the
history. "Different user" compares normalised identities (``same_identity``), so ``Mallory``
cannot approve what ``mallory`` requested.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from commission.domain.bank import BankDetails
from commission.domain.errors import ChangeNotPending, SameUserApproval
from servicekit.identity import normalised_identity as normalised_identity  # re-exported
from servicekit.identity import same_identity as same_identity  # re-exported


class ChangeStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Broker:
    broker_id: str
    name: str
    jurisdiction: str
    tax_id: str | None
    contact_email: str | None
    registered_at: datetime


@dataclass(frozen=True)
class BankChange:
    """One version of a broker's bank details and how it came to be (or not)."""

    change_id: str
    broker_id: str
    details: BankDetails
    status: ChangeStatus
    requested_by: str
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None


def initial_change_id(broker_id: str) -> str:
    return f"{broker_id}:initial"


def initial_details(broker_id: str, details: BankDetails, actor: str, at: datetime) -> BankChange:
    """The details given at registration: pending until a second user approves them."""
    return BankChange(
        change_id=initial_change_id(broker_id),
        broker_id=broker_id,
        details=details,
        status=ChangeStatus.PENDING,
        requested_by=actor,
        requested_at=at,
        note="registration",
    )


def request_change(
    change_id: str, broker_id: str, details: BankDetails, actor: str, at: datetime
) -> BankChange:
    return BankChange(change_id, broker_id, details, ChangeStatus.PENDING, actor, at)


def decide_change(
    change: BankChange, *, approve: bool, actor: str, at: datetime, note: str | None = None
) -> BankChange:
    """Approve or reject a pending change; the requester may never approve their own."""
    if change.status is not ChangeStatus.PENDING:
        raise ChangeNotPending(
            f"change {change.change_id} is already {change.status.value}", field="change_id"
        )
    if approve and same_identity(actor, change.requested_by):
        raise SameUserApproval(
            f"{actor} requested change {change.change_id}; a second user must approve it",
            field="X-Actor",
        )
    status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    note = change.note if note is None else note
    return replace(change, status=status, decided_by=actor, decided_at=at, note=note)
