"""Errors of the commission service, one class per business rule.

CommissionError                   root of everything the service raises on purpose
├── RuleViolation                 a request broke a business rule (nothing is written)
│   ├── InvalidAmount             not a plain decimal string, or too precise for the currency
│   ├── UnknownCurrency           not an ISO 4217 currency
│   ├── InvalidRate               a commission rate outside 0..1 or with over 6 decimals
│   ├── InvalidBankDetails        IBAN/BIC checksum or a local account format is wrong
│   ├── InvalidAgreement          an agreement without rates, or a product named twice
│   ├── InvalidPeriod             not a YYYY-MM period
│   ├── PeriodOrder               settling a period before one already settled
│   ├── PeriodNotEnded            settling a period that has not ended yet (by the clock)
│   ├── SameUserApproval          maker-checker: the requester cannot approve their change
│   ├── ChangeNotPending          approving/rejecting a change that is already decided
│   ├── StatementAlreadyPaid      a paid statement cannot be paid again with another reference
│   └── NothingPayable            marking paid a statement with nothing payable
├── NotFound                      no such broker, agreement, change or statement
├── Conflict                      an id reused with a different payload
└── ConsumerBehind                the ledger's events are not all consumed yet (try again)
"""

from __future__ import annotations

from servicekit.errors import ServiceError


class CommissionError(ServiceError):
    """Root of the commission service's own errors."""

    rule = "commission-error"


class RuleViolation(CommissionError):
    rule = "rule-violation"


class InvalidAmount(RuleViolation):
    rule = "invalid-amount"


class UnknownCurrency(RuleViolation):
    rule = "unknown-currency"


class InvalidRate(RuleViolation):
    rule = "invalid-rate"


class InvalidBankDetails(RuleViolation):
    rule = "invalid-bank-details"


class InvalidAgreement(RuleViolation):
    rule = "invalid-agreement"


class InvalidPeriod(RuleViolation):
    rule = "invalid-period"


class PeriodOrder(RuleViolation):
    rule = "period-order"


class PeriodNotEnded(RuleViolation):
    rule = "period-not-ended"


class SameUserApproval(RuleViolation):
    rule = "four-eyes"


class ChangeNotPending(RuleViolation):
    rule = "change-not-pending"


class StatementAlreadyPaid(RuleViolation):
    rule = "statement-already-paid"


class NothingPayable(RuleViolation):
    rule = "nothing-payable"


class NotFound(CommissionError):
    rule = "not-found"


class Conflict(CommissionError):
    rule = "conflict"


class ConsumerBehind(CommissionError):
    """Settling now would miss ledger events not consumed yet; nothing was written."""

    rule = "consumer-behind"
