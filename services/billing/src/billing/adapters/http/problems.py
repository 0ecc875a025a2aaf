"""RFC 9457 problem details: the one place billing's errors meet HTTP status codes."""

from __future__ import annotations

from billing.adapters.http.schemas import FORMATS
from billing.domain import errors as err
from servicekit import Problems

PROBLEMS = Problems(
    service="billing",
    root=err.BillingError,
    status={
        err.NotFound: 404,
        err.IdempotencyConflict: 409,
        err.RuleViolation: 422,
        err.LedgerUnavailable: 503,
    },
    formats=FORMATS,
    why={
        "404": "No such policy (or member, run, billed period)",
        "409": "The id was used before with another body",
        "422": "The request broke a validation or business rule; nothing was written",
    },
    not_found_markers=("{policy_id}", "{run_id}"),
)

problem = PROBLEMS.problem
install = PROBLEMS.install
