"""Bank accounts and their jurisdictions (CASH_BANK_ACCOUNTS): looked up without spaces or
case, refused at start-up when they do not hold, and an unknown one refuses the file."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cash.bootstrap import bank_accounts
from cash.domain.bank_accounts import BankAccounts
from cash.domain.errors import UnknownBankAccount
from cash.domain.statement import Direction, StatementLine
from cash.settings import Settings

ACCOUNTS = BankAccounts({"SG12 DBSS 0000 1234": "SG", "hk-hsbc-001": "HK"})


def line(no: int, account: str) -> StatementLine:
    return StatementLine(no, account, f"R{no}", Direction.CREDIT, 100, "SGD", date(2026, 2, 10))


def test_an_account_is_found_whatever_its_spacing_and_case() -> None:
    assert ACCOUNTS.jurisdiction_of("sg12dbss00001234") == "SG"
    assert ACCOUNTS.jurisdiction_of("HK-HSBC-001") == "HK"
    assert ACCOUNTS.jurisdiction_of("SG12DBSS0000123") is None


def test_the_lines_of_a_file_get_their_accounts_jurisdictions() -> None:
    found = ACCOUNTS.of_lines([line(3, "SG12DBSS00001234"), line(9, "hk-hsbc-001")])
    assert found == {"SG12DBSS00001234": "SG", "hk-hsbc-001": "HK"}


def test_a_line_on_an_account_not_configured_refuses_the_file_naming_it() -> None:
    with pytest.raises(UnknownBankAccount) as refused:
        ACCOUNTS.of_lines([line(3, "SG12DBSS00001234"), line(41, "GB33BUKB20201555555555")])
    assert refused.value.detail.startswith("line 41: the bank account GB33BUKB20201555555555")
    assert refused.value.rule == "unknown-bank-account"


@pytest.mark.parametrize(
    ("accounts", "message"),
    [
        ({"DBS-1": "sg"}, "'sg' is not a jurisdiction"),
        ({"DBS-1": ""}, "'' is not a jurisdiction"),
        ({"  ": "SG"}, "empty"),
        ({"DBS 1": "SG", "dbs1": "HK"}, "given twice"),
    ],
)
def test_a_setting_that_does_not_hold_stops_the_start(
    accounts: dict[str, str], message: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        bank_accounts(Settings(bank_accounts=accounts))
    assert str(stopped.value).startswith("CASH_BANK_ACCOUNTS: ")
    assert message in str(stopped.value)


def test_the_same_account_written_twice_for_one_jurisdiction_is_one() -> None:
    assert BankAccounts({"DBS 1": "SG", "dbs1": "SG"}).jurisdiction_of("DBS1") == "SG"


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-/", min_size=1, max_size=20),
    st.lists(st.sampled_from(["", " ", "  "]), min_size=1, max_size=21),
)
def test_spaces_and_case_never_change_the_answer(account: str, gaps: list[str]) -> None:
    spaced = "".join(gaps[i % len(gaps)] + c for i, c in enumerate(account.upper()))
    accounts = BankAccounts({account: "SG"})
    assert accounts.jurisdiction_of(spaced + gaps[-1]) == "SG"
