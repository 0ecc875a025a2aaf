"""Errors of the billing service; each names the business rule it protects.

    BillingError                 root; ``rule`` is a stable slug, ``field`` the input at fault
    ├── NotFound                 no such policy, member, run or invoiced period
    ├── IdempotencyConflict      an id used before with a different body
    ├── RuleViolation            the request breaks a business rule (nothing is written)
    │   ├── InvalidAmount        not an amount in the policy's currency
    │   ├── InvalidPolicy        products, rates, dates or frequency that cannot be billed
    │   ├── InvalidMember        an enrolment or change that contradicts the member's cover
    │   ├── PolicyClosed         a change to a terminated policy
    │   ├── InvalidRenewal       a renewal that leaves a gap or overlaps the current term
    │   └── InvalidMemberFile    an uploaded member list that cannot be read
    └── LedgerUnavailable        the ledger failed or is unreachable (a retry may succeed)

Domain errors carry no HTTP status; ``billing.adapters.http.problems`` maps them.
"""

from __future__ import annotations

from servicekit.errors import ServiceError


class BillingError(ServiceError):
    rule = "billing-error"


class NotFound(BillingError):
    rule = "not-found"


class IdempotencyConflict(BillingError):
    rule = "idempotency-conflict"


class RuleViolation(BillingError):
    rule = "rule-violation"


class InvalidAmount(RuleViolation):
    rule = "invalid-amount"


class InvalidPolicy(RuleViolation):
    rule = "invalid-policy"


class InvalidMember(RuleViolation):
    rule = "invalid-member"


class PolicyClosed(RuleViolation):
    rule = "policy-terminated"


class InvalidRenewal(RuleViolation):
    rule = "invalid-renewal"


class InvalidMemberFile(RuleViolation):
    rule = "invalid-member-file"


class LedgerUnavailable(BillingError):
    rule = "ledger-unavailable"
