"""Given-events / when-command / then-events helpers for the ledger domain's unit tests.

``given(*events)`` folds a history into an account; ``when(history, command)`` decides
a command on it; ``rejected(...)`` asserts the error class, its rule and its field.
Event builders default to an SGD account opened on 2026-01-01 so a test names only
what it is about.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.decide import decide
from ledger.domain.state import Account, fold

ACCOUNT = "ACC-1"
D0 = date(2026, 1, 1)


def day(n: int) -> date:
    """The n-th day after the account was opened."""
    return D0 + timedelta(days=n)


def dec(text: str) -> Decimal:
    return Decimal(text)


# -- events (the "given") ------------------------------------------------------------


def opened(currency: str = "SGD", broker_id: str | None = None) -> ev.AccountOpened:
    return ev.AccountOpened(
        account_id=ACCOUNT,
        name="Acme Pte Ltd",
        currency=currency,
        jurisdiction="SG",
        credit_limit=Decimal(0),
        payment_terms_days=30,
        broker_id=broker_id,
        opened_on=D0,
    )


def invoiced(
    invoice_id: str, total: str, *, issued: int = 0, due: int = 30, currency: str = "SGD"
) -> ev.InvoiceIssued:
    return ev.InvoiceIssued(
        invoice_id=invoice_id,
        currency=currency,
        issue_date=day(issued),
        due_date=day(due),
        lines=(ev.InvoiceLine(line_no=1, description="premium", amount=dec(total)),),
        total=dec(total),
    )


def received(
    payment_id: str, amount: str, *, on: int = 1, currency: str = "SGD"
) -> ev.PaymentReceived:
    return ev.PaymentReceived(
        payment_id=payment_id,
        currency=currency,
        amount=dec(amount),
        received_on=day(on),
        method="bank-transfer",
    )


def allocated(
    payment_id: str, invoice_id: str, amount: str, *, on: int = 1, currency: str = "SGD"
) -> ev.PaymentAllocated:
    return ev.PaymentAllocated(
        payment_id=payment_id,
        invoice_id=invoice_id,
        currency=currency,
        amount=dec(amount),
        allocated_on=day(on),
    )


def disputed(invoice_id: str, *, on: int = 2) -> ev.InvoiceDisputed:
    return ev.InvoiceDisputed(invoice_id=invoice_id, reason="premium wrong", disputed_on=day(on))


def written_off(
    invoice_id: str, amount: str, *, write_off_id: str = "WO-1"
) -> ev.InvoiceWrittenOff:
    return ev.InvoiceWrittenOff(
        write_off_id=write_off_id,
        invoice_id=invoice_id,
        currency="SGD",
        amount=dec(amount),
        reason="uncollectable",
        written_off_on=day(90),
    )


def refunded(refund_id: str, amount: str, sources: dict[str, str]) -> ev.RefundIssued:
    return ev.RefundIssued(
        refund_id=refund_id,
        currency="SGD",
        amount=dec(amount),
        reason="customer asked",
        refunded_on=day(5),
        sources=tuple(ev.PaymentShare(payment_id=p, amount=dec(a)) for p, a in sources.items()),
    )


def share(payment_id: str, invoice_id: str | None, amount: str) -> ev.PaymentShare:
    return ev.PaymentShare(payment_id=payment_id, invoice_id=invoice_id, amount=dec(amount))


def credited(amount: str, *released: ev.PaymentShare, on: int = 20) -> ev.CreditNoteIssued:
    """Credit note CN-1 on INV-1 (what :func:`credit` decides, on day 20), releasing
    ``released`` of the payments allocated to it."""
    return ev.CreditNoteIssued(
        credit_note_id="CN-1",
        invoice_id="INV-1",
        currency="SGD",
        amount=dec(amount),
        reason="premium rate corrected",
        issued_on=day(on),
        released=released,
    )


def adjusted(
    amount: str,
    invoice_id: str | None = "INV-1",
    *released: ev.PaymentShare,
    adjustment_id: str = "ADJ-1",
) -> ev.AdjustmentPosted:
    """What :func:`adjust` decides (on day 3), releasing ``released``."""
    return ev.AdjustmentPosted(
        adjustment_id=adjustment_id,
        invoice_id=invoice_id,
        currency="SGD",
        amount=dec(amount),
        reason="mid-term change",
        effective_on=day(3),
        released=released,
    )


# -- an invoice and its corrections ---------------------------------------------------

OPEN = [opened(), invoiced("INV-1", "100.00")]
"""An SGD account with one open invoice of 100.00, due on day 30."""
PARTLY_PAID = [*OPEN, received("PAY-1", "60.00"), allocated("PAY-1", "INV-1", "60.00")]
WRITTEN_OFF = [*PARTLY_PAID, written_off("INV-1", "40.00")]


def credit(amount: str, invoice_id: str = "INV-1") -> cmd.IssueCreditNote:
    return cmd.IssueCreditNote(
        credit_note_id="CN-1",
        invoice_id=invoice_id,
        amount=Decimal(amount),
        reason="premium rate corrected",
        issued_on=day(20),
    )


def write_off(amount: str | None = None, invoice_id: str = "INV-1") -> cmd.WriteOffInvoice:
    return cmd.WriteOffInvoice(
        write_off_id="WO-1",
        invoice_id=invoice_id,
        amount=None if amount is None else Decimal(amount),
        reason="uncollectable",
        written_off_on=day(90),
    )


def recover(amount: str, invoice_id: str = "INV-1") -> cmd.RecoverWriteOff:
    return cmd.RecoverWriteOff(
        recovery_id="REC-1",
        invoice_id=invoice_id,
        amount=Decimal(amount),
        reason="debtor paid after all",
        recovered_on=day(120),
    )


def reverse(payment_id: str = "PAY-1") -> cmd.ReversePayment:
    return cmd.ReversePayment(payment_id=payment_id, reason="cheque bounced", reversed_on=day(12))


def reversed_event(amount: str, *released: ev.PaymentShare, on: int = 12) -> ev.PaymentReversed:
    """PAY-1 reversed (what :func:`reverse` decides, on day 12), releasing ``released``."""
    return ev.PaymentReversed(
        payment_id="PAY-1",
        currency="SGD",
        amount=dec(amount),
        reason="cheque bounced",
        reversed_on=day(on),
        released=released,
    )


def adjust(
    amount: str, invoice_id: str | None = "INV-1", adjustment_id: str = "ADJ-1"
) -> cmd.PostAdjustment:
    return cmd.PostAdjustment(
        adjustment_id=adjustment_id,
        amount=Decimal(amount),
        reason="mid-term change",
        invoice_id=invoice_id,
        effective_on=day(3),
    )


# -- the "when" and the "then" ------------------------------------------------------


def given(*history: ev.Event) -> Account:
    return fold(list(history))


def when(history: Sequence[ev.Event], command: cmd.Command) -> list[ev.Event]:
    """Decide ``command`` on the account folded from ``history`` (no history: no account).

    Also checks that ``decide`` is pure: the state it was given is left as it was.
    """
    state = fold(list(history)) if history else None
    before = copy.deepcopy(state)
    out = decide(command, state)
    assert state == before, "decide must not change the state it is given"
    return out


def rejected(
    history: Sequence[ev.Event],
    command: cmd.Command,
    error: type[err.LedgerError],
    *,
    rule: str,
    field: str | None,
) -> err.LedgerError:
    with pytest.raises(error) as caught:
        when(history, command)
    assert type(caught.value) is error
    assert caught.value.rule == rule
    assert caught.value.field == field
    return caught.value


def then_state(history: Sequence[ev.Event], *more: ev.Event) -> Account:
    return fold([*history, *more])


def jsonable(events: list[ev.Event]) -> list[dict[str, Any]]:
    return [{"type": e.event_type(), **e.model_dump(mode="json")} for e in events]
