"""Events of a group policy, named in the past tense, each with a schema version.

Premium amounts are decimal strings in the policy currency; a change made by billing
staff carries its ``reason`` (who made it is recorded beside every event). These models
are the public contracts of ``receivables.billing.v1`` (``contracts/events/``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer

from billing.domain.calendar import Frequency

Amount = Annotated[Decimal, PlainSerializer(lambda v: str(v), return_type=str, when_used="json")]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TierRate(Frozen):
    tier: str  # "*": every member, whatever the tier
    annual_premium: Amount


class ProductTerms(Frozen):
    product: str
    description: str
    rates: tuple[TierRate, ...]
    tax_label: str = "GST"
    tax_rate: Amount = Decimal(0)  # e.g. 0.09; from the jurisdiction's table unless given


class Event(Frozen):
    schema_version: ClassVar[int] = 1
    policy_id: str

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__


class PolicyCreated(Event):
    """A group policy was set up for a ledger account, with its first term and rates."""

    account_id: str
    broker_id: str | None = None
    currency: str
    jurisdiction: str
    frequency: Frequency
    billing_day: int
    term_start: date
    term_end: date
    products: tuple[ProductTerms, ...]
    reason: str | None = None


class MemberEnrolled(Event):
    """A member joined the policy in a tier from ``start`` (to ``end`` if known)."""

    member_id: str
    name: str
    tier: str
    start: date
    end: date | None = None
    reason: str | None = None


class MemberTierChanged(Event):
    """A member moved to another tier from ``changed_on``."""

    member_id: str
    tier: str
    changed_on: date
    reason: str | None = None


class MemberTerminated(Event):
    """A member's cover ends after ``end`` (the last day covered)."""

    member_id: str
    end: date
    reason: str | None = None


class PolicyRenewed(Event):
    """A new term follows the last one without gap or overlap, with its own rates."""

    term_no: int
    term_start: date
    term_end: date
    products: tuple[ProductTerms, ...]
    reason: str | None = None


class PolicyTerminated(Event):
    """The policy's cover ends after ``terminated_on``; unearned premium is credited."""

    terminated_on: date
    reason: str


class PremiumRevised(Event):
    """Billing staff revised a billed period's premium (debit: positive, credit: negative)."""

    revision_id: str
    period_start: date
    product: str
    amount: Amount
    reason: str


class DocumentBilled(Event):
    """An invoice, credit note or debit note was issued to the ledger for a period."""

    document_id: str
    kind: Literal["invoice", "credit_note", "debit_note", "netted"]
    invoice_id: str
    account_id: str
    currency: str
    period_start: date
    period_end: date
    issued_on: date
    due_date: date | None = None
    amount: Amount
    reason: str | None = None


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        PolicyCreated,
        MemberEnrolled,
        MemberTierChanged,
        MemberTerminated,
        PolicyRenewed,
        PolicyTerminated,
        PremiumRevised,
        DocumentBilled,
    )
}
