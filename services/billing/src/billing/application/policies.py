"""Command handlers: change a policy (load, fold, decide, append in one transaction) and
bill it (plan documents, record them with the lines they bill, then send them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from billing.application.ports import AccountTerms, Clock, Ledger, Outcome, Pending, Recorded, Store
from billing.domain import decide as cmd
from billing.domain import errors as err
from billing.domain import events as ev
from billing.domain.documents import Billed, Document, plan
from billing.domain.money import to_decimal
from billing.domain.state import Policy, evolve, fold

SEND_BATCH = 2_000  # documents per request to the ledger (its batches take up to 10,000)

TaxTable = Mapping[str, Mapping[str, Decimal]]  # jurisdiction -> product ("*": any) -> rate


AccountLookup = Callable[[str], Awaitable[AccountTerms | None]]


@dataclass(frozen=True)
class Bill:
    """What billing one policy recorded, and the requests to send for it."""

    policy: Policy
    docs: list[Document] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    skipped: str | None = None


@dataclass(frozen=True)
class Changed:
    policy: Policy
    events: list[ev.Event]


class Policies:
    def __init__(self, store: Store, ledger: Ledger, clock: Clock, tax_rates: TaxTable) -> None:
        self.store, self.ledger, self.clock, self.tax_rates = store, ledger, clock, tax_rates

    def today(self) -> date:
        return self.clock.now().date()

    async def create(
        self,
        c: cmd.CreatePolicy,
        tax_given: Sequence[bool],
        actor: str,
        members: Sequence[cmd.Command] = (),
    ) -> Changed:
        """``c`` names the account; currency and jurisdiction come from the ledger, tax
        rates not given (``tax_given``) from the jurisdiction's table. ``members``: the
        first enrolments, in the same transaction (one refused: nothing is written)."""
        account = await self.ledger.account(c.account_id)
        if account is None:
            raise err.InvalidPolicy(f"the ledger has no account {c.account_id}", field="account_id")
        products = self.with_tax(c.products, tax_given, account.jurisdiction)
        c = c.model_copy(
            update={
                "currency": account.currency,
                "jurisdiction": account.jurisdiction,
                "broker_id": c.broker_id or account.broker_id,
                "products": products,
            }
        )
        async with self.store.transaction() as s:
            recorded = await s.events(c.policy_id, lock=True)
            events: list[ev.Event] = []
            if recorded:
                first = recorded[0].event
                again = cmd.decide(c, None)[0]
                if first != again.model_copy(update={"reason": getattr(first, "reason", None)}):
                    cmd.decide(c, _fold(recorded))  # raises: the id is taken
                policy = _fold(recorded)
            else:
                events = cmd.decide(c, None)
                created = fold(events)
                assert created is not None
                policy = created
            for m in members:
                for e in cmd.decide(m, policy):
                    policy = evolve(policy, e)
                    events.append(e)
            await s.append(policy, events, actor, self.clock.now())
            return Changed(policy, events)

    def with_tax(
        self, products: Sequence[ev.ProductTerms], given: Sequence[bool], jurisdiction: str
    ) -> tuple[ev.ProductTerms, ...]:
        table = self.tax_rates.get(jurisdiction, {})
        return tuple(
            p
            if known
            else p.model_copy(update={"tax_rate": table.get(p.product, table.get("*", Decimal(0)))})
            for p, known in zip(products, given, strict=True)
        )

    async def change(self, policy_id: str, commands: Sequence[cmd.Command], actor: str) -> Changed:
        """Apply the commands in order, all or none."""
        async with self.store.transaction() as s:
            recorded = await s.events(policy_id, lock=True)
            if not recorded:
                raise err.NotFound(f"no policy {policy_id}", field="policy_id")
            policy = _fold(recorded)
            new: list[ev.Event] = []
            for c in commands:
                for e in cmd.decide(c, policy):
                    policy = evolve(policy, e)
                    new.append(e)
            await s.append(policy, new, actor, self.clock.now())
            return Changed(policy, new)

    async def get(self, policy_id: str) -> tuple[Policy, list[Recorded]]:
        async with self.store.transaction() as s:
            recorded = await s.events(policy_id, lock=False)
        if not recorded:
            raise err.NotFound(f"no policy {policy_id}", field="policy_id")
        return _fold(recorded), recorded

    async def billed(self, policy_id: str) -> Billed:
        async with self.store.transaction() as s:
            return await s.billed(policy_id, amounts=True)

    async def require_invoiced(self, policy_id: str, period_start: date) -> None:
        if period_start not in (await self.billed(policy_id)).invoices:
            raise err.NotFound(f"no invoiced period starts on {period_start}", field="period_start")

    async def bill(
        self,
        policy_id: str,
        account_of: AccountLookup,
        *,
        as_of: date | None,
        on: date,
        actor: str,
        reason: str | None = None,
        run_id: str | None = None,
    ) -> Bill:
        """Record the documents due for one policy (``send`` posts ``Bill.pending``);
        ``account_of``: the policy's ledger account (cached by a run)."""
        async with self.store.transaction() as s:
            billed_version = await s.lock_billing(policy_id)
            policy = _fold(await s.events(policy_id, lock=False))
            account = await account_of(policy.account_id)
            if account is None:
                return Bill(policy, skipped=f"the ledger has no account {policy.account_id}")
            if account.currency != policy.currency:
                why = f"the account is in {account.currency}, the policy in {policy.currency}"
                return Bill(policy, skipped=why)
            recheck = policy.version != billed_version
            billed = await s.billed(policy_id, amounts=recheck)
            docs = plan(
                policy,
                billed,
                as_of=as_of,
                on=on,
                terms_days=account.payment_terms_days,
                recheck=recheck,
                reason=reason,
            )
            if not docs and not recheck:
                return Bill(policy)
            events = [_billed(policy, d) for d in docs]
            for e in events:
                policy = evolve(policy, e)
            requests = [
                None if d.kind == "netted" else self.ledger.request(policy, d) for d in docs
            ]
            await s.append(policy, events, actor, self.clock.now())
            await s.add_documents(policy, docs, requests, run_id, self.clock.now())
            await s.set_billed_version(policy_id, policy.version)
        pending = [
            Pending(d.document_id, policy_id, d.kind, r)
            for d, r in zip(docs, requests, strict=True)
            if r is not None
        ]
        return Bill(policy, docs, pending)

    async def send(self, pending: Sequence[Pending]) -> list[tuple[Pending, Outcome]]:
        """Post recorded documents in order, ``SEND_BATCH`` to a request to the ledger, and
        record each answer; a ledger failure stops here (raised), leaving the documents of
        the unanswered request pending for the next run to resend."""
        out = []
        for at in range(0, len(pending), SEND_BATCH):
            chunk = pending[at : at + SEND_BATCH]
            outcomes = await self.ledger.send_many([p.request for p in chunk])
            for p, outcome in zip(chunk, outcomes, strict=True):
                await self.store.posted(p.document_id, outcome, self.clock.now())
                out.append((p, outcome))
        return out

    async def bill_now(self, policy: Policy, actor: str, reason: str | None) -> list[Document]:
        """Notes for the invoiced periods a change affected, sent at once."""
        done = await self.bill(
            policy.policy_id,
            self.ledger.account,
            as_of=None,
            on=self.today(),
            actor=actor,
            reason=reason,
        )
        if done.skipped:
            raise err.LedgerUnavailable(f"cannot bill {policy.policy_id}: {done.skipped}")
        await self.send(await self.store.pending(1000, policy.policy_id))
        return done.docs


def _fold(recorded: Sequence[Recorded]) -> Policy:
    policy = fold(r.event for r in recorded)
    assert policy is not None
    return policy


def _billed(policy: Policy, d: Document) -> ev.DocumentBilled:
    return ev.DocumentBilled(
        policy_id=policy.policy_id,
        document_id=d.document_id,
        kind=d.kind,
        invoice_id=d.invoice_id,
        account_id=policy.account_id,
        currency=policy.currency,
        period_start=d.period.start,
        period_end=d.period.end,
        issued_on=d.issued_on,
        due_date=d.due_date,
        amount=to_decimal(d.amount, policy.currency),
        reason=d.reason,
    )
