"""Which jurisdiction (entity) each bank account belongs to.

Money arrives on a bank account of one entity: the Singapore company's account at DBS is
SG's, the Hong Kong company's at HSBC is HK's. Every statement line takes the jurisdiction
of the account it arrived on, and so do its file, its review and its suspense. Accounts
are configured (``CASH_BANK_ACCOUNTS``, identifier or IBAN -> jurisdiction); identifiers
are compared without spaces and case, so ``SG12 DBSS 0000 1234`` is ``sg12dbss00001234``.
A statement for an account that is not configured is refused: guessing the entity of
money would post it to the wrong company's books.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cash.domain.errors import UnknownBankAccount
from cash.domain.statement import StatementLine

JURISDICTION = re.compile(r"[A-Z]{2,8}")


def normalised(account: str) -> str:
    return "".join(account.split()).upper()


@dataclass(frozen=True)
class BankAccounts:
    """``accounts``: bank account identifier (or IBAN) -> jurisdiction."""

    accounts: Mapping[str, str] = field(default_factory=dict)
    _by_key: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, str] = {}
        for account, jurisdiction in self.accounts.items():
            key = normalised(account)
            if not key:
                raise ValueError("a bank account identifier is empty")
            if not JURISDICTION.fullmatch(jurisdiction):
                raise ValueError(f"{account}: {jurisdiction!r} is not a jurisdiction like SG")
            if by_key.get(key, jurisdiction) != jurisdiction:
                raise ValueError(f"{account} is given twice, as {by_key[key]} and {jurisdiction}")
            by_key[key] = jurisdiction
        object.__setattr__(self, "_by_key", by_key)

    def jurisdiction_of(self, account: str) -> str | None:
        return self._by_key.get(normalised(account))

    def of_lines(self, lines: Iterable[StatementLine]) -> dict[str, str]:
        """bank account -> jurisdiction for every line; the first line on an account that is
        not configured is refused, naming the account and the line."""
        found: dict[str, str] = {}
        for line in lines:
            if line.bank_account in found:
                continue
            jurisdiction = self.jurisdiction_of(line.bank_account)
            if jurisdiction is None:
                raise UnknownBankAccount(
                    f"the bank account {line.bank_account} is not configured "
                    "(CASH_BANK_ACCOUNTS says which jurisdiction each account is)",
                    line=line.line_no,
                )
            found[line.bank_account] = jurisdiction
        return found
