"""Events of the dunning service, published on ``receivables.dunning.v1`` (key: account id).

Every action dunning takes is one of these, named in the past tense, with a schema
version. Amounts are decimal strings next to their currency. ``EVENT_TYPES`` is the
registry the contracts generator reads to emit one JSON Schema per event type.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class DunningEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: ClassVar[int] = 1

    account_id: str
    occurred_on: date

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__


class OverdueInvoice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    invoice_id: str
    due_date: date
    days_past_due: int
    open_amount: str


class DunningLevelReached(DunningEvent):
    """The account moved one level up its policy's ladder."""

    policy_id: str
    level: int
    level_name: str
    previous_level: int
    days_past_due: int
    overdue_amount: str
    currency: str


class DunningLevelLowered(DunningEvent):
    """A payment, credit or dispute lowered the account's level (not to zero)."""

    level: int
    previous_level: int
    days_past_due: int
    overdue_amount: str
    currency: str


class DunningCleared(DunningEvent):
    """Nothing is overdue any more: the dunning episode is over."""

    previous_level: int


class _Notice(DunningEvent):
    notice_id: str
    level: int
    language: str
    recipient: str | None
    overdue_amount: str
    currency: str
    invoices: tuple[OverdueInvoice, ...]


class ReminderSent(_Notice):
    """A payment reminder went to the customer (email, or a letter from the outbox)."""


class FinalNoticeSent(_Notice):
    """The final notice before suspension or legal action went to the customer."""


class FeeCharged(DunningEvent):
    """A dunning fee was charged; it is posted to the ledger as adjustment ``adjustment_id``."""

    level: int
    adjustment_id: str
    amount: str
    currency: str


class ServiceSuspended(DunningEvent):
    """Cover under an insurance policy whose invoices are overdue is suspended."""

    policy_id: str
    level: int
    invoice_ids: tuple[str, ...]


class ServiceReinstated(DunningEvent):
    """The overdue invoices of a suspended policy were settled: cover is reinstated."""

    policy_id: str
    reason: str


class EscalatedToLegal(DunningEvent):
    level: int
    agency: str | None
    overdue_amount: str
    currency: str
    invoice_ids: tuple[str, ...]


class WriteOffRecommended(DunningEvent):
    level: int
    overdue_amount: str
    currency: str
    invoice_ids: tuple[str, ...]


class PromiseMade(DunningEvent):
    promise_id: str
    amount: str
    currency: str
    promised_date: date
    paused_until: date


class PromiseKept(DunningEvent):
    promise_id: str


class PromiseBroken(DunningEvent):
    """The promised amount did not arrive in time; dunning resumes at ``resumed_level``."""

    promise_id: str
    promised: str
    paid: str
    currency: str
    resumed_level: int


class Installment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    due_date: date
    amount: str


class PaymentPlanAgreed(DunningEvent):
    plan_id: str
    currency: str
    installments: tuple[Installment, ...]


class PaymentPlanBroken(DunningEvent):
    plan_id: str
    missed_due_date: date
    resumed_level: int


class PaymentPlanCompleted(DunningEvent):
    plan_id: str


class ContactLogged(DunningEvent):
    contact_id: str
    channel: str
    outcome: str
    note: str | None = None


class AccountBlacklisted(DunningEvent):
    reason: str
    jurisdiction: str
    added_by: str
    expires_on: date | None = None


class BlacklistEntryRemoved(DunningEvent):
    removed_by: str


EVENT_TYPES: dict[str, type[DunningEvent]] = {
    cls.event_type(): cls
    for cls in (
        DunningLevelReached,
        DunningLevelLowered,
        DunningCleared,
        ReminderSent,
        FinalNoticeSent,
        FeeCharged,
        ServiceSuspended,
        ServiceReinstated,
        EscalatedToLegal,
        WriteOffRecommended,
        PromiseMade,
        PromiseKept,
        PromiseBroken,
        PaymentPlanAgreed,
        PaymentPlanBroken,
        PaymentPlanCompleted,
        ContactLogged,
        AccountBlacklisted,
        BlacklistEntryRemoved,
    )
}
