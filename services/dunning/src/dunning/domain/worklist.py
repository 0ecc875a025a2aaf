"""What comes next for an account: the collector's "next action" on the worklist."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dunning.domain.aging import assess
from dunning.domain.arrangements import pause_until
from dunning.domain.policies import Policy
from dunning.domain.receivables import Receivables
from dunning.domain.state import DunningState


def next_action(
    state: DunningState, policy: Policy, rec: Receivables, as_of: date
) -> dict[str, Any]:
    promises = [p for p in state.promises.values() if p.status == "open"]
    plans = [p for p in state.plans.values() if p.status == "open"]
    if promises or plans:
        until = [pause_until(p, policy.promise_grace_days) for p in promises] + [
            p.installments[-1].due_date + timedelta(days=policy.plan_grace_days) for p in plans
        ]
        return {
            "kind": "paused",
            "until": max(until).isoformat(),
            "by": [p.promise_id for p in promises] + [p.plan_id for p in plans],
        }
    od = assess(rec, as_of)
    nxt = policy.level(state.level + 1)
    if od.anchor is None:
        return {"kind": "none"}
    if nxt is None:
        return {"kind": "end_of_ladder", "level": state.level}
    due = max(od.anchor + timedelta(days=nxt.days_past_due), as_of + timedelta(days=1))
    return {
        "kind": "level",
        "level": nxt.level,
        "name": nxt.name,
        "actions": [a.type.value for a in nxt.actions],
        "due_on": due.isoformat(),
        "min_overdue": nxt.min_overdue,
    }
