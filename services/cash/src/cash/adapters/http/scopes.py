"""Cash's scopes and the roles holding them:

- ``cash:read``: imports, statement lines, the review queue -- cash clerk, credit
  controller, collector
- ``cash:post``: importing statements, processing, matching and refunding lines;
  collection runs and their returns -- cash clerk
- ``cash:mandates``: registering, amending and cancelling direct-debit mandates (a
  change of payment method) -- cash clerk, credit controller, collector
- ``cash:dead-letters``: the consumer's dead letters (a read: auditors)
- ``cash:operate``: retrying a dead letter (admins)

Admins hold every scope, auditors every read. Jurisdictions limit what a caller sees: a
statement line (and its import, review, suspense) is its bank account's jurisdiction's
(CASH_BANK_ACCOUNTS), a partner its settlement account's, a mandate and its debits their
account's; starting a collection run and reading its files need an unrestricted caller.
"""

from __future__ import annotations

from servicekit.auth import CASH_CLERK, COLLECTOR, CREDIT_CONTROLLER, role_map

READ = "cash:read"
POST = "cash:post"
MANDATES = "cash:mandates"
DEAD_LETTERS = "cash:dead-letters"
OPERATE = "cash:operate"

ROLES = role_map(
    "cash",
    reads=[READ, DEAD_LETTERS],
    writes=[POST, MANDATES, OPERATE],
    grants={
        CASH_CLERK: [READ, POST, MANDATES],
        CREDIT_CONTROLLER: [READ, MANDATES],
        COLLECTOR: [READ, MANDATES],
    },
)
