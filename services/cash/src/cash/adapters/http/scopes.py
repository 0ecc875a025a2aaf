"""Cash's scopes and the roles holding them:

- ``cash:read``: imports, statement lines, the review queue -- cash clerk, credit
  controller, collector
- ``cash:post``: importing statements, processing, matching and refunding lines -- cash
  clerk
- ``cash:dead-letters``: the consumer's dead letters (a read: auditors)
- ``cash:operate``: retrying a dead letter (admins)

Admins hold every scope, auditors every read. Statement lines belong to a bank account,
not yet to an account of the ledger, so every cash route needs an unrestricted caller.
"""

from __future__ import annotations

from servicekit.auth import CASH_CLERK, COLLECTOR, CREDIT_CONTROLLER, role_map

READ = "cash:read"
POST = "cash:post"
DEAD_LETTERS = "cash:dead-letters"
OPERATE = "cash:operate"

ROLES = role_map(
    "cash",
    reads=[READ, DEAD_LETTERS],
    writes=[POST, OPERATE],
    grants={
        CASH_CLERK: [READ, POST],
        CREDIT_CONTROLLER: [READ],
        COLLECTOR: [READ],
    },
)
