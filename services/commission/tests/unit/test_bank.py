"""Bank details: IBAN/BIC by schwifty, local formats elsewhere; errors name the field."""

from __future__ import annotations

import pytest

from commission.domain.bank import BankDetails, validate_bank_details
from commission.domain.errors import InvalidBankDetails


def details(**kw: str | None) -> BankDetails:
    base: dict[str, str | None] = {
        "account_holder": "Acme Brokers",
        "country": "DE",
        "currency": "EUR",
    }
    return BankDetails(**{**base, **kw})  # type: ignore[arg-type]


def test_a_valid_iban_and_bic_are_kept_in_compact_form() -> None:
    ok = validate_bank_details(details(iban="de89 3704 0044 0532 0130 00", bic="COBADEFFXXX"))
    assert ok.iban == "DE89370400440532013000"
    assert ok.bic == "COBADEFFXXX"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"iban": "DE89370400440532013001"}, "bank.iban"),  # checksum
        ({"iban": None, "account_number": "12345678"}, "bank.iban"),  # IBAN country
        ({"iban": "GB82WEST12345698765432"}, "bank.iban"),  # another country's IBAN
        ({"iban": "DE89370400440532013000", "bic": "COBAZZFF"}, "bank.bic"),
        ({"iban": "DE89370400440532013000", "currency": "XXX1"}, "bank.currency"),
    ],
)
def test_invalid_details_name_the_field(kw: dict[str, str | None], field: str) -> None:
    with pytest.raises(InvalidBankDetails) as e:
        validate_bank_details(details(**kw))
    assert e.value.field == field


def test_singapore_and_hong_kong_use_local_bank_branch_and_account_formats() -> None:
    sg = validate_bank_details(
        details(
            country="SG",
            currency="SGD",
            bank_code="7171",
            branch_code="081",
            account_number="123-456789-0",
        )
    )
    assert sg.account_number == "1234567890"
    with pytest.raises(InvalidBankDetails) as e:
        validate_bank_details(
            details(
                country="HK",
                currency="HKD",
                bank_code="04",
                branch_code="123",
                account_number="123456789",
            )
        )
    assert e.value.field == "bank.bank_code"
    with pytest.raises(InvalidBankDetails) as e:
        validate_bank_details(details(country="SG", currency="SGD", iban="DE89370400440532013000"))
    assert e.value.field == "bank.iban"


def test_us_routing_numbers_are_checked_by_their_check_digit() -> None:
    ok = details(country="US", currency="USD", bank_code="021000021", account_number="12345678")
    assert validate_bank_details(ok).bank_code == "021000021"
    with pytest.raises(InvalidBankDetails) as e:
        validate_bank_details(
            details(country="US", currency="USD", bank_code="021000022", account_number="1234")
        )
    assert e.value.field == "bank.bank_code"
