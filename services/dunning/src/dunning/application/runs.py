"""The daily dunning run for a business date (``dunning run --as-of``, ``POST /v1/dunning-runs``).

Each account is evaluated in its own transaction (under its row lock), so a run that
stops half-way is simply run again; the domain makes a second run of the same date act
on nothing already done. Runs only move forward: a date before the last completed run is
refused (re-running that date is allowed), and an account whose own last run is later is
left as it is even if two runs race.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from dunning.adapters.postgres import credit_control as cc
from dunning.adapters.postgres import repository as repo
from dunning.application.recording import record
from dunning.domain.decide import evaluate
from dunning.domain.errors import RunDateBeforeLastRun, RunDateInFuture
from dunning.domain.policies import PolicySet

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    as_of: date
    run_number: int = 0
    accounts: int = 0
    without_policy: list[str] = field(default_factory=list)
    events: dict[str, int] = field(default_factory=dict)

    @property
    def total_events(self) -> int:
        return sum(self.events.values())


async def check_run_date(engine: AsyncEngine, as_of: date, today: date) -> None:
    """Refuse a run for a day after ``today`` (the service clock's date: a run acts for
    real) or before the last completed run (runs only move forward)."""
    if as_of > today:
        raise RunDateInFuture(
            f"as_of {as_of} is after today ({today}): a dunning run acts for real (notices, "
            "fees, suspension, legal escalation) and cannot act on a day that has not come",
            field="as_of",
        )
    async with engine.connect() as conn:
        last = await repo.last_run_date(conn)
    if last is not None and as_of < last:
        raise RunDateBeforeLastRun(
            f"as_of {as_of} is before the last dunning run ({last}): runs only move forward "
            "(an earlier date would lower levels and reinstate cover while money is still "
            f"overdue); run {last} again or a later date",
            field="as_of",
        )


async def run(engine: AsyncEngine, policies: PolicySet, as_of: date, today: date) -> RunReport:
    """Run dunning for ``as_of`` (``check_run_date`` first)."""
    await check_run_date(engine, as_of, today)
    report = RunReport(as_of=as_of)
    async with engine.connect() as conn:
        ids = await repo.account_ids(conn)
    for account_id in ids:
        async with engine.begin() as conn:
            rec = await repo.load_receivables(conn, account_id, lock=True)
            state = await repo.load_state(conn, account_id, lock=True)
            if rec is None or state is None:
                continue
            contact = await cc.get_profile(conn, account_id)
            policy = policies.select(rec.jurisdiction, contact.segment, rec.currency)
            report.accounts += 1
            if policy is None:
                report.without_policy.append(account_id)
                continue
            decision = evaluate(state, rec, policy, as_of, contact)
            await record(conn, decision, rec)
            for e in decision.events:
                name = e.event.event_type()
                report.events[name] = report.events.get(name, 0) + 1
    async with engine.begin() as conn:
        report.run_number = await repo.record_run(
            conn, as_of, report.accounts, report.events, len(report.without_policy)
        )
    log.info(
        "dunning run %s (#%d): %d accounts, %s",
        as_of,
        report.run_number,
        report.accounts,
        report.events or "no actions",
    )
    return report
