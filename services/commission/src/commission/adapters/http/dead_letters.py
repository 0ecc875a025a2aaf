"""Operator routes: ledger events commission could not process, and their retry after a fix."""

from __future__ import annotations

from commission.adapters.http.deps import get_commission
from commission.adapters.http.problems import PROBLEMS
from servicekit import dead_letter_router

router = dead_letter_router(get_commission, PROBLEMS)
