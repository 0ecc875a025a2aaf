"""Errors of the cash service, one class per business rule.

CashError                        root of everything the service raises on purpose
├── RuleViolation                a request broke a business rule (nothing is written)
│   ├── InvalidAmount            not a decimal amount, or too precise for the currency
│   ├── UnknownCurrency          not an ISO 4217 currency
│   ├── InvalidStatement         a statement file that cannot be read; names the line
│   │   └── UnknownBankAccount   a statement for a bank account no jurisdiction is configured for
│   ├── InvalidMapping           a partner's CSV column mapping is incomplete
│   ├── LineState                the line is not in a state that allows the action
│   ├── InvalidMatch             a manual match that does not add up
│   ├── InvalidExpected          an expected transaction given twice, or a period upside down
│   ├── InvalidMandate           a mandate's bank details or terms do not hold
│   ├── MandateState             the mandate's state does not allow the change
│   └── CollectionState          the collection's state does not allow the action
├── OutsideJurisdiction          the caller works for other jurisdictions than the object's
├── ExpectedConflict             a reference already expected with other figures
├── Conflict                     a mandate id used before with other terms, or a second mandate
├── NotFound                     no such import, line, partner mapping, expected transaction,
│                                mandate or collection run
└── LedgerUnavailable            the ledger refused or failed a posting (retry later)
"""

from __future__ import annotations

from servicekit.errors import ServiceError


class CashError(ServiceError):
    """Root of the cash service's own errors."""

    rule = "cash-error"


class RuleViolation(CashError):
    rule = "rule-violation"


class InvalidAmount(RuleViolation):
    rule = "invalid-amount"


class UnknownCurrency(RuleViolation):
    rule = "unknown-currency"


class InvalidStatement(RuleViolation):
    """``line`` is the 1-based line of the file at fault (None: the file as a whole)."""

    rule = "invalid-statement"

    def __init__(self, detail: str, *, line: int | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        super().__init__(where + detail, field="body")
        self.line = line


class UnknownBankAccount(InvalidStatement):
    rule = "unknown-bank-account"


class InvalidMapping(RuleViolation):
    rule = "invalid-mapping"


class LineState(RuleViolation):
    rule = "line-state"


class InvalidMatch(RuleViolation):
    rule = "invalid-match"


class InvalidExpected(RuleViolation):
    rule = "invalid-expected"


class OutsideJurisdiction(CashError):
    """Creating something of a jurisdiction the caller does not work for (an import on
    another entity's bank account); reading one is answered as not found instead."""

    rule = "outside-jurisdiction"


class ExpectedConflict(CashError):
    rule = "expected-conflict"


class InvalidMandate(RuleViolation):
    rule = "invalid-mandate"


class MandateState(RuleViolation):
    rule = "mandate-state"


class CollectionState(RuleViolation):
    rule = "collection-state"


class Conflict(CashError):
    rule = "conflict"


class NotFound(CashError):
    rule = "not-found"


class LedgerUnavailable(CashError):
    rule = "ledger-unavailable"
