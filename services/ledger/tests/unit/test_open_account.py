"""Opening an account: currency from ISO 4217, credit limit in its minor unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ledger_scenarios import D0, invoiced, opened, rejected, when

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.state import evolve, fold


def open_account(
    currency: str = "SGD", credit_limit: str = "50000.00", **kw: object
) -> cmd.OpenAccount:
    fields: dict[str, object] = {
        "account_id": "ACC-1",
        "name": "Acme Pte Ltd",
        "currency": currency,
        "jurisdiction": "SG",
        "credit_limit": Decimal(credit_limit),
        "payment_terms_days": 30,
        "opened_on": D0,
    }
    fields.update(kw)
    return cmd.OpenAccount.model_validate(fields)


def test_open_account() -> None:
    events = when([], open_account(broker_id="BRK-7"))

    assert events == [
        ev.AccountOpened(
            account_id="ACC-1",
            name="Acme Pte Ltd",
            currency="SGD",
            jurisdiction="SG",
            credit_limit=Decimal("50000.00"),
            payment_terms_days=30,
            broker_id="BRK-7",
            opened_on=D0,
        )
    ]
    state = fold(events)
    assert state.credit_limit == 5_000_000
    assert state.version == 1
    assert state.status == "active"


@pytest.mark.parametrize(
    ("currency", "limit", "minor", "text"),
    [
        ("JPY", "1000000", 1_000_000, "1000000"),
        ("BHD", "10.001", 10_001, "10.001"),
        ("SGD", "10", 1_000, "10.00"),
        ("SGD", "0", 0, "0.00"),
    ],
)
def test_credit_limit_is_kept_in_the_currency_minor_unit(
    currency: str, limit: str, minor: int, text: str
) -> None:
    [event] = when([], open_account(currency=currency, credit_limit=limit))

    assert event.model_dump(mode="json")["credit_limit"] == text
    assert fold([event]).credit_limit == minor


@pytest.mark.parametrize(
    ("currency", "limit"), [("SGD", "10.001"), ("JPY", "10.5"), ("BHD", "1.0001")]
)
def test_credit_limit_finer_than_the_minor_unit_is_rejected(currency: str, limit: str) -> None:
    rejected(
        [],
        open_account(currency=currency, credit_limit=limit),
        err.InvalidAmount,
        rule="invalid-amount",
        field="credit_limit",
    )


@pytest.mark.parametrize("currency", ["ZZZ", "sgd", "XAU", ""])
def test_unknown_currency_is_rejected(currency: str) -> None:
    rejected(
        [],
        open_account(currency=currency),
        err.UnknownCurrency,
        rule="unknown-currency",
        field="currency",
    )


def test_negative_credit_limit_is_rejected() -> None:
    rejected(
        [],
        open_account(credit_limit="-1.00"),
        err.InvalidAmount,
        rule="invalid-amount",
        field="credit_limit",
    )


def test_negative_payment_terms_are_rejected() -> None:
    rejected(
        [],
        open_account(payment_terms_days=-1),
        err.InvalidDates,
        rule="invalid-dates",
        field="payment_terms_days",
    )


def test_opening_an_existing_account_is_rejected() -> None:
    rejected(
        [opened()],
        open_account(),
        err.AccountExists,
        rule="account-exists",
        field="account_id",
    )


def test_commands_on_an_account_that_does_not_exist_are_rejected() -> None:
    rejected(
        [],
        cmd.DisputeInvoice(invoice_id="INV-1", reason="x", disputed_on=D0),
        err.AccountNotFound,
        rule="account-not-found",
        field=None,
    )


def test_every_event_bumps_the_version() -> None:
    state = fold([opened(), invoiced("INV-1", "10.00"), invoiced("INV-2", "10.00")])
    assert state.version == 3


def test_events_before_the_account_was_opened_cannot_be_folded() -> None:
    with pytest.raises(ValueError, match="before AccountOpened"):
        evolve(None, invoiced("INV-1", "10.00"))
    with pytest.raises(ValueError, match="no events"):
        fold([])
