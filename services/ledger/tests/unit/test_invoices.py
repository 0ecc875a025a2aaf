"""Issuing invoices: lines, totals in the minor unit, dates, unique ids."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from ledger_scenarios import day, invoiced, opened, rejected, then_state, when

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.commands import LineSpec


def issue(
    invoice_id: str = "INV-1",
    *amounts: str,
    issue_date: date = day(0),
    due_date: date = day(30),
    policy_id: str | None = None,
    broker_id: str | None = None,
) -> cmd.IssueInvoice:
    return cmd.IssueInvoice(
        invoice_id=invoice_id,
        issue_date=issue_date,
        due_date=due_date,
        lines=tuple(
            LineSpec(description=f"line {n}", amount=Decimal(a)) for n, a in enumerate(amounts)
        ),
        policy_id=policy_id,
        broker_id=broker_id,
    )


def test_issue_invoice_totals_its_lines() -> None:
    history = [opened()]

    events = when(history, issue("INV-1", "100.00", "20.5", "0.05", policy_id="POL-9"))

    assert events == [
        ev.InvoiceIssued(
            invoice_id="INV-1",
            currency="SGD",
            issue_date=day(0),
            due_date=day(30),
            lines=(
                ev.InvoiceLine(
                    line_no=1, description="line 0", amount=Decimal("100.00"), policy_id="POL-9"
                ),
                ev.InvoiceLine(
                    line_no=2, description="line 1", amount=Decimal("20.50"), policy_id="POL-9"
                ),
                ev.InvoiceLine(
                    line_no=3, description="line 2", amount=Decimal("0.05"), policy_id="POL-9"
                ),
            ),
            total=Decimal("120.55"),
            policy_id="POL-9",
        )
    ]
    # amounts travel as decimal strings with exactly the currency's places
    as_json = events[0].model_dump(mode="json")
    assert as_json["total"] == "120.55"
    assert [line["amount"] for line in as_json["lines"]] == ["100.00", "20.50", "0.05"]

    item = then_state(history, *events).items["INV-1"]
    assert (item.kind, item.amount, item.open_amount, item.status) == (
        "invoice",
        12055,
        12055,
        "open",
    )


def test_invoice_state_and_totals() -> None:
    state = then_state([opened()], invoiced("INV-1", "100.00"), invoiced("INV-2", "50.00"))
    assert state.totals.invoiced == 15000
    assert state.totals.open == 15000


@pytest.mark.parametrize(
    ("currency", "amounts", "total"),
    [("JPY", ("1000", "1"), "1001"), ("BHD", ("1.001", "0.5"), "1.501")],
)
def test_invoice_in_other_minor_units(currency: str, amounts: tuple[str, ...], total: str) -> None:
    [event] = when([opened(currency)], issue("INV-1", *amounts))
    assert isinstance(event, ev.InvoiceIssued)
    assert event.currency == currency
    assert event.model_dump(mode="json")["total"] == total


def test_broker_is_inherited_from_the_invoice_then_the_account() -> None:
    command = cmd.IssueInvoice(
        invoice_id="INV-1",
        issue_date=day(0),
        due_date=day(30),
        lines=(
            LineSpec(description="own broker", amount=Decimal(1), broker_id="BRK-LINE"),
            LineSpec(description="invoice broker", amount=Decimal(1)),
        ),
        broker_id="BRK-INV",
    )
    [event] = when([opened(broker_id="BRK-ACC")], command)
    assert isinstance(event, ev.InvoiceIssued)
    assert [line.broker_id for line in event.lines] == ["BRK-LINE", "BRK-INV"]
    assert event.broker_id == "BRK-INV"

    [event] = when([opened(broker_id="BRK-ACC")], issue("INV-1", "1.00"))
    assert isinstance(event, ev.InvoiceIssued)
    assert event.broker_id == "BRK-ACC"
    assert event.lines[0].broker_id == "BRK-ACC"


def test_due_on_the_issue_date_is_allowed() -> None:
    [event] = when([opened()], issue("INV-1", "1.00", issue_date=day(3), due_date=day(3)))
    assert isinstance(event, ev.InvoiceIssued)


def test_due_date_before_issue_date_is_rejected() -> None:
    rejected(
        [opened()],
        issue("INV-1", "1.00", issue_date=day(3), due_date=day(2)),
        err.InvalidDates,
        rule="invalid-dates",
        field="due_date",
    )


def test_invoice_without_lines_is_rejected() -> None:
    rejected(
        [opened()],
        issue("INV-1"),
        err.InvalidInvoice,
        rule="invalid-invoice",
        field="lines",
    )


@pytest.mark.parametrize("bad", ["0", "-5.00", "0.00"])
def test_line_amounts_must_be_positive(bad: str) -> None:
    rejected(
        [opened()],
        issue("INV-1", "10.00", bad),
        err.InvalidAmount,
        rule="invalid-amount",
        field="lines[1].amount",
    )


@pytest.mark.parametrize(
    ("currency", "bad"), [("SGD", "10.001"), ("JPY", "0.5"), ("BHD", "0.0001")]
)
def test_line_amount_finer_than_the_minor_unit_is_rejected(currency: str, bad: str) -> None:
    rejected(
        [opened(currency)],
        issue("INV-1", bad),
        err.InvalidAmount,
        rule="invalid-amount",
        field="lines[0].amount",
    )


def test_duplicate_invoice_id_is_rejected() -> None:
    rejected(
        [opened(), invoiced("INV-1", "10.00")],
        issue("INV-1", "10.00"),
        err.DuplicateId,
        rule="duplicate-id",
        field="invoice_id",
    )


def test_invoice_id_may_not_reuse_a_debit_note_id() -> None:
    debit_note = ev.AdjustmentPosted(
        adjustment_id="DN-1",
        currency="SGD",
        amount=Decimal("5.00"),
        reason="fee",
        effective_on=day(1),
    )
    rejected(
        [opened(), debit_note],
        issue("DN-1", "10.00"),
        err.DuplicateId,
        rule="duplicate-id",
        field="invoice_id",
    )
