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

from dunning.application.ports import UnitOfWorkFactory
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


async def check_run_date(uow: UnitOfWorkFactory, as_of: date, today: date) -> None:
    """Refuse a run for a day after ``today`` (the service clock's date: a run acts for
    real) or before the last completed run (runs only move forward)."""
    if as_of > today:
        raise RunDateInFuture(
            f"as_of {as_of} is after today ({today}): a dunning run acts for real (notices, "
            "fees, suspension, legal escalation) and cannot act on a day that has not come",
            field="as_of",
        )
    async with uow.read() as tx:
        last = await tx.accounts.last_run_date()
    if last is not None and as_of < last:
        raise RunDateBeforeLastRun(
            f"as_of {as_of} is before the last dunning run ({last}): runs only move forward "
            "(an earlier date would lower levels and reinstate cover while money is still "
            f"overdue); run {last} again or a later date",
            field="as_of",
        )


async def run(uow: UnitOfWorkFactory, policies: PolicySet, as_of: date, today: date) -> RunReport:
    """Run dunning for ``as_of`` (``check_run_date`` first)."""
    await check_run_date(uow, as_of, today)
    report = RunReport(as_of=as_of)
    async with uow.read() as tx:
        ids = await tx.accounts.account_ids()
    for account_id in ids:
        async with uow() as tx:
            rec = await tx.accounts.load_receivables(account_id, lock=True)
            state = await tx.accounts.load_state(account_id, lock=True)
            if rec is None or state is None:
                continue
            contact = await tx.credit.get_profile(account_id)
            policy = policies.select(rec.jurisdiction, contact.segment, rec.currency)
            report.accounts += 1
            if policy is None:
                report.without_policy.append(account_id)
                continue
            decision = evaluate(state, rec, policy, as_of, contact)
            await record(tx, decision, rec)
            for e in decision.events:
                name = e.event.event_type()
                report.events[name] = report.events.get(name, 0) + 1
    async with uow() as tx:
        report.run_number = await tx.accounts.record_run(
            as_of, report.accounts, report.events, len(report.without_policy)
        )
    log.info(
        "dunning run %s (#%d): %d accounts, %s",
        as_of,
        report.run_number,
        report.accounts,
        report.events or "no actions",
    )
    return report
