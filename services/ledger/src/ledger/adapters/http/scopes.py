"""The ledger's scopes and the roles holding them.

| scope | routes | roles (admin holds all; auditor all reads) |
|---|---|---|
| ledger:read | accounts, invoices, balances, history, journal, statements, reports | every role |
| ledger:feed | the global event feed | auditor (and consuming services) |
| ledger:audit | hash-chain verification | auditor |
| ledger:reports | collection KPIs, the monthly management pack | credit controller |
| ledger:accounts | open an account | poster, billing clerk |
| ledger:invoices | invoices, credit notes, adjustments | poster, billing clerk |
| ledger:payments | payments, reversals, refunds, applying credit | poster, cash clerk |
| ledger:write-offs | write-offs (requests above the threshold), recoveries | credit controller |
| ledger:credit-limits | request a new credit limit | credit controller |
| ledger:approvals | approve or reject a pending request (never one's own) | credit controller |
| ledger:disputes | open and resolve disputes | billing clerk, credit controller, collector |
| ledger:batches | a batch of commands (each also needs its own scope) | every role that writes |
"""

from __future__ import annotations

from servicekit.auth import (
    BILLING_CLERK,
    BROKER_MANAGER,
    CASH_CLERK,
    COLLECTOR,
    CREDIT_CONTROLLER,
    POSTER,
    role_map,
)

READ = "ledger:read"
FEED = "ledger:feed"
AUDIT = "ledger:audit"
REPORTS = "ledger:reports"
ACCOUNTS = "ledger:accounts"
INVOICES = "ledger:invoices"
PAYMENTS = "ledger:payments"
WRITE_OFFS = "ledger:write-offs"
DISPUTES = "ledger:disputes"
CREDIT_LIMITS = "ledger:credit-limits"
APPROVALS = "ledger:approvals"  # decide write-off and credit-limit requests (four-eyes)
BATCHES = "ledger:batches"  # the batch route; each command in it needs its own scope too

# The scope of each command (its single route's), also checked per command of a batch.
OP_SCOPES = {
    "open_account": ACCOUNTS,
    "issue_invoice": INVOICES,
    "receive_payment": PAYMENTS,
    "reverse_payment": PAYMENTS,
    "issue_credit_note": INVOICES,
    "post_adjustment": INVOICES,
    "write_off": WRITE_OFFS,
    "recover_write_off": WRITE_OFFS,
    "refund": PAYMENTS,
    "apply_credit": PAYMENTS,
    "dispute": DISPUTES,
    "resolve_dispute": DISPUTES,
    "suspend_receipt": PAYMENTS,
    "clear_suspense": PAYMENTS,
}

ROLES = role_map(
    "ledger",
    reads=[READ, FEED, AUDIT, REPORTS],
    writes=[ACCOUNTS, INVOICES, PAYMENTS, WRITE_OFFS, DISPUTES, CREDIT_LIMITS, APPROVALS, BATCHES],
    grants={
        POSTER: [READ, ACCOUNTS, INVOICES, PAYMENTS, BATCHES],
        BILLING_CLERK: [READ, ACCOUNTS, INVOICES, DISPUTES, BATCHES],
        CASH_CLERK: [READ, PAYMENTS, BATCHES],
        CREDIT_CONTROLLER: [
            READ,
            REPORTS,
            WRITE_OFFS,
            DISPUTES,
            CREDIT_LIMITS,
            APPROVALS,
            BATCHES,
        ],
        COLLECTOR: [READ, DISPUTES, BATCHES],
        BROKER_MANAGER: [READ],
    },
)
