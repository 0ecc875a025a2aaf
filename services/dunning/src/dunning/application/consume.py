"""Applying ledger events inside the consumer's transaction.

``Applier.apply(conn, event)`` is the eventfeed handler: it folds the event into the
receivables projection and lets the domain reassess the account (a payment can clear or
lower the level and reinstate cover at once). Everything it writes goes through ``conn``;
eventfeed records the event as processed in the same transaction.

``Applier.batch(conn, events)`` is the consumer's batch scope: the accounts of a batch are
read once (projection, dunning state, contact profile; row-locked in account order),
every event of the batch is applied to them in memory, and each account is written once
when the batch ends well. Decided events, notices and fees are written as they are
decided. Without the scope (a batch run again event by event after a failure, a dead
letter retried) each event reads and writes its account itself.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from dunning.adapters.postgres import credit_control as cc
from dunning.adapters.postgres import repository as repo
from dunning.application.recording import record, record_events
from dunning.domain.decide import reassess
from dunning.domain.ledger_facts import AccountOpened, parse_fact
from dunning.domain.policies import PolicySet
from dunning.domain.receivables import Receivables, evolve
from dunning.domain.state import Contact, DunningState
from eventfeed import LedgerEvent

log = logging.getLogger(__name__)


@dataclass
class _Batch:
    recs: dict[str, Receivables]
    states: dict[str, DunningState]
    contacts: dict[str, Contact]
    changed_recs: set[str] = field(default_factory=set)
    changed_states: set[str] = field(default_factory=set)


class Applier:
    """``project_only``: rebuild the projection without deciding (``dunning replay``: old
    events must not clear or lower today's levels)."""

    def __init__(self, policies: PolicySet, *, project_only: bool = False) -> None:
        self.policies = policies
        self.project_only = project_only
        self._batch: _Batch | None = None

    @asynccontextmanager
    async def batch(
        self, conn: AsyncConnection, events: Sequence[LedgerEvent]
    ) -> AsyncIterator[None]:
        ids = sorted({e.account_id for e in events})
        scope = _Batch(
            recs=await repo.load_receivables_many(conn, ids),
            states={} if self.project_only else await repo.load_states_many(conn, ids),
            contacts={} if self.project_only else await cc.get_profiles(conn, ids),
        )
        self._batch = scope
        try:
            yield
        finally:
            self._batch = None
        await repo.save_receivables_many(conn, [scope.recs[a] for a in sorted(scope.changed_recs)])
        await repo.save_states_many(
            conn, [(scope.states[a], scope.recs[a]) for a in sorted(scope.changed_states)]
        )

    async def apply(self, conn: AsyncConnection, event: LedgerEvent) -> None:
        fact = parse_fact(event.type, dict(event.data))
        if fact is None:
            return
        account_id, scope = event.account_id, self._batch
        if scope is None:
            rec = await repo.load_receivables(conn, account_id, lock=True)
        else:
            rec = scope.recs.get(account_id)
        rec = evolve(rec, fact, account_id, event.effective_date)
        if scope is None:
            await repo.save_receivables(conn, rec)
        else:
            scope.recs[account_id] = rec
            scope.changed_recs.add(account_id)
        if self.project_only:
            return
        contact: Contact | None
        if scope is None:
            state = await repo.load_state(conn, account_id, lock=True)
            contact = await cc.get_profile(conn, account_id)
        else:
            state, contact = scope.states.get(account_id), scope.contacts.get(account_id)
        state = state or DunningState(account_id=account_id)
        policy = self.policies.select(
            rec.jurisdiction, (contact or Contact()).segment, rec.currency
        )
        if isinstance(fact, AccountOpened) or policy is None:
            await self._keep(conn, scope, state, rec)
            return
        on = event.effective_date
        if state.evaluated_on is not None and state.evaluated_on > on:
            on = state.evaluated_on
        decision = reassess(state, rec, policy, on)
        if scope is None:
            await record(conn, decision, rec)
            return
        await self._keep(conn, scope, decision.state, rec)
        await record_events(conn, decision, rec)

    @staticmethod
    async def _keep(
        conn: AsyncConnection, scope: _Batch | None, state: DunningState, rec: Receivables
    ) -> None:
        if scope is None:
            await repo.save_state(conn, state, rec)
        else:
            scope.states[state.account_id] = state
            scope.changed_states.add(state.account_id)
