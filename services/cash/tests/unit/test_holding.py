"""The holding account of an unidentified receipt: its jurisdiction's, else its currency's."""

from __future__ import annotations

import pytest

from cash.bootstrap import suspense_accounts
from cash.domain.holding import holding_account
from cash.settings import Settings

ACCOUNTS = {"SGD": "SUSPENSE-SGD", "HK/SGD": "SUSPENSE-HK-SGD", "HKD": "SUSPENSE-HKD"}


@pytest.mark.parametrize(
    ("jurisdiction", "currency", "account"),
    [
        ("HK", "SGD", "SUSPENSE-HK-SGD"),
        ("SG", "SGD", "SUSPENSE-SGD"),
        (None, "SGD", "SUSPENSE-SGD"),
        ("HK", "HKD", "SUSPENSE-HKD"),
        ("HK", "EUR", None),
    ],
)
def test_the_jurisdictions_own_account_wins_over_the_currencys(
    jurisdiction: str | None, currency: str, account: str | None
) -> None:
    assert holding_account(ACCOUNTS, jurisdiction, currency) == account


@pytest.mark.parametrize("key", ["sgd", "HK-SGD", "HK/SG", "/SGD"])
def test_a_key_neither_a_currency_nor_one_of_a_jurisdiction_stops_the_start(key: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        suspense_accounts(Settings(suspense_accounts={key: "SUSPENSE"}))
    assert str(stopped.value).startswith(f"CASH_SUSPENSE_ACCOUNTS: {key!r} is neither")
