"""Applying one ledger event inside the consumer's transaction.

``Applier.apply(conn, event)`` is the eventfeed handler: it folds the event into the
receivables projection and lets the domain reassess the account (a payment can clear or
lower the level and reinstate cover at once). Everything it writes goes through ``conn``;
eventfeed records the event as processed in the same transaction.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncConnection

from dunning.adapters.postgres import credit_control as cc
from dunning.adapters.postgres import repository as repo
from dunning.application.recording import record
from dunning.domain.decide import reassess
from dunning.domain.ledger_facts import AccountOpened, parse_fact
from dunning.domain.policies import PolicySet
from dunning.domain.receivables import evolve
from dunning.domain.state import DunningState
from eventfeed import LedgerEvent

log = logging.getLogger(__name__)


class Applier:
    """``project_only``: rebuild the projection without deciding (``dunning replay``: old
    events must not clear or lower today's levels)."""

    def __init__(self, policies: PolicySet, *, project_only: bool = False) -> None:
        self.policies = policies
        self.project_only = project_only

    async def apply(self, conn: AsyncConnection, event: LedgerEvent) -> None:
        fact = parse_fact(event.type, dict(event.data))
        if fact is None:
            return
        account_id = event.account_id
        rec = await repo.load_receivables(conn, account_id, lock=True)
        rec = evolve(rec, fact, account_id, event.effective_date)
        await repo.save_receivables(conn, rec)
        if self.project_only:
            return
        state = await repo.load_state(conn, account_id, lock=True)
        state = state or DunningState(account_id=account_id)
        if isinstance(fact, AccountOpened):
            await repo.save_state(conn, state, rec)
            return
        contact = await cc.get_profile(conn, account_id)
        policy = self.policies.select(rec.jurisdiction, contact.segment, rec.currency)
        if policy is None:
            await repo.save_state(conn, state, rec)
            return
        on = event.effective_date
        if state.evaluated_on is not None and state.evaluated_on > on:
            on = state.evaluated_on
        decision = reassess(state, rec, policy, on)
        await record(conn, decision, rec)
