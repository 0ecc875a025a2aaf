"""Operator routes: ledger events dunning could not process, and their retry after a fix."""

from __future__ import annotations

from dunning.adapters.http import scopes as sc
from dunning.adapters.http.deps import get_dunning
from dunning.adapters.http.problems import PROBLEMS
from servicekit import dead_letter_router

router = dead_letter_router(
    get_dunning, PROBLEMS, read_scope=sc.DEAD_LETTERS, retry_scope=sc.OPERATE
)
