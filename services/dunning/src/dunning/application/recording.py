"""Recording a decision: state, history/outbox, and the notices and fees it queues.

All in the caller's unit of work, so an action is queued exactly when it is decided.
"""

from __future__ import annotations

from dunning.application.ports import UnitOfWork
from dunning.domain import events as ev
from dunning.domain.decide import Decision
from dunning.domain.receivables import Receivables


async def record(tx: UnitOfWork, decision: Decision, rec: Receivables) -> int:
    """Save the decision; return the number of events that were new."""
    await tx.accounts.save_state(decision.state, rec)
    return await record_events(tx, decision, rec)


async def record_events(tx: UnitOfWork, decision: Decision, rec: Receivables) -> int:
    """The decision's events, notices and fees (the state is saved by the caller)."""
    if not decision.events:
        return 0
    new = await tx.accounts.append_events(rec.account_id, decision.events)
    for emitted in new:
        e = emitted.event
        if isinstance(e, ev.ReminderSent | ev.FinalNoticeSent):
            await tx.queues.add_notice(
                {
                    "notice_id": e.notice_id,
                    "account_id": e.account_id,
                    "event_id": emitted.event_id,
                    "kind": e.event_type(),
                    "language": e.language,
                    "recipient": e.recipient,
                    "data": {**e.model_dump(mode="json"), "account_name": rec.name},
                },
            )
        elif isinstance(e, ev.FeeCharged):
            await tx.queues.add_fee(
                {
                    "adjustment_id": e.adjustment_id,
                    "account_id": e.account_id,
                    "amount": e.amount,
                    "currency": e.currency,
                    "effective_on": e.occurred_on,
                    "reason": f"Dunning fee, level {e.level}",
                },
            )
    return len(new)
