"""RFC 9457 problem details: the one place commission's errors meet HTTP status codes."""

from __future__ import annotations

from collections.abc import Mapping

from commission.domain import errors as err
from commission.domain.settlement import PERIOD_PATTERN
from servicekit import Problems

RETRY_AFTER_SECONDS = 30  # told to a client refused because the consumer is behind


def _retry_after(e: Exception) -> Mapping[str, str]:
    if isinstance(e, err.ConsumerBehind):
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return {}


PROBLEMS = Problems(
    service="commission",
    root=err.CommissionError,
    status={
        err.NotFound: 404,
        err.Conflict: 409,
        err.RuleViolation: 422,
        err.ConsumerBehind: 503,
    },
    # readable names of the patterns the API validates with (instead of the regex)
    formats={
        r"^[A-Za-z0-9._:\-]+$": "an id of letters, digits and . _ : -",
        PERIOD_PATTERN: "a period like 2026-11 (YYYY-MM, 1900-01 to 2199-12)",
        r"^[A-Z]{3}$": "an ISO 4217 currency code such as SGD",
    },
    why={
        "404": "No such broker, settled period or entry",
        "409": "The id was used before with another body (or the state forbids it)",
        "422": "The request broke a validation or business rule; nothing was written",
        "503": "Behind the ledger: not every ledger event is consumed yet; retry later",
    },
    not_found_markers=("{broker_id}", "{period}"),
    headers=_retry_after,
)

problem = PROBLEMS.problem
install = PROBLEMS.install
