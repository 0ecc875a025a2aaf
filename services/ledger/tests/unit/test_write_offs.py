"""Writing off what is open, and recovering written-off amounts."""

from __future__ import annotations

from decimal import Decimal

from ledger_scenarios import (
    PARTLY_PAID,
    WRITTEN_OFF,
    day,
    recover,
    rejected,
    then_state,
    when,
    write_off,
    written_off,
)

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev


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
