"""JSON views of dunning state (amounts as decimal strings with their currency)."""

from __future__ import annotations

from datetime import date
from typing import Any

from dunning.domain.aging import assess, item_days_past_due
from dunning.domain.money import format_minor
from dunning.domain.policies import Policy
from dunning.domain.receivables import Receivables
from dunning.domain.state import DunningState, Plan, Promise
from dunning.domain.worklist import next_action
from servicekit.exports import Column

# An account and the level it stands at: the first columns of the exports that list
# accounts by dunning level (the worklist, the credit-control report).
LEVEL_COLUMNS = (
    Column("account_id", "Account"),
    Column("name", "Name"),
    Column("jurisdiction", "Jurisdiction"),
    Column("currency", "Currency"),
    Column("level", "Level", "int"),
    Column("level_name", "Level name"),
    Column("days_past_due", "Days past due", "int"),
)


def promise_view(p: Promise, currency: str) -> dict[str, Any]:
    return {
        **p.model_dump(mode="json"),
        "amount": format_minor(p.amount, currency),
        "currency": currency,
    }


def plan_view(p: Plan, currency: str) -> dict[str, Any]:
    data = p.model_dump(mode="json")
    data["installments"] = [
        {"due_date": i.due_date.isoformat(), "amount": format_minor(i.amount, currency)}
        for i in p.installments
    ]
    return {**data, "currency": currency}


def items_view(rec: Receivables, as_of: date) -> list[dict[str, Any]]:
    cur = rec.currency
    return [
        {
            "invoice_id": i.item_id,
            "kind": i.kind,
            "due_date": i.due_date.isoformat(),
            "open_amount": format_minor(i.open_amount, cur),
            "disputed": i.disputed,
            "days_past_due": item_days_past_due(i, as_of),
            "policies": i.policies,
            "overdue": i.due_date < as_of and not i.disputed,
        }
        for i in sorted(rec.open_items(), key=lambda i: (i.due_date, i.item_id))
    ]


def summary(state: DunningState, rec: Receivables, policy: Policy | None) -> dict[str, Any]:
    as_of = state.evaluated_on
    cur = rec.currency
    level = policy.level(state.level) if policy and state.level else None
    out: dict[str, Any] = {
        "account_id": state.account_id,
        "name": rec.name,
        "jurisdiction": rec.jurisdiction,
        "currency": cur,
        "policy_id": policy.policy_id if policy else None,
        "level": state.level,
        "level_name": level.name if level else None,
        "level_since": state.level_since.isoformat() if state.level_since else None,
        "evaluated_on": as_of.isoformat() if as_of else None,
        "days_past_due": state.days_past_due,
        "overdue": format_minor(state.overdue, cur),
        "paused": state.paused,
        "suspended_policies": sorted(state.suspended),
    }
    if as_of is not None:
        od = assess(rec, as_of)
        out["earliest_unpaid_due_date"] = od.anchor.isoformat() if od.anchor else None
        if policy is not None:
            out["next_action"] = next_action(state, policy, rec, as_of)
    return out


def account_view(
    state: DunningState, rec: Receivables, policy: Policy | None, today: date
) -> dict[str, Any]:
    cur = rec.currency
    return {
        **summary(state, rec, policy),
        "episode": state.episode,
        "balance": format_minor(rec.balance, cur),
        "credit_limit": format_minor(rec.credit_limit, cur),
        "open_items": items_view(rec, state.evaluated_on or today),
        "suspended": [
            {"policy_id": k, "since": v.isoformat()} for k, v in sorted(state.suspended.items())
        ],
        "promises": [promise_view(p, cur) for p in state.promises.values()],
        "payment_plans": [plan_view(p, cur) for p in state.plans.values()],
    }


def event_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": row["seq"],
        "event_id": str(row["event_id"]),
        "account_id": row["account_id"],
        "stream_version": row["stream_version"],
        "type": row["event_type"],
        "schema_version": row["schema_version"],
        "occurred_on": row["occurred_on"].isoformat(),
        "recorded_at": row["recorded_at"].isoformat() if row["recorded_at"] else None,
        "published": row["published_at"] is not None,
        "data": row["data"],
    }
