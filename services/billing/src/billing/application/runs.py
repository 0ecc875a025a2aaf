"""Billing runs: every policy with a period due on or before ``as_of``.

A run first resends documents an earlier run recorded but could not post (a crash, the
ledger down), then bills the policies a page at a time, ``workers`` at a time, each under
its own lock, and sends the page's documents to the ledger in batches (each policy's in
order). The documents of a policy are recorded with the lines they bill in one
transaction before anything is sent, so a period is never billed twice however often a
run is repeated or interrupted, and a re-run posts exactly what is missing (the ledger
answers a resent id from its record). When the ledger fails, the other workers stop too
and the run fails.

Each step (a page read, a policy billed, a request of documents sent and recorded, the
run's progress) is one transaction, safe to redo: after a transient database failure it
runs again (:class:`servicekit.transient.JobRetries`; the retries show in the run's
summary); a step that still fails ends the run ``failed`` with an error saying so, and the
next run resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from billing.application.policies import Policies
from billing.application.ports import AccountTerms, Outcome, Pending, Store
from billing.domain import errors as err
from billing.domain.money import fmt
from servicekit.transient import JobRetries, StepFailed

log = logging.getLogger(__name__)

PAGE = 500


@dataclass
class Tally:
    policies: int = 0
    billed: int = 0
    documents: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    totals: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    resent: int = 0
    retries: JobRetries = field(default_factory=JobRetries)

    def count(self, currency: str, kind: str, amount: int) -> None:
        self.documents[kind] += 1
        per = self.totals.setdefault(currency, defaultdict(int))
        per[kind] += amount

    def as_dict(self) -> dict[str, Any]:
        return {
            "policies_seen": self.policies,
            "policies_billed": self.billed,
            "documents": dict(self.documents),
            "totals": {
                c: {kind: fmt(v, c) for kind, v in sorted(per.items())}
                for c, per in sorted(self.totals.items())
            },
            "skipped": self.skipped,
            "rejected": self.rejected,
            "resent": self.resent,
            "retries": self.retries.as_dict(),  # steps run again after a transient failure
        }


@dataclass(frozen=True)
class RunReport:
    run_id: str
    as_of: date
    status: str
    summary: dict[str, Any]
    error: str | None = None


class Runs:
    def __init__(
        self,
        store: Store,
        policies: Policies,
        *,
        max_days_ahead: int = 31,
        workers: int = 4,
        retries: Callable[[], JobRetries] = JobRetries,
    ) -> None:
        """``retries``: a run's retry budget (one per run)."""
        self.store, self.policies, self.max_days_ahead = store, policies, max_days_ahead
        self.workers, self.retries = workers, retries

    async def run(
        self, as_of: date, actor: str, progress: Callable[[int, int], None] | None = None
    ) -> RunReport:
        """Bill every policy due; ``progress(policies done, policies in all)`` after each."""
        today = self.policies.today()
        if as_of > today + timedelta(days=self.max_days_ahead):
            raise err.RuleViolation(
                f"as_of is more than {self.max_days_ahead} days after today ({today})",
                field="as_of",
                rule="as-of-too-far",
            )
        clock = self.policies.clock
        run_id = await self.store.start_run(as_of, actor, clock.now())
        tally = Tally(retries=self.retries())
        step = tally.retries.step
        try:
            while leftovers := await step(partial(self.store.pending, PAGE), what="reading"):
                for p, outcome in await step(
                    partial(self.policies.send, leftovers), what="resending documents"
                ):
                    tally.resent += 1
                    self._rejected(tally, p, outcome)
            await self._bill_all(run_id, as_of, actor, tally, progress)
        except (err.LedgerUnavailable, StepFailed) as e:
            error = e.detail if isinstance(e, err.LedgerUnavailable) else str(e)
            log.warning("billing run %s stopped: %s", run_id, error)
            summary = tally.as_dict()
            await self.store.finish_run(run_id, "failed", summary, error, clock.now())
            return RunReport(run_id, as_of, "failed", summary, error)
        except BaseException as e:  # a defect or a cancellation: the run is not left running
            with contextlib.suppress(Exception):
                error = f"stopped by {type(e).__name__}: {e}"[:1000]
                await self.store.finish_run(run_id, "failed", tally.as_dict(), error, clock.now())
            raise
        summary = tally.as_dict()
        await self.store.finish_run(run_id, "completed", summary, None, clock.now())
        return RunReport(run_id, as_of, "completed", summary)

    async def _bill_all(
        self,
        run_id: str,
        as_of: date,
        actor: str,
        tally: Tally,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        step = tally.retries.step
        total = await step(self.store.count_policies, what="counting policies")
        accounts: dict[str, AccountTerms | None] = {}
        after = ""
        done = 0
        while ids := await step(
            partial(self.store.policy_ids, after, PAGE), what=f"reading policies after {after!r}"
        ):
            queue = list(reversed(ids))
            billed: dict[str, list[Pending]] = {}  # the page's documents, by policy

            async def worker(queue: list[str], billed: dict[str, list[Pending]]) -> None:
                nonlocal done
                while queue:
                    policy_id = queue.pop()
                    billed[policy_id] = await self._bill_one(
                        policy_id, run_id, as_of, actor, tally, accounts
                    )
                    done += 1
                    if progress:
                        progress(done, total)

            try:
                async with asyncio.TaskGroup() as group:
                    for _ in range(self.workers):
                        group.create_task(worker(queue, billed))
            except* (err.LedgerUnavailable, StepFailed) as failed:
                raise failed.exceptions[0] from None
            # the page's documents in few requests, each policy's in order
            page = [p for policy_id in ids for p in billed.get(policy_id, ())]
            sent = await step(
                partial(self.policies.send, page), what=f"sending the documents of {ids[0]}.."
            )
            for p, outcome in sent:
                self._rejected(tally, p, outcome)
            after = ids[-1]
            progressed = partial(
                self.store.run_progress, run_id, tally.policies, total, tally.as_dict()
            )
            await step(progressed, what="recording the run's progress")

    async def _bill_one(
        self,
        policy_id: str,
        run_id: str,
        as_of: date,
        actor: str,
        tally: Tally,
        accounts: dict[str, AccountTerms | None],
    ) -> list[Pending]:
        """Bill the policy; its documents to send."""

        async def account_of(account_id: str) -> AccountTerms | None:
            if account_id not in accounts:
                accounts[account_id] = await self.policies.ledger.account(account_id)
            return accounts[account_id]

        bill = partial(
            self.policies.bill,
            policy_id,
            account_of,
            as_of=as_of,
            on=as_of,
            actor=actor,
            run_id=run_id,
        )
        done = await tally.retries.step(bill, what=f"billing policy {policy_id}")
        tally.policies += 1
        if done.skipped:
            tally.skipped.append({"policy_id": policy_id, "reason": done.skipped})
            return []
        if not done.docs:
            return []
        tally.billed += 1
        for d in done.docs:
            tally.count(done.policy.currency, d.kind, d.amount)
        return list(done.pending)

    @staticmethod
    def _rejected(tally: Tally, p: Pending, outcome: Outcome) -> None:
        if outcome.status == "rejected":
            tally.rejected.append(
                {
                    "document_id": p.document_id,
                    "policy_id": p.policy_id,
                    "detail": outcome.detail or "",
                }
            )
