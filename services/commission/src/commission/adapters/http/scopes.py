"""Commission's scopes and the roles holding them:

- ``commission:read``: brokers, bank-detail history, agreements, accruals, settlements,
  statements -- broker manager
- ``commission:payout``: the payout file (bank accounts and amounts) -- broker manager
- ``commission:brokers``: registering brokers, agreements -- broker manager
- ``commission:bank``: requesting and deciding bank-detail changes (maker and checker are
  two different authenticated subjects) -- broker manager
- ``commission:settle``: settling a period, marking statements paid -- broker manager
- ``commission:dead-letters``: the consumer's dead letters (a read: auditors)
- ``commission:operate``: retrying a dead letter (admins)

Admins hold every scope, auditors every read.
"""

from __future__ import annotations

from servicekit.auth import BROKER_MANAGER, role_map

READ = "commission:read"
PAYOUT = "commission:payout"
BROKERS = "commission:brokers"
BANK = "commission:bank"
SETTLE = "commission:settle"
DEAD_LETTERS = "commission:dead-letters"
OPERATE = "commission:operate"

ROLES = role_map(
    "commission",
    reads=[READ, PAYOUT, DEAD_LETTERS],
    writes=[BROKERS, BANK, SETTLE, OPERATE],
    grants={BROKER_MANAGER: [READ, PAYOUT, BROKERS, BANK, SETTLE]},
)
