"""Promises to pay and payment plans: validation, and whether they are kept or broken.

Money paid towards an arrangement is every payment received (and not reversed) from the
day it was agreed; a plan is kept while the payments cover, by each installment's due
date plus the grace days, the sum of the installments due so far.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from dunning.domain.errors import InvalidArrangement, PromiseAlreadyOpen, PromiseExceedsBalance
from dunning.domain.money import format_minor
from dunning.domain.receivables import Receivables
from dunning.domain.state import Plan, PlanInstallment, Promise


def paid_between(receivables: Receivables, start: date, end: date | None) -> int:
    return sum(
        p.amount
        for p in receivables.payments.values()
        if not p.reversed and p.received_on >= start and (end is None or p.received_on <= end)
    )


def new_promise(
    promise_id: str, amount: int, promised_date: date, made_on: date, note: str | None
) -> Promise:
    if amount <= 0:
        raise InvalidArrangement("a promised amount must be positive", field="amount")
    if promised_date < made_on:
        raise InvalidArrangement(
            f"promised_date {promised_date} is before the day the promise is made ({made_on})",
            field="promised_date",
        )
    return Promise(
        promise_id=promise_id,
        amount=amount,
        promised_date=promised_date,
        made_on=made_on,
        note=note,
    )


def check_promise_fits(
    promise_id: str, amount: int, open_promises: list[str], balance: int, currency: str
) -> None:
    """A promise is for money owed, one at a time.

    - its amount may not exceed the account's open balance (open items less unapplied
      credit: what the customer owes, due or not yet due);
    - while a promise is open, another is refused: the collector waits until it is kept or
      broken (a broken promise resumes dunning). There is no implicit superseding, so two
      promises never pause the account at once.
    """
    if open_promises:
        raise PromiseAlreadyOpen(
            f"promise {open_promises[0]} is still open; record {promise_id} after it is "
            "kept or broken",
            field="promise_id",
        )
    if amount > balance:
        raise PromiseExceedsBalance(
            f"promised {format_minor(amount, currency)} {currency} is more than the account's "
            f"open balance of {format_minor(max(balance, 0), currency)} {currency}",
            field="amount",
        )


def new_plan(
    plan_id: str, installments: list[tuple[date, int]], agreed_on: date, note: str | None
) -> Plan:
    if not installments:
        raise InvalidArrangement(
            "a payment plan needs at least one installment", field="installments"
        )
    previous: date | None = None
    for i, (due, amount) in enumerate(installments):
        if amount <= 0:
            raise InvalidArrangement(
                "an installment amount must be positive", field=f"installments[{i}].amount"
            )
        if previous is not None and due <= previous:
            raise InvalidArrangement(
                "installment due dates must be strictly increasing",
                field=f"installments[{i}].due_date",
            )
        if due < agreed_on:
            raise InvalidArrangement(
                f"installment due {due} is before the plan ({agreed_on})",
                field=f"installments[{i}].due_date",
            )
        previous = due
    return Plan(
        plan_id=plan_id,
        installments=[PlanInstallment(due_date=d, amount=a) for d, a in installments],
        agreed_on=agreed_on,
        note=note,
    )


Outcome = Literal["open", "kept", "broken", "completed"]


def promise_outcome(p: Promise, rec: Receivables, as_of: date, grace_days: int) -> Outcome:
    deadline = p.promised_date + timedelta(days=grace_days)
    if paid_between(rec, p.made_on, deadline) >= p.amount:
        return "kept"
    return "broken" if as_of > deadline else "open"


def plan_outcome(
    plan: Plan, rec: Receivables, as_of: date, grace_days: int
) -> tuple[Outcome, date | None]:
    """``completed``, ``broken`` (with the missed installment's due date) or ``open``."""
    due_so_far = 0
    for inst in plan.installments:
        due_so_far += inst.amount
        deadline = inst.due_date + timedelta(days=grace_days)
        if as_of > deadline and paid_between(rec, plan.agreed_on, deadline) < due_so_far:
            return "broken", inst.due_date
    if paid_between(rec, plan.agreed_on, None) >= due_so_far:
        return "completed", None
    return "open", None


def pause_until(p: Promise, grace_days: int) -> date:
    return p.promised_date + timedelta(days=grace_days)
