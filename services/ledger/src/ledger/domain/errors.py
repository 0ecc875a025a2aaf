"""Errors of the ledger, one class per business rule.

LedgerError                       root of everything the ledger raises on purpose
├── RuleViolation                 a command broke a business rule (nothing is written)
│   ├── InvalidAmount             amount not positive, not finite or too precise
│   │   └── AccountTotalLimit     the command would take an account or item total past
│   │                             the largest amount the ledger holds
│   ├── UnknownCurrency           not an ISO 4217 currency
│   ├── CurrencyMismatch          amount in another currency than the account's
│   ├── InvalidDates              e.g. due date before issue date
│   ├── InvalidInvoice            invoice without lines, or lines that do not add up
│   ├── DuplicateId               an invoice / payment id already used on the account
│   ├── UnknownInvoice            the named invoice is not on the account
│   ├── UnknownPayment            the named payment is not on the account
│   ├── OverAllocation            allocation above the payment or the invoice's open amount
│   ├── ExceedsOpenAmount         credit note, write-off or negative adjustment too large
│   ├── InsufficientCredit        refund / application above the unapplied credit
│   ├── PaymentAlreadyReversed    a payment can be reversed once
│   ├── PaymentRefunded           a refunded payment cannot be reversed
│   ├── DisputeState              disputing a disputed invoice, resolving an undisputed one
│   ├── SuspenseState             clearing what is not held in suspense, or treating a
│   │                             suspended receipt as customer money
│   ├── ApprovalState             deciding a request that is not pending, or a second
│   │                             pending request with one id
│   ├── SameUserApproval          four-eyes: the requester cannot approve their own request
│   └── StaleRequest              a request that no longer holds when it is approved (the
│                                 invoice was paid or credited meanwhile)
├── AccountNotFound               no such account
├── AccountExists                 opening an account id that is taken
├── ConcurrencyConflict           the stream moved on since it was read
└── IdempotencyConflict           a command id reused with a different payload
"""

from __future__ import annotations

from servicekit.errors import ServiceError


class LedgerError(ServiceError):
    """Root of the ledger's own errors."""

    rule = "ledger-error"


class RuleViolation(LedgerError):
    rule = "rule-violation"


class InvalidAmount(RuleViolation):
    rule = "invalid-amount"


class AccountTotalLimit(InvalidAmount):
    rule = "account-total-limit"


class UnknownCurrency(RuleViolation):
    rule = "unknown-currency"


class CurrencyMismatch(RuleViolation):
    rule = "currency-mismatch"


class InvalidDates(RuleViolation):
    rule = "invalid-dates"


class InvalidInvoice(RuleViolation):
    rule = "invalid-invoice"


class DuplicateId(RuleViolation):
    rule = "duplicate-id"


class UnknownInvoice(RuleViolation):
    rule = "unknown-invoice"


class UnknownPayment(RuleViolation):
    rule = "unknown-payment"


class OverAllocation(RuleViolation):
    rule = "over-allocation"


class ExceedsOpenAmount(RuleViolation):
    rule = "exceeds-open-amount"


class InsufficientCredit(RuleViolation):
    rule = "insufficient-credit"


class PaymentAlreadyReversed(RuleViolation):
    rule = "payment-already-reversed"


class PaymentRefunded(RuleViolation):
    rule = "payment-refunded"


class DisputeState(RuleViolation):
    rule = "dispute-state"


class AccountNotFound(LedgerError):
    rule = "account-not-found"


class AccountExists(LedgerError):
    rule = "account-exists"


class ConcurrencyConflict(LedgerError):
    rule = "concurrency-conflict"


class IdempotencyConflict(LedgerError):
    rule = "idempotency-conflict"


class SuspenseState(RuleViolation):
    rule = "suspense-state"


class ApprovalState(RuleViolation):
    rule = "approval-state"


class SameUserApproval(RuleViolation):
    rule = "four-eyes"


class StaleRequest(RuleViolation):
    rule = "request-no-longer-valid"
