"""Cash's scopes and the roles holding them:

- ``cash:read``: imports, statement lines, the review queue -- cash clerk, credit
  controller, collector
- ``cash:post``: importing statements, processing, matching and refunding lines;
  collection runs and their returns -- cash clerk
- ``cash:mandates``: registering, amending and cancelling direct-debit mandates (a
  change of payment method) -- cash clerk, credit controller, collector
- ``cash:dead-letters``: the consumer's dead letters (a read: auditors)
- ``cash:operate``: retrying a dead letter (admins)

Admins hold every scope, auditors every read. Statement lines and collection runs belong to
no one jurisdiction, so their routes need an unrestricted caller; a mandate is its
account's jurisdiction's.
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
