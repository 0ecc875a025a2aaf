"""The allocation order of a payment that names no invoices, recorded in its event."""

from __future__ import annotations

from decimal import Decimal

from ledger_scenarios import day, invoiced, opened, rejected, when

from ledger.application.upcasting import to_domain
from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev

FEE = ev.AdjustmentPosted(
    adjustment_id="FEE-1",
    currency="SGD",
    amount=Decimal("25.00"),
    reason="dunning fee",
    effective_on=day(40),
)
POLICY_B = ev.InvoiceIssued(
    invoice_id="INV-B",
    currency="SGD",
    issue_date=day(5),
    due_date=day(60),
    policy_id="GL-9",
    lines=(ev.InvoiceLine(line_no=1, description="premium", amount=Decimal("80.00")),),
    total=Decimal("80.00"),
)
HISTORY = [opened(), invoiced("INV-A", "100.00", due=30), POLICY_B, FEE]


def pay(amount: str, order: cmd.AllocationOrder, policy_id: str | None = None):
    return cmd.ReceivePayment(
        payment_id="PAY-1",
        amount=Decimal(amount),
        received_on=day(45),
        method="bank_transfer",
        allocation_order=order,
        policy_id=policy_id,
    )


def allocations(events: list[ev.Event]) -> list[tuple[str, str]]:
    return [(e.invoice_id, str(e.amount)) for e in events if isinstance(e, ev.PaymentAllocated)]


def test_oldest_due_first_is_the_default_and_is_recorded() -> None:
    events = when(HISTORY, pay("110.00", cmd.AllocationOrder.OLDEST_DUE_FIRST))
    assert allocations(events) == [("INV-A", "100.00"), ("FEE-1", "10.00")]
    received = events[0]
    assert isinstance(received, ev.PaymentReceived)
    assert received.allocation_order == "oldest_due_first"


def test_fees_first_pays_debit_notes_before_premium() -> None:
    events = when(HISTORY, pay("110.00", cmd.AllocationOrder.FEES_FIRST))
    assert allocations(events) == [("FEE-1", "25.00"), ("INV-A", "85.00")]


def test_by_policy_pays_that_policy_first_and_records_it() -> None:
    events = when(HISTORY, pay("100.00", cmd.AllocationOrder.BY_POLICY, "GL-9"))
    assert allocations(events) == [("INV-B", "80.00"), ("INV-A", "20.00")]
    received = events[0]
    assert isinstance(received, ev.PaymentReceived)
    assert (received.allocation_order, received.policy_id) == ("by_policy", "GL-9")


def test_by_policy_needs_a_policy() -> None:
    rejected(
        HISTORY,
        pay("1.00", cmd.AllocationOrder.BY_POLICY),
        err.RuleViolation,
        rule="rule-violation",
        field="policy_id",
    )


def test_named_allocations_record_no_order() -> None:
    named = cmd.ReceivePayment(
        payment_id="PAY-1",
        amount=Decimal("10.00"),
        received_on=day(45),
        method="x",
        allocations=(cmd.AllocationSpec(invoice_id="INV-B"),),
    )
    received = when(HISTORY, named)[0]
    assert isinstance(received, ev.PaymentReceived)
    assert received.allocation_order is None


def test_a_version_1_payment_is_upcast_with_no_recorded_order() -> None:
    stored = {
        "payment_id": "P",
        "currency": "SGD",
        "amount": "5.00",
        "received_on": "2026-01-02",
        "method": "cash",
        "reference": None,
    }
    event = to_domain("PaymentReceived", 1, stored)
    assert isinstance(event, ev.PaymentReceived)
    assert event.allocation_order is None
    assert event.policy_id is None
