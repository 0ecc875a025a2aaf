"""Deciding what dunning does: by the daily run, after a ledger event, on arrangements.

``evaluate`` is the daily run for a business date. It climbs the policy's ladder **one
level per business date at most**, so no level is ever skipped (the reminder always
precedes the final notice, even after a missed run or a broken promise), and it runs a
level's actions **once per dunning episode** (from the first overdue day until nothing
is overdue any more), so a partial payment that lowers the level never makes a level's
notice or fee repeat. Running it twice for the same date decides nothing new.

Runs only move forward: ``evaluate`` for a date before the account's last run decides
nothing (the run refuses such a date before it gets here), and it judges the account by
its receivables **as of the run date** (a back-dated run's notices quote what was owed
then, not today). It never clears or lowers a level, nor reinstates cover: only ledger
events do that, through ``reassess``, which runs after each ledger event: it may clear or
lower the level and reinstate cover at once, and marks arrangements kept, but never
escalates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dunning.domain import events as ev
from dunning.domain.actions import level_actions, suspensions
from dunning.domain.aging import Overdue, assess, target_level
from dunning.domain.arrangements import (
    paid_between,
    pause_until,
    plan_outcome,
    promise_outcome,
)
from dunning.domain.money import format_minor
from dunning.domain.policies import Policy
from dunning.domain.receivables import Receivables
from dunning.domain.state import Contact, DunningState, Emitted, Plan, Promise


@dataclass
class Decision:
    state: DunningState
    events: list[Emitted] = field(default_factory=list)


def evaluate(
    state: DunningState, rec: Receivables, policy: Policy, as_of: date, contact: Contact
) -> Decision:
    if state.last_run_on is not None and as_of < state.last_run_on:
        return Decision(state.model_copy(deep=True))
    d = _decide(state, rec.as_of(as_of), policy, as_of, contact, escalate=True)
    d.state.last_run_on = as_of
    return d


def reassess(state: DunningState, rec: Receivables, policy: Policy, on: date) -> Decision:
    return _decide(state, rec, policy, on, Contact(), escalate=False)


def _decide(
    state: DunningState,
    rec: Receivables,
    policy: Policy,
    as_of: date,
    contact: Contact,
    *,
    escalate: bool,
) -> Decision:
    s = state.model_copy(deep=True)
    d = Decision(s)
    od = assess(rec, as_of)
    d.events += _arrangements(s, rec, policy, as_of)
    if od.amount == 0:
        if not escalate:
            d.events += _clear(s, as_of)
    else:
        target = target_level(policy, od.days_past_due, od.amount)
        if target < s.level:
            if not escalate:
                d.events += _lower(s, target, od, rec.currency)
        elif escalate and not s.paused and target > s.level and _may_step(s, as_of):
            d.events += _step_up(s, policy, od, rec.currency, contact)
    d.events += suspensions(
        s, rec, policy, as_of, may_suspend=escalate and not s.paused, may_reinstate=not escalate
    )
    if s.evaluated_on is None or as_of >= s.evaluated_on:
        s.evaluated_on = as_of
        s.days_past_due = od.days_past_due
        s.overdue = od.amount
    s.policy_id = policy.policy_id
    return d


def _may_step(s: DunningState, as_of: date) -> bool:
    return s.level_since is None or s.level_since < as_of


def _clear(s: DunningState, as_of: date) -> list[Emitted]:
    out: list[Emitted] = []
    if s.in_episode or s.level:
        event = ev.DunningCleared(
            account_id=s.account_id, occurred_on=as_of, previous_level=s.level
        )
        out.append(Emitted.of(event, f"e{s.episode}"))
    s.level, s.level_since, s.in_episode, s.actioned = 0, as_of, False, []
    return out


def _lower(s: DunningState, target: int, od: Overdue, currency: str) -> list[Emitted]:
    event = ev.DunningLevelLowered(
        account_id=s.account_id,
        occurred_on=od.as_of,
        level=target,
        previous_level=s.level,
        days_past_due=od.days_past_due,
        overdue_amount=format_minor(od.amount, currency),
        currency=currency,
    )
    key = f"e{s.episode}/{od.as_of}/{s.level}-{target}"
    s.level, s.level_since = target, od.as_of
    return [Emitted.of(event, key)]


def _step_up(
    s: DunningState, policy: Policy, od: Overdue, currency: str, contact: Contact
) -> list[Emitted]:
    if not s.in_episode:
        s.in_episode, s.episode, s.actioned = True, s.episode + 1, []
    new = s.level + 1
    lvl = policy.levels[new - 1]
    event = ev.DunningLevelReached(
        account_id=s.account_id,
        occurred_on=od.as_of,
        policy_id=policy.policy_id,
        level=new,
        level_name=lvl.name,
        previous_level=s.level,
        days_past_due=od.days_past_due,
        overdue_amount=format_minor(od.amount, currency),
        currency=currency,
    )
    out = [Emitted.of(event, f"e{s.episode}/L{new}/{od.as_of}")]
    s.level, s.level_since = new, od.as_of
    if new not in s.actioned:
        s.actioned.append(new)
        out += level_actions(s, lvl, policy, od, currency, contact)
    return out


def _arrangements(s: DunningState, rec: Receivables, policy: Policy, as_of: date) -> list[Emitted]:
    out: list[Emitted] = []
    common = {"account_id": s.account_id, "occurred_on": as_of}
    for p in s.promises.values():
        if p.status != "open":
            continue
        outcome = promise_outcome(p, rec, as_of, policy.promise_grace_days)
        if outcome == "kept":
            p.status, p.resolved_on = "kept", as_of
            out.append(Emitted.of(ev.PromiseKept(**common, promise_id=p.promise_id), p.promise_id))
        elif outcome == "broken":
            p.status, p.resolved_on = "broken", as_of
            deadline = pause_until(p, policy.promise_grace_days)
            paid = paid_between(rec, p.made_on, deadline)
            broken = ev.PromiseBroken(
                **common,
                promise_id=p.promise_id,
                currency=rec.currency,
                promised=format_minor(p.amount, rec.currency),
                paid=format_minor(paid, rec.currency),
                resumed_level=s.level,
            )
            out.append(Emitted.of(broken, p.promise_id))
    for plan in s.plans.values():
        if plan.status != "open":
            continue
        result, missed = plan_outcome(plan, rec, as_of, policy.plan_grace_days)
        if result == "completed":
            plan.status, plan.resolved_on = "completed", as_of
            done = ev.PaymentPlanCompleted(**common, plan_id=plan.plan_id)
            out.append(Emitted.of(done, plan.plan_id))
        elif result == "broken" and missed is not None:
            plan.status, plan.resolved_on, plan.missed_due_date = "broken", as_of, missed
            broken_plan = ev.PaymentPlanBroken(
                **common, plan_id=plan.plan_id, missed_due_date=missed, resumed_level=s.level
            )
            out.append(Emitted.of(broken_plan, plan.plan_id))
    return out


def add_promise(s: DunningState, p: Promise, policy: Policy, currency: str) -> Decision:
    new = s.model_copy(deep=True)
    new.promises[p.promise_id] = p
    event = ev.PromiseMade(
        account_id=s.account_id,
        occurred_on=p.made_on,
        promise_id=p.promise_id,
        amount=format_minor(p.amount, currency),
        currency=currency,
        promised_date=p.promised_date,
        paused_until=pause_until(p, policy.promise_grace_days),
    )
    return Decision(new, [Emitted.of(event, p.promise_id)])


def add_plan(s: DunningState, plan: Plan, currency: str) -> Decision:
    new = s.model_copy(deep=True)
    new.plans[plan.plan_id] = plan
    event = ev.PaymentPlanAgreed(
        account_id=s.account_id,
        occurred_on=plan.agreed_on,
        plan_id=plan.plan_id,
        currency=currency,
        installments=tuple(
            ev.Installment(due_date=i.due_date, amount=format_minor(i.amount, currency))
            for i in plan.installments
        ),
    )
    return Decision(new, [Emitted.of(event, plan.plan_id)])
