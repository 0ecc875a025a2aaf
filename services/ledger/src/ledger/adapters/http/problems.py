"""RFC 9457 problem details: the one place the ledger's errors meet HTTP status codes."""

from __future__ import annotations

from ledger.adapters.http.schemas import FORMATS
from ledger.application.batch import NotApplied
from ledger.application.group import Unavailable
from ledger.domain import errors as err
from servicekit import Problems

PROBLEMS = Problems(
    service="ledger",
    root=err.LedgerError,
    status={
        err.AccountNotFound: 404,
        err.AccountExists: 409,
        err.IdempotencyConflict: 409,
        err.ConcurrencyConflict: 409,
        err.RuleViolation: 422,
        NotApplied: 424,
        Unavailable: 503,
    },
    formats=FORMATS,
    why={
        "404": "No such account",
        "405": "Method not allowed",
        "409": "The id (or Idempotency-Key) was used before with another body",
        "422": "The request broke a validation or business rule; nothing was written",
        "424": "Not written: another command of the same account in the batch failed",
    },
    headers=lambda e: {"Retry-After": str(e.retry_after)} if isinstance(e, Unavailable) else {},
    not_found_markers=("{account_id}",),
    conflict_on_every_post=True,  # every command is idempotent by its id or key
    # Errors about the state of what a request names (in its path or body) rather than
    # about one value name that thing, so every problem points at a field.
    subject={
        err.AccountNotFound: "account_id",
        err.DisputeState: "invoice_id",
        err.PaymentAlreadyReversed: "payment_id",
        err.PaymentRefunded: "payment_id",
        err.ExceedsOpenAmount: "invoice_id",  # raised without a field: nothing open at all
    },
)

problem = PROBLEMS.problem
install = PROBLEMS.install
