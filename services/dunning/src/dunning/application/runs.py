"""The daily dunning run for a business date (``dunning run --as-of``, ``POST /v1/dunning-runs``).

Each account is evaluated in its own transaction (under its row lock), so a run that
stops half-way is simply run again; the domain makes a second run of the same date act
on nothing already done. Runs only move forward: a date before the last completed run is
refused (re-running that date is allowed), and an account whose own last run is later is
left as it is even if two runs race.

An account's transaction that meets a transient database failure (a deadlock, a dropped
connection) is run again (:class:`servicekit.transient.JobRetries`; the report counts the
retries); one that still fails stops the run with
:class:`~servicekit.transient.StepFailed`, which says that running the date again resumes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from uuid import uuid4

from dunning.application.ports import UnitOfWorkFactory
from dunning.application.recording import record
from dunning.domain.decide import evaluate
from dunning.domain.errors import RunDateBeforeLastRun, RunDateInFuture
from dunning.domain.policies import PolicySet
from servicekit.transient import JobRetries

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    as_of: date
    run_number: int = 0
    accounts: int = 0
    without_policy: list[str] = field(default_factory=list)
    events: dict[str, int] = field(default_factory=dict)
    retries: dict[str, int] = field(default_factory=dict)  # by reason

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


async def run(
    uow: UnitOfWorkFactory,
    policies: PolicySet,
    as_of: date,
    today: date,
    retries: JobRetries | None = None,
) -> RunReport:
    """Run dunning for ``as_of`` (``check_run_date`` first); ``retries``: the run's retry
    budget (the default one when None)."""
    await check_run_date(uow, as_of, today)
    report = RunReport(as_of=as_of)
    retries = retries or JobRetries()
    try:
        await _run(uow, policies, as_of, report, retries)
    finally:
        report.retries = retries.as_dict()
    log.info(
        "dunning run %s (#%d): %d accounts, %s",
        as_of,
        report.run_number,
        report.accounts,
        report.events or "no actions",
    )
    return report


async def _run(
    uow: UnitOfWorkFactory,
    policies: PolicySet,
    as_of: date,
    report: RunReport,
    retries: JobRetries,
) -> None:

    async def accounts() -> list[str]:
        async with uow.read() as tx:
            return list(await tx.accounts.account_ids())

    for account_id in await retries.step(accounts, what=f"dunning run {as_of}: its accounts"):
        done = await retries.step(
            partial(_account, uow, policies, as_of, account_id),
            what=f"dunning run {as_of}: account {account_id}",
        )
        if done is None:
            continue
        report.accounts += 1  # counted once its transaction has committed
        with_policy, names = done
        if not with_policy:
            report.without_policy.append(account_id)
        for name in names:
            report.events[name] = report.events.get(name, 0) + 1

    run_id = uuid4()  # the same on every attempt: a retried record is not counted twice

    async def finish() -> int:
        async with uow() as tx:
            return await tx.accounts.record_run(
                as_of, report.accounts, report.events, len(report.without_policy), run_id
            )

    report.run_number = await retries.step(finish, what=f"dunning run {as_of}: recording it")


async def _account(
    uow: UnitOfWorkFactory, policies: PolicySet, as_of: date, account_id: str
) -> tuple[bool, list[str]] | None:
    """Evaluate one account in its own transaction: whether a policy applies and the
    names of its new events; None when the account is gone."""
    async with uow() as tx:
        rec = await tx.accounts.load_receivables(account_id, lock=True)
        state = await tx.accounts.load_state(account_id, lock=True)
        if rec is None or state is None:
            return None
        contact = await tx.credit.get_profile(account_id)
        policy = policies.select(rec.jurisdiction, contact.segment, rec.currency)
        if policy is None:
            return False, []
        decision = evaluate(state, rec, policy, as_of, contact)
        await record(tx, decision, rec)
        return True, [e.event.event_type() for e in decision.events]
