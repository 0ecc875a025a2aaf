"""Recording a decision: state, history/outbox, and the notices and fees it queues.

All in the caller's transaction, so an action is queued exactly when it is decided.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from dunning.adapters.postgres import queues
from dunning.adapters.postgres import repository as repo
from dunning.domain import events as ev
from dunning.domain.decide import Decision
from dunning.domain.receivables import Receivables


async def record(conn: AsyncConnection, decision: Decision, rec: Receivables) -> int:
    """Save the decision; return the number of events that were new."""
    await repo.save_state(conn, decision.state, rec)
    return await record_events(conn, decision, rec)


async def record_events(conn: AsyncConnection, decision: Decision, rec: Receivables) -> int:
    """The decision's events, notices and fees (the state is saved by the caller)."""
    if not decision.events:
        return 0
    new = await repo.append_events(conn, rec.account_id, decision.events)
    for emitted in new:
        e = emitted.event
        if isinstance(e, ev.ReminderSent | ev.FinalNoticeSent):
            await queues.add_notice(
                conn,
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
            await queues.add_fee(
                conn,
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
