"""What every correction of an invoice refuses alike: credit notes, write-offs, recoveries,
adjustments and debit notes (an adjustment on no invoice) take a non-zero amount of the
currency, and a correction of an invoice the account does not have is refused."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from ledger_scenarios import (
    OPEN,
    PARTLY_PAID,
    WRITTEN_OFF,
    adjust,
    credit,
    recover,
    rejected,
    write_off,
)

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev

Correction = Callable[[str, str], cmd.Command]
"""A correction of ``amount`` on the invoice ``invoice_id``."""

UNSIGNED: dict[str, tuple[Sequence[ev.Event], Correction]] = {
    "credit note": (OPEN, credit),
    "write-off": (PARTLY_PAID, write_off),
    "recovery": (WRITTEN_OFF, recover),
}
"""Corrections whose amount is positive, each with a history it applies to."""
SIGNED: dict[str, tuple[Sequence[ev.Event], Correction]] = {
    "adjustment": (OPEN, lambda amount, invoice_id: adjust(amount, invoice_id=invoice_id)),
}
DEBIT_NOTE: dict[str, tuple[Sequence[ev.Event], Correction]] = {
    "debit note": (OPEN, lambda amount, _: adjust(amount, invoice_id=None)),
}
WHOLE: dict[str, tuple[Sequence[ev.Event], Correction]] = {
    "write-off of what is open": (PARTLY_PAID, lambda _, invoice_id: write_off(None, invoice_id)),
}


@pytest.mark.parametrize("kind", [*UNSIGNED, *SIGNED, *DEBIT_NOTE])
@pytest.mark.parametrize("bad", ["0", "0.00", "0.001", "1.001", "-0.005"])
def test_a_zero_amount_or_one_finer_than_the_minor_unit_is_rejected(kind: str, bad: str) -> None:
    history, correction = {**UNSIGNED, **SIGNED, **DEBIT_NOTE}[kind]
    rejected(
        history, correction(bad, "INV-1"), err.InvalidAmount, rule="invalid-amount", field="amount"
    )


@pytest.mark.parametrize("kind", UNSIGNED)
def test_a_negative_amount_is_rejected(kind: str) -> None:
    history, correction = UNSIGNED[kind]
    rejected(
        history,
        correction("-1.00", "INV-1"),
        err.InvalidAmount,
        rule="invalid-amount",
        field="amount",
    )


@pytest.mark.parametrize("kind", [*UNSIGNED, *SIGNED, *WHOLE])
def test_a_correction_of_an_unknown_invoice_is_rejected(kind: str) -> None:
    history, correction = {**UNSIGNED, **SIGNED, **WHOLE}[kind]
    rejected(
        history,
        correction("1.00", "INV-404"),
        err.UnknownInvoice,
        rule="unknown-invoice",
        field="invoice_id",
    )
