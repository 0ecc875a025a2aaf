"""Matching and posting a page of statement lines at once.

The same decisions as one line at a time (:meth:`CashApplication.process_line`), with the
I/O gathered: the references and accounts of the whole page read in one transaction, each
account's open items asked of the ledger once (and reduced in memory by what earlier lines
of the page took), the page's decisions written in one transaction, and its ledger
commands (suspense holds, payments, write-offs) sent through ``POST /v1/batches``.

Ids stay the lines' own, so a page interrupted anywhere is finished later with the same
ids and the ledger replays what it has. A command the ledger refuses sends its line to
review with the reason, as a single posting would; a line whose command was not applied
because another command of the same account was refused (424) is posted again on its
own. A ledger that takes no batches from cash gets the lines one by one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cash.application import suspense
from cash.application.plans import commands, plan, suggestion_json
from cash.application.ports import DirectoryAccount, LineRecord, Outcome
from cash.domain.holding import holding_account
from cash.domain.matching import OpenItem, Suggestion, decide
from cash.domain.statement import Direction

if TYPE_CHECKING:
    from cash.application.apply import CashApplication

LEDGER_BATCH = 10_000  # the ledger's most commands a batch


@dataclass
class Prefetched:
    """What matching a page reads, fetched once: the directory's references of every token
    in the page, the accounts of its currencies, and the open items of each candidate --
    those once per :meth:`CashApplication.process`, carried from page to page less what
    earlier lines took (forgotten for an account when a return reverses a payment or the
    ledger refuses a posting, so that they are asked again)."""

    app: CashApplication
    refs: dict[str, set[str]]  # account -> its tokens found in the page
    by_id: dict[str, DirectoryAccount]
    items: dict[str, list[OpenItem]] = field(default_factory=dict)

    async def referenced(self, tokens: Sequence[str]) -> dict[str, set[str]]:
        wanted = set(tokens)
        return {a: refs & wanted for a, refs in self.refs.items() if refs & wanted}

    async def accounts(self, currency: str) -> list[DirectoryAccount]:
        return self.app._accounts.get(currency, [])

    async def account(self, account_id: str) -> DirectoryAccount | None:
        return self.by_id.get(account_id)

    async def open_items(self, account_id: str) -> list[OpenItem]:
        if account_id not in self.items:
            self.items[account_id] = await self.app.ledger.open_items(account_id)
        return self.items[account_id]

    def take(self, s: Suggestion) -> None:
        """What a decided line pays and writes off is no longer open for the next line."""
        taken: Counter[str] = Counter()
        for share in (*s.allocations, *s.write_offs):
            taken[share.invoice_id] += share.amount
        left = []
        for item in self.items.get(s.account_id, []):
            rest = item.open_amount - taken[item.invoice_id]
            if rest > 0:
                left.append(replace(item, open_amount=rest))
        self.items[s.account_id] = left


async def prefetch(app: CashApplication, lines: Sequence[LineRecord]) -> Prefetched:
    from cash.application.apply import TOKENS

    tokens = sorted({t.upper() for r in lines for t in TOKENS.findall(r.line.remittance)})
    async with app.uow() as store:
        referenced = await store.referenced(tokens) if tokens else {}
        for currency in sorted({r.line.currency for r in lines} - app._accounts.keys()):
            app._accounts[currency] = await store.accounts(currency)
    by_id = {a.account_id: a for known in app._accounts.values() for a in known}
    return Prefetched(app, referenced, by_id, app._open)


async def decide_page(app: CashApplication, page: Sequence[LineRecord]) -> Counter[str]:
    """Decide and post a page of ``new`` lines; counts by outcome."""
    out: Counter[str] = Counter()
    for rec in page:
        if rec.line.direction is Direction.DEBIT:  # returns: rare, one by one
            out[await app.process_line(rec.line.line_id)] += 1
            app._open.clear()  # a return reopens what it reverses
    credits = [r for r in page if r.line.direction is Direction.CREDIT]
    if not credits:
        return out
    seen = await prefetch(app, credits)
    now = app.clock.now()
    decided: list[Outcome] = []
    waiting: list[LineRecord] = []
    for rec in credits:
        line = rec.line
        candidates = await app._candidates(
            seen, line, seen.open_items, jurisdiction=rec.jurisdiction
        )
        decision = decide(line.paid, line.currency, candidates, app.policy)
        suggestions = [suggestion_json(s) for s in decision.suggestions]
        if decision.post is None:
            score = decision.suggestions[0].score if decision.suggestions else 0
            found = "" if suggestions else "no account found: unidentified receipt; "
            waiting.append(
                replace(rec, status="review", score=score, suggestions=suggestions, note=found)
            )
            continue
        seen.take(decision.post)
        decided.append(
            Outcome(
                line.line_id,
                "posting",
                now,
                app.actor,
                decision.post.score,
                decision.post.account_id,
                plan(line.line_id, [decision.post]),
                suggestions,
                "matched automatically",
            )
        )
    decided += await _hold(app, waiting, now)
    async with app.uow() as store:
        mine = await store.lock_new([o.line_id for o in decided])
        decided = [o for o in decided if o.line_id in mine]  # others decided the rest
        await store.set_outcomes(decided)
    out.update(o.status for o in decided if o.status != "posting")
    by_id = {r.line.line_id: r for r in credits}
    posting = [
        replace(
            by_id[o.line_id],
            status="posting",
            score=o.score,
            account_id=o.account_id,
            postings=o.postings,
            suggestions=o.suggestions,
            note=o.note,
        )
        for o in decided
        if o.status == "posting"
    ]
    out.update(await post_page(app, posting))
    return out


async def _hold(app: CashApplication, waiting: list[LineRecord], now: Any) -> list[Outcome]:
    """Hold what waits for review in suspense, in one batch; the review outcomes."""
    held: dict[str, tuple[str | None, str]] = {}
    accounts = [
        (r, holding_account(app.suspense, r.jurisdiction, r.line.currency)) for r in waiting
    ]
    batch = [(r, account) for r, account in accounts if account is not None]
    items = [
        {"op": "suspend_receipt", "account_id": account, "body": suspense.receipt(r.line)}
        for r, account in batch
    ]
    results = await app.ledger.batch(items) if items else []
    if results is None:  # no batches: one by one
        for r in waiting:
            held[r.line.line_id] = await suspense.hold(
                app.ledger, app.suspense, r.line, r.jurisdiction
            )
    else:
        for (r, account), result in zip(batch, results, strict=True):
            if result["status"] < 300:
                held[r.line.line_id] = (account, f"held in suspense on {account}")
            else:
                why = _problem(result)
                held[r.line.line_id] = (None, f"not held in suspense on {account}: {why}")
    out = []
    for r in waiting:
        holding, note = held.get(
            r.line.line_id,
            (None, f"not in the ledger yet: no suspense account for {r.line.currency}"),
        )
        out.append(
            Outcome(
                r.line.line_id,
                "review",
                now,
                app.actor,
                r.score,
                None,
                [],
                r.suggestions,
                r.note + note,
                holding,
            )
        )
    return out


def _problem(result: dict[str, Any]) -> str:
    p = result.get("problem") or {}
    return f"{result['status']} {p.get('rule')}: {p.get('detail')}"


async def post_page(app: CashApplication, recs: Sequence[LineRecord]) -> Counter[str]:
    """Post the stored plans of ``recs`` (status ``posting``) through ledger batches."""
    out: Counter[str] = Counter()
    items: list[dict[str, Any]] = []
    owners: list[str] = []
    for rec in recs:
        for p in rec.postings:
            for c in commands(rec.line, p):
                items.append(c)
                owners.append(rec.line.line_id)
    results: list[dict[str, Any]] = []
    for start in range(0, len(items), LEDGER_BATCH):
        part = await app.ledger.batch(items[start : start + LEDGER_BATCH])
        if part is None:  # no batches: one by one
            for rec in recs:
                status = await app._post(rec)
                if status != "matched":  # not taken after all: ask again
                    for p in rec.postings:
                        app._open.pop(p["account_id"], None)
                out[status] += 1
            return out
        results += part
    refused: dict[str, str] = {}
    again: set[str] = set()
    for owner, result, item in zip(owners, results, items, strict=True):
        if result["status"] >= 300:
            app._open.pop(item["account_id"], None)  # not taken after all: ask again
        if result["status"] == 424 or result["status"] >= 500:
            again.add(owner)
        elif result["status"] >= 300:
            refused.setdefault(owner, f"the ledger refused the posting: {_problem(result)}")
    now, done = app.clock.now(), []
    for rec in recs:
        line_id = rec.line.line_id
        if line_id in refused:
            status, note = "review", refused[line_id]
        elif line_id in again:
            continue
        else:
            status, note = "matched", rec.note
        done.append(
            Outcome(
                line_id,
                status,
                now,
                app.actor,
                rec.score,
                rec.account_id if status == "matched" else None,
                rec.postings if status == "matched" else [],
                rec.suggestions,
                note,
            )
        )
        out[status] += 1
    async with app.uow() as store:
        await store.set_outcomes(done)
    for rec in recs:
        if rec.line.line_id in again and rec.line.line_id not in refused:
            out[await app._post(rec)] += 1
    return out
