"""Billing's scopes and the roles holding them:

- ``billing:read``: policies, their change log and documents, billing runs -- billing
  clerk, poster, cash clerk, credit controller, collector
- ``billing:policies``: set-up, members, renewals, terminations, revisions -- billing clerk
- ``billing:run``: billing runs -- billing clerk

Admins hold every scope, auditors every read.
"""

from __future__ import annotations

from servicekit.auth import (
    BILLING_CLERK,
    CASH_CLERK,
    COLLECTOR,
    CREDIT_CONTROLLER,
    POSTER,
    role_map,
)

READ = "billing:read"
POLICIES = "billing:policies"
RUN = "billing:run"

ROLES = role_map(
    "billing",
    reads=[READ],
    writes=[POLICIES, RUN],
    grants={
        BILLING_CLERK: [READ, POLICIES, RUN],
        POSTER: [READ],
        CASH_CLERK: [READ],
        CREDIT_CONTROLLER: [READ],
        COLLECTOR: [READ],
    },
)
