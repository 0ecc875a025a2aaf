"""Cash application: each new statement line matched, posted to the ledger or queued.

Per line, in order: (1) in one transaction the line is locked, the candidates gathered and
the decision stored -- a posting plan (status ``posting``) or ranked suggestions (status
``review``); (2) the plan is posted to the ledger with the line's derived ids; (3) the line
is marked ``matched``. Interrupted after (1), the stored plan is posted again later with the
same ids: the ledger answers a replay, nothing is posted twice. An import's lines go
through :meth:`CashApplication.process` a page at a time (:mod:`cash.application.batched`:
the same decisions, the database and ledger work gathered per page); returns and manual
matches go one line at a time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from cash.application import batched, suspense
from cash.application.plans import commands, plan, suggestion_json
from cash.application.ports import (
    Clock,
    DirectoryAccount,
    Ledger,
    LineRecord,
    NameIndex,
    PostingRefused,
    Store,
    UnitOfWork,
)
from cash.application.scope import Scope
from cash.domain import returns
from cash.domain.allocation import AllocationOrders
from cash.domain.bank_accounts import BankAccounts
from cash.domain.errors import Conflict, NotFound, RuleViolation
from cash.domain.matching import Candidate, MatchPolicy, OpenItem, decide
from cash.domain.statement import Direction, StatementLine
from servicekit.transient import JobRetries

if TYPE_CHECKING:
    from cash.application.collecting import Collections

TOKENS = re.compile(r"[A-Za-z0-9._:\-]{3,64}")
NAME_CANDIDATES = 3
NAME_CUTOFF = 0.6


class Directory(Protocol):
    """What finding candidates reads of the account directory."""

    async def referenced(self, tokens: Sequence[str]) -> dict[str, set[str]]: ...
    async def accounts(self, currency: str) -> list[DirectoryAccount]: ...
    async def account(self, account_id: str) -> DirectoryAccount | None: ...


@dataclass
class CashApplication:
    uow: UnitOfWork
    ledger: Ledger
    names: NameIndex
    clock: Clock
    policy: MatchPolicy
    actor: str = "cash"
    suspense: Mapping[str, str] = field(default_factory=dict)  # currency -> holding account
    orders: AllocationOrders = field(default_factory=AllocationOrders)
    collections: Collections | None = None  # returned direct debits are theirs
    bank_accounts: BankAccounts = field(default_factory=BankAccounts)
    _accounts: dict[str, list[DirectoryAccount]] = field(default_factory=dict)
    # open items asked of the ledger during one process(), less what its lines took
    _open: dict[str, list[OpenItem]] = field(default_factory=dict)

    async def process(
        self,
        *,
        file_id: str | None = None,
        batch: int = 2000,
        progress: Callable[[Counter[str]], None] | None = None,
        scope: Scope = None,
        retries: JobRetries | None = None,
    ) -> Counter[str]:
        """Decide and post every line still ``new`` or ``posting`` (of the jurisdictions in
        ``scope``), a page of ``batch`` lines at a time (:mod:`cash.application.batched`);
        counts by outcome. ``progress(the page's outcomes)`` after each page.

        A page that meets a transient database failure is read and run again (``retries``,
        the default budget when None): its lines keep their ids, so what the ledger took
        is replayed, and lines a failed page left decided but not posted are posted at the
        end. A page still failing raises :class:`~servicekit.transient.StepFailed`; what
        earlier pages did is kept, and processing again resumes."""
        retries = retries or JobRetries()
        outcomes: Counter[str] = Counter()
        self._accounts.clear()
        self._open.clear()
        passes = [("posting", batched.post_page), ("new", batched.decide_page)]
        for status, run in passes:
            after: str | None = ""
            while after is not None:
                page = partial(self._page, status, run, file_id, batch, after, scope)
                what = f"matching and posting the {status} lines"
                if after:
                    what += f" after {after}"
                if file_id is not None:
                    what += f" of import {file_id}"
                after, done = await retries.step(page, what=what)
                outcomes.update(done)
                if progress and after is not None:
                    progress(done)
            if status == "new" and retries.retried:  # decided by a page that failed later
                passes.append(("posting", batched.post_page))
        return outcomes

    async def _page(
        self,
        status: str,
        run: Callable[[CashApplication, Sequence[LineRecord]], Awaitable[Counter[str]]],
        file_id: str | None,
        batch: int,
        after: str,
        scope: Scope,
    ) -> tuple[str | None, Counter[str]]:
        """The page of ``status`` lines after ``after``, run: the next page's start (None
        when there is none) and the outcomes."""
        async with self.uow() as store:
            page = await store.lines(
                file_id=file_id, status=status, limit=batch, after=after, scope=scope
            )
        if not page:
            return None, Counter()
        try:
            return page[-1].line.line_id, await run(self, page)
        except Exception:
            self._accounts.clear()  # what the page took of the open items may not be taken
            self._open.clear()
            raise

    async def process_line(self, line_id: str) -> str:
        async with self.uow() as store:
            rec = await store.line(line_id, lock=True)
            if rec is None:
                return "missing"
            if rec.status == "new":
                rec = await self._decide(store, rec)
        if rec.status == "posting":
            return await self._post(rec)
        return rec.status

    async def _decide(self, store: Store, rec: LineRecord) -> LineRecord:
        line, now = rec.line, self.clock.now()
        if line.direction is Direction.DEBIT:
            return await self._debit(store, rec)
        candidates = await self._candidates(store, line, jurisdiction=rec.jurisdiction)
        decision = decide(line.paid, line.currency, candidates, self.policy)
        suggestions = [suggestion_json(s) for s in decision.suggestions]
        if decision.post is None:
            holding, held = await suspense.hold(self.ledger, self.suspense, line, rec.jurisdiction)
            await store.set_suspense(line.line_id, holding)
            found = "" if suggestions else "no account found: unidentified receipt; "
            note = found + held
            score = decision.suggestions[0].score if decision.suggestions else 0
            await store.set_outcome(
                line.line_id,
                "review",
                at=now,
                actor=self.actor,
                score=score,
                suggestions=suggestions,
                note=note,
            )
            return LineRecord(
                line,
                rec.file_id,
                "review",
                score,
                suggestions=suggestions,
                note=note,
                suspense=holding,
            )
        postings = plan(line.line_id, [decision.post])
        await store.set_outcome(
            line.line_id,
            "posting",
            at=now,
            actor=self.actor,
            score=decision.post.score,
            account_id=decision.post.account_id,
            postings=postings,
            suggestions=suggestions,
            note="matched automatically",
        )
        return LineRecord(
            line,
            rec.file_id,
            "posting",
            decision.post.score,
            decision.post.account_id,
            postings,
            suggestions,
            "matched automatically",
        )

    async def _candidates(
        self,
        store: Directory,
        line: StatementLine,
        open_items: Callable[[str], Awaitable[list[OpenItem]]] | None = None,
        *,
        jurisdiction: str | None = None,
    ) -> list[Candidate]:
        """The accounts that may have sent ``line`` (``open_items``: how to ask an account's
        open items, by default of the ledger): those of the ``jurisdiction`` of the bank
        account it arrived on, when known -- money on one entity's account pays that
        entity's customers."""
        ask = open_items or self.ledger.open_items
        tokens = sorted({t.upper() for t in TOKENS.findall(line.remittance)})
        referenced = await store.referenced(tokens) if tokens else {}
        known = self._accounts.get(line.currency)
        if known is None:
            known = self._accounts[line.currency] = await store.accounts(line.currency)
        scores: dict[str, float] = {}
        accounts: dict[str, DirectoryAccount] = {}
        holding = set(self.suspense.values())
        if line.payer_name and not referenced:  # a named reference outranks any name alone
            known = [
                a
                for a in known
                if a.account_id not in holding and jurisdiction in (None, a.jurisdiction)
            ]
            for acc, score in self.names.similar(line.payer_name, known, NAME_CANDIDATES):
                if score >= NAME_CUTOFF:
                    scores[acc.account_id], accounts[acc.account_id] = score, acc
        for account_id in referenced.keys() - holding:
            known_acc = accounts.get(account_id) or await store.account(account_id)
            if known_acc is not None and jurisdiction in (None, known_acc.jurisdiction):
                accounts[account_id] = known_acc
                if line.payer_name and account_id not in scores:
                    found = self.names.similar(line.payer_name, [known_acc], 1)
                    scores[account_id] = found[0][1] if found else 0.0
        out = []
        for account_id, acc in sorted(accounts.items()):
            items = await ask(account_id)
            out.append(
                Candidate(
                    account_id,
                    acc.name,
                    acc.currency,
                    acc.jurisdiction,
                    tuple(items),
                    scores.get(account_id, 0.0),
                    frozenset(referenced.get(account_id, ())),
                )
            )
        return out

    async def _debit(self, store: Store, rec: LineRecord) -> LineRecord:
        """A returned collection or transfer reverses what its original line posted."""
        line, now = rec.line, self.clock.now()
        original = None
        if line.return_code and line.original_ref:
            original = await store.line_by_end_to_end(line.original_ref)
        if original is None and line.return_code and self.collections is not None:
            outcome = await self._collection_returned(line)
            if outcome is not None:
                status, account_id, note = outcome
                await store.set_outcome(
                    line.line_id,
                    status,
                    at=now,
                    actor=self.actor,
                    account_id=account_id,
                    note=note,
                )
                return LineRecord(line, rec.file_id, status, account_id=account_id, note=note)
        if original is None or original.status != "matched":
            note = (
                "return of an unknown or unposted payment: " + line.original_ref
                if line.return_code
                else "money out: not a receipt"
            )
            status = "review" if line.return_code else "ignored"
            await store.set_outcome(line.line_id, status, at=now, actor=self.actor, note=note)
            return LineRecord(line, rec.file_id, status, note=note)
        reason = f"returned by the bank: {returns.describe(line.return_code)}"
        for p in original.postings:
            await self.ledger.reverse_payment(
                p["account_id"],
                p["payment_id"],
                {"reason": reason, "reversed_on": line.value_date.isoformat()},
            )
        await store.set_outcome(
            original.line.line_id,
            "returned",
            at=now,
            actor=self.actor,
            account_id=original.account_id,
            postings=original.postings,
            note=reason,
        )
        await store.set_outcome(
            line.line_id,
            "return",
            at=now,
            actor=self.actor,
            account_id=original.account_id,
            note=reason,
        )
        return LineRecord(line, rec.file_id, "return", note=reason)

    async def _collection_returned(self, line: StatementLine) -> tuple[str, str | None, str] | None:
        """A direct debit of a collection run sent back: its payment reversed (``return``),
        or ``review`` saying why it could not be; None when it is no collection's."""
        assert self.collections is not None
        try:
            item, _ = await self.collections.returned(
                line.original_ref, line.return_code, line.value_date
            )
        except NotFound:
            return None
        except (RuleViolation, Conflict) as e:
            return "review", None, e.detail
        return "return", item.debit.account_id, item.note

    async def _post(self, rec: LineRecord) -> str:
        line = rec.line
        try:
            for p in rec.postings:
                await self._post_one(line, p)
        except PostingRefused as e:
            async with self.uow() as store:
                await store.set_outcome(
                    line.line_id,
                    "review",
                    at=self.clock.now(),
                    actor=self.actor,
                    score=rec.score,
                    suggestions=rec.suggestions,
                    note=f"the ledger refused the posting: {e}",
                )
            return "review"
        async with self.uow() as store:
            await store.set_outcome(
                line.line_id,
                "matched",
                at=self.clock.now(),
                actor=self.actor,
                score=rec.score,
                account_id=rec.account_id,
                postings=rec.postings,
                suggestions=rec.suggestions,
                note=rec.note,
            )
        return "matched"

    async def _post_one(self, line: StatementLine, p: dict[str, Any]) -> None:
        for c in commands(line, p):
            if c["op"] == "receive_payment":
                await self.ledger.post_payment(c["account_id"], c["body"])
            elif c["op"] == "write_off":
                await self.ledger.post_write_off(c["account_id"], c["body"])
            else:
                await self.ledger.clear_suspense(c["account_id"], c["payment_id"], c["body"])
