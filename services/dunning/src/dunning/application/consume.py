"""Applying ledger events in the consumer's unit of work.

``LedgerEvents.apply(tx, event)`` folds the event into the receivables projection and lets
the domain reassess the account (a payment can clear or lower the level and reinstate cover
at once). Everything it writes goes through ``tx``, the consumer's transaction, in which
the consumer also records the event as processed.

``LedgerEvents.batch(tx, events)`` is the consumer's batch scope: the accounts of a batch
are read once (projection, dunning state, contact profile; row-locked in account order),
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

from dunning.application.ports import UnitOfWork
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


class LedgerEvents:
    """``project_only``: rebuild the projection without deciding (``dunning replay``: old
    events must not clear or lower today's levels)."""

    def __init__(self, policies: PolicySet, *, project_only: bool = False) -> None:
        self.policies = policies
        self.project_only = project_only
        self._batch: _Batch | None = None

    @asynccontextmanager
    async def batch(self, tx: UnitOfWork, events: Sequence[LedgerEvent]) -> AsyncIterator[None]:
        ids = sorted({e.account_id for e in events})
        scope = _Batch(
            recs=await tx.accounts.load_receivables_many(ids),
            states={} if self.project_only else await tx.accounts.load_states_many(ids),
            contacts={} if self.project_only else await tx.credit.get_profiles(ids),
        )
        self._batch = scope
        try:
            yield
        finally:
            self._batch = None
        await tx.accounts.save_receivables_many([scope.recs[a] for a in sorted(scope.changed_recs)])
        await tx.accounts.save_states_many(
            [(scope.states[a], scope.recs[a]) for a in sorted(scope.changed_states)]
        )

    async def apply(self, tx: UnitOfWork, event: LedgerEvent) -> None:
        fact = parse_fact(event.type, dict(event.data))
        if fact is None:
            return
        account_id, scope = event.account_id, self._batch
        if scope is None:
            rec = await tx.accounts.load_receivables(account_id, lock=True)
        else:
            rec = scope.recs.get(account_id)
        rec = evolve(rec, fact, account_id, event.effective_date)
        if scope is None:
            await tx.accounts.save_receivables(rec)
        else:
            scope.recs[account_id] = rec
            scope.changed_recs.add(account_id)
        if self.project_only:
            return
        contact: Contact | None
        if scope is None:
            state = await tx.accounts.load_state(account_id, lock=True)
            contact = await tx.credit.get_profile(account_id)
        else:
            state, contact = scope.states.get(account_id), scope.contacts.get(account_id)
        state = state or DunningState(account_id=account_id)
        policy = self.policies.select(
            rec.jurisdiction, (contact or Contact()).segment, rec.currency
        )
        if isinstance(fact, AccountOpened) or policy is None:
            await self._keep(tx, scope, state, rec)
            return
        on = event.effective_date
        if state.evaluated_on is not None and state.evaluated_on > on:
            on = state.evaluated_on
        decision = reassess(state, rec, policy, on)
        if scope is None:
            await record(tx, decision, rec)
            return
        await self._keep(tx, scope, decision.state, rec)
        await record_events(tx, decision, rec)

    @staticmethod
    async def _keep(
        tx: UnitOfWork, scope: _Batch | None, state: DunningState, rec: Receivables
    ) -> None:
        if scope is None:
            await tx.accounts.save_state(state, rec)
        else:
            scope.states[state.account_id] = state
            scope.changed_states.add(state.account_id)
