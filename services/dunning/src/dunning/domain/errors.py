"""Errors of the dunning service; each names the business rule it protects.

    DunningError                  root; ``rule`` is a stable slug, ``field`` the input at fault
    ├── NotFound                  the account (or entry) is unknown to dunning
    ├── IdempotencyConflict       the same id was used before with a different body
    ├── RuleViolation             the request breaks a business rule
    │   ├── InvalidAmount         not a valid amount in the account's currency
    │   ├── InvalidArrangement    a promise or payment plan that cannot be kept as written
    │   ├── PromiseExceedsBalance a promise of more than the account owes
    │   ├── PromiseAlreadyOpen    a second promise while one is still open
    │   ├── RunDateInFuture       a dunning run for a business date after today
    │   └── RunDateBeforeLastRun  a dunning run for a date before the last completed run
    └── PolicyFileError           the dunning policy file is malformed (raised on load)

Domain errors carry no HTTP status; ``dunning.adapters.http.problems`` maps them.
"""

from __future__ import annotations

from servicekit.errors import ServiceError


class DunningError(ServiceError):
    rule = "dunning-error"


class NotFound(DunningError):
    rule = "not-found"


class IdempotencyConflict(DunningError):
    rule = "idempotency-conflict"


class RuleViolation(DunningError):
    rule = "rule-violation"


class InvalidAmount(RuleViolation):
    rule = "invalid-amount"


class InvalidArrangement(RuleViolation):
    rule = "invalid-arrangement"


class PromiseExceedsBalance(InvalidArrangement):
    rule = "promise-exceeds-balance"


class PromiseAlreadyOpen(InvalidArrangement):
    rule = "promise-already-open"


class RunDateInFuture(RuleViolation):
    rule = "as-of-in-future"


class RunDateBeforeLastRun(RuleViolation):
    rule = "run-date-before-last-run"


class PolicyFileError(DunningError):
    rule = "invalid-policy-file"
