"""Writing off what is open, and recovering written-off amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ledger_scenarios import (
    allocated,
    day,
    invoiced,
    opened,
    received,
    rejected,
    then_state,
    when,
    written_off,
)

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev

PARTLY_PAID = [
    opened(),
    invoiced("INV-1", "100.00"),
    received("PAY-1", "60.00"),
    allocated("PAY-1", "INV-1", "60.00"),
]
WRITTEN_OFF = [*PARTLY_PAID, written_off("INV-1", "40.00")]


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


def recovered(amount: str) -> ev.WriteOffRecovered:
    return ev.WriteOffRecovered(
        recovery_id="REC-1",
        invoice_id="INV-1",
        currency="SGD",
        amount=Decimal(amount),
        reason="debtor paid after all",
        recovered_on=day(120),
    )


def test_write_off_without_amount_writes_off_everything_open() -> None:
    events = when(PARTLY_PAID, write_off())

    assert events == [written_off("INV-1", "40.00")]
    state = then_state(PARTLY_PAID, *events)
    item = state.items["INV-1"]
    assert (item.written_off, item.open_amount, item.status) == (4000, 0, "written_off")
    assert (state.totals.written_off, state.totals.open) == (4000, 0)


def test_partial_write_off_leaves_the_rest_open() -> None:
    events = when(PARTLY_PAID, write_off("15.00"))

    assert events == [written_off("INV-1", "15.00")]
    item = then_state(PARTLY_PAID, *events).items["INV-1"]
    assert (item.open_amount, item.status) == (2500, "open")


def test_write_off_of_more_than_is_open_is_rejected() -> None:
    rejected(
        PARTLY_PAID,
        write_off("40.01"),
        err.ExceedsOpenAmount,
        rule="exceeds-open-amount",
        field="amount",
    )


def test_write_off_of_an_invoice_with_nothing_open_is_rejected() -> None:
    rejected(
        WRITTEN_OFF,
        write_off(),
        err.ExceedsOpenAmount,
        rule="exceeds-open-amount",
        field=None,
    )


@pytest.mark.parametrize("bad", ["0", "-1.00", "1.001"])
def test_write_off_amount_must_be_a_positive_amount_of_the_currency(bad: str) -> None:
    rejected(
        PARTLY_PAID,
        write_off(bad),
        err.InvalidAmount,
        rule="invalid-amount",
        field="amount",
    )


def test_write_off_of_an_unknown_invoice_is_rejected() -> None:
    rejected(
        PARTLY_PAID,
        write_off(invoice_id="INV-404"),
        err.UnknownInvoice,
        rule="unknown-invoice",
        field="invoice_id",
    )


def test_recovery_makes_part_of_the_write_off_receivable_again() -> None:
    events = when(WRITTEN_OFF, recover("15.00"))

    assert events == [recovered("15.00")]
    state = then_state(WRITTEN_OFF, *events)
    item = state.items["INV-1"]
    assert (item.recovered, item.open_amount, item.status) == (1500, 1500, "open")
    assert (state.totals.recovered, state.totals.open) == (1500, 1500)

    # the debtor pays what was recovered; the rest stays written off
    pay = cmd.ReceivePayment(
        payment_id="PAY-2", amount=Decimal("15.00"), received_on=day(121), method="bank-transfer"
    )
    paid = then_state([*WRITTEN_OFF, *events], *when([*WRITTEN_OFF, *events], pay))
    assert (paid.items["INV-1"].open_amount, paid.items["INV-1"].status) == (0, "written_off")


def test_recovery_of_more_than_is_written_off_is_rejected() -> None:
    rejected(
        WRITTEN_OFF,
        recover("40.01"),
        err.ExceedsOpenAmount,
        rule="exceeds-open-amount",
        field="amount",
    )
    rejected(
        [*WRITTEN_OFF, recovered("30.00")],
        recover("10.01"),
        err.ExceedsOpenAmount,
        rule="exceeds-open-amount",
        field="amount",
    )


def test_recovery_on_an_invoice_never_written_off_is_rejected() -> None:
    rejected(
        PARTLY_PAID,
        recover("0.01"),
        err.ExceedsOpenAmount,
        rule="exceeds-open-amount",
        field="amount",
    )


@pytest.mark.parametrize("bad", ["0", "-1.00", "1.001"])
def test_recovery_amount_must_be_a_positive_amount_of_the_currency(bad: str) -> None:
    rejected(
        WRITTEN_OFF,
        recover(bad),
        err.InvalidAmount,
        rule="invalid-amount",
        field="amount",
    )


def test_recovery_on_an_unknown_invoice_is_rejected() -> None:
    rejected(
        WRITTEN_OFF,
        recover("1.00", invoice_id="INV-404"),
        err.UnknownInvoice,
        rule="unknown-invoice",
        field="invoice_id",
    )
