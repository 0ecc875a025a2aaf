"""Bank details of a broker, validated before anyone can pay into them.

Where the country uses IBANs the IBAN is required and checked (checksum, length, national
format) with ``schwifty``, a maintained registry; a BIC, when given, is checked the same way.
Elsewhere the local clearing format applies: Singapore and Hong Kong bank/branch codes and
account numbers, US ABA routing numbers (with their checksum), Australian BSBs; other
countries need a BIC and an account number of 4-34 letters or digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schwifty import BIC, IBAN, registry
from schwifty.exceptions import SchwiftyException

from commission.domain.errors import InvalidBankDetails
from commission.domain.money import exponent

_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class LocalFormat:
    bank_code: str  # regex; "" when the country has no separate bank code
    branch_code: str
    account_number: str
    label: str


LOCAL_FORMATS: dict[str, LocalFormat] = {
    "SG": LocalFormat(r"\d{4}", r"\d{3}", r"\d{7,14}", "SG bank code (4 digits), branch (3)"),
    "HK": LocalFormat(r"\d{3}", r"\d{3}", r"\d{6,12}", "HK bank code (3 digits), branch (3)"),
    "US": LocalFormat(r"\d{9}", "", r"\d{4,17}", "US ABA routing number (9 digits)"),
    "AU": LocalFormat(r"\d{6}", "", r"\d{5,9}", "AU BSB (6 digits)"),
}
_GENERIC_ACCOUNT = re.compile(r"[A-Z0-9]{4,34}")


@dataclass(frozen=True)
class BankDetails:
    account_holder: str
    country: str
    currency: str
    iban: str | None = None
    bic: str | None = None
    account_number: str | None = None
    bank_code: str | None = None
    branch_code: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "account_holder": self.account_holder,
            "country": self.country,
            "currency": self.currency,
            "iban": self.iban,
            "bic": self.bic,
            "account_number": self.account_number,
            "bank_code": self.bank_code,
            "branch_code": self.branch_code,
        }


def _bad(field: str, detail: str) -> InvalidBankDetails:
    return InvalidBankDetails(detail, field=f"bank.{field}")


def _uses_iban(country: str) -> bool:
    try:
        registry.get_iban_spec(country)
    except SchwiftyException:
        return False
    return True


def _aba_checksum_ok(routing: str) -> bool:
    d = [int(c) for c in routing]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


def _compact(value: str | None) -> str | None:
    if value is None:
        return None
    out = re.sub(r"[\s-]", "", value).upper()
    return out or None


def validate_bank_details(raw: BankDetails) -> BankDetails:
    """The details in canonical form (compact, upper case), or ``InvalidBankDetails``."""
    if not raw.account_holder.strip():
        raise _bad("account_holder", "account_holder must not be empty")
    country = raw.country.upper()
    if not _COUNTRY.fullmatch(country):
        raise _bad("country", f"{raw.country!r} is not an ISO 3166 country code")
    try:
        exponent(raw.currency)
    except Exception:
        raise _bad("currency", f"{raw.currency!r} is not an ISO 4217 currency") from None
    iban, bic = _compact(raw.iban), _compact(raw.bic)
    account, bank, branch = (
        _compact(raw.account_number),
        _compact(raw.bank_code),
        _compact(raw.branch_code),
    )
    if bic is not None:
        try:
            bic = BIC(bic).compact
        except SchwiftyException as e:
            raise _bad("bic", f"BIC {raw.bic!r} is invalid: {e}") from None
    if _uses_iban(country):
        if iban is None:
            raise _bad("iban", f"{country} accounts are paid by IBAN; iban is required")
        try:
            parsed = IBAN(iban)
        except SchwiftyException as e:
            raise _bad("iban", f"IBAN {raw.iban!r} is invalid: {e}") from None
        if parsed.country_code != country:
            raise _bad("iban", f"IBAN is from {parsed.country_code}, not {country}")
        return BankDetails(raw.account_holder.strip(), country, raw.currency, parsed.compact, bic)
    if iban is not None:
        raise _bad("iban", f"{country} does not use IBANs; give account_number and bank_code")
    _check_local(country, account, bank, branch, bic)
    return BankDetails(
        raw.account_holder.strip(), country, raw.currency, None, bic, account, bank, branch
    )


def _check_local(
    country: str, account: str | None, bank: str | None, branch: str | None, bic: str | None
) -> None:
    fmt = LOCAL_FORMATS.get(country)
    if fmt is None:
        if bic is None:
            raise _bad("bic", f"a BIC is required for accounts in {country}")
        if account is None or not _GENERIC_ACCOUNT.fullmatch(account):
            raise _bad("account_number", "account_number must be 4-34 letters or digits")
        return
    if account is None or not re.fullmatch(fmt.account_number, account):
        raise _bad("account_number", f"account_number does not match the {country} format")
    if fmt.bank_code and (bank is None or not re.fullmatch(fmt.bank_code, bank)):
        raise _bad("bank_code", f"bank_code must be a {fmt.label}")
    if fmt.branch_code and (branch is None or not re.fullmatch(fmt.branch_code, branch)):
        raise _bad("branch_code", f"branch_code must be a {fmt.label}")
    if country == "US" and bank is not None and not _aba_checksum_ok(bank):
        raise _bad("bank_code", "the ABA routing number's check digit is wrong")
