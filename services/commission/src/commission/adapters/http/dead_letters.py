"""Operator routes: ledger events commission could not process, and their retry after a fix."""

from __future__ import annotations

from commission.adapters.http import scopes as sc
from commission.adapters.http.deps import get_commission
from commission.adapters.http.problems import PROBLEMS
from servicekit import dead_letter_router

router = dead_letter_router(
    get_commission, PROBLEMS, read_scope=sc.DEAD_LETTERS, retry_scope=sc.OPERATE
)
