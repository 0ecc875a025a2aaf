"""Dunning's scopes and the roles holding them:

- ``dunning:read``: an account's dunning, worklist, blacklist, credit check, policies,
  events -- poster, billing clerk, cash clerk, credit controller, collector
- ``dunning:collect``: promises, payment plans, contacts, notice profile -- collector,
  credit controller
- ``dunning:credit``: blacklist entries -- credit controller
- ``dunning:run``: the daily dunning run -- credit controller
- ``dunning:reports``: credit-control report, aging by dunning level -- credit controller
- ``dunning:dead-letters``: the consumer's dead letters (a read: auditors)
- ``dunning:operate``: retrying a dead letter (admins)

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

READ = "dunning:read"
COLLECT = "dunning:collect"
CREDIT = "dunning:credit"
RUN = "dunning:run"
REPORTS = "dunning:reports"
DEAD_LETTERS = "dunning:dead-letters"
OPERATE = "dunning:operate"

ROLES = role_map(
    "dunning",
    reads=[READ, REPORTS, DEAD_LETTERS],
    writes=[COLLECT, CREDIT, RUN, OPERATE],
    grants={
        POSTER: [READ],
        BILLING_CLERK: [READ],
        CASH_CLERK: [READ],
        CREDIT_CONTROLLER: [READ, COLLECT, CREDIT, RUN, REPORTS],
        COLLECTOR: [READ, COLLECT],
    },
)
