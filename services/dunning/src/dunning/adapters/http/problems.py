"""RFC 9457 problem details: the one place dunning's errors meet HTTP status codes."""

from __future__ import annotations

from dunning.domain import errors as err
from servicekit import Problems

PROBLEMS = Problems(
    service="dunning",
    root=err.DunningError,
    status={
        err.NotFound: 404,
        err.IdempotencyConflict: 409,
        err.RuleViolation: 422,
        err.PolicyFileError: 500,
    },
    # readable names of the patterns the API validates with (instead of the regex)
    formats={
        r"^[A-Za-z0-9._:\-]+$": "an id of letters, digits and . _ : -",
        r"^\d{1,15}(\.\d{1,6})?$": 'a positive decimal amount such as "500.00"',
        r"^[^@\s]+@[^@\s]+$": "an e-mail address",
    },
    why={
        "404": "No such account (or entry)",
        "409": "The id was used before with another body (or the state forbids it)",
        "422": "The request broke a validation or business rule; nothing was written",
    },
    not_found_markers=("{account_id}", "{as_of}"),
)

problem = PROBLEMS.problem
install = PROBLEMS.install
