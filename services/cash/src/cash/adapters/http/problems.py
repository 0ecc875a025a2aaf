"""RFC 9457 problem details: the one place cash's errors meet HTTP status codes."""

from __future__ import annotations

from cash.domain import errors as err
from servicekit import Problems

PROBLEMS = Problems(
    service="cash",
    root=err.CashError,
    status={
        err.NotFound: 404,
        err.RuleViolation: 422,
        err.OutsideJurisdiction: 403,
        err.ExpectedConflict: 409,
        err.Conflict: 409,
        err.LedgerUnavailable: 503,
    },
    formats={
        r"^[A-Za-z0-9._:\-]+$": "an id of letters, digits and . _ : -",
        r"^[0-9a-f]{64}$": "a file id: the 64 hex digits of the file's SHA-256",
    },
    why={
        "404": "No such import, statement line, mandate or collection run",
        "409": "The id was used before with another body",
        "422": "The request broke a validation or business rule; nothing was written",
        "503": "The ledger did not answer; nothing was lost, retry later",
    },
    not_found_markers=(
        "{file_id}",
        "{line_id}",
        "{partner_id}",
        "{account_id}",
        "{mandate_id}",
        "{run_id}",
        "{end_to_end_id}",
    ),
)

problem = PROBLEMS.problem
install = PROBLEMS.install
