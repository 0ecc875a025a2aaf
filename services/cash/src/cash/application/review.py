"""The review queue's decisions: a line matched (or split) by hand, or refunded.

A manual match is checked against what the ledger has open now before anything is posted,
then posted exactly as an automatic one (a stored plan with the line's derived ids).
"""

from __future__ import annotations

from dataclasses import dataclass

from cash.application import suspense
from cash.application.apply import CashApplication
from cash.application.plans import plan
from cash.application.ports import PostingRefused
from cash.application.scope import Scope, sees
from cash.domain.allocation import allocation
from cash.domain.errors import InvalidMatch, LineState, NotFound
from cash.domain.matching import Share, Suggestion

OPEN_FOR_DECISION = ("review",)


@dataclass(frozen=True)
class Part:
    """Money for one account: ``allocations`` to its invoices, the rest of ``amount`` kept
    as unapplied credit; ``write_off_gap`` writes off what the allocations leave open on
    those invoices, if that is within the account's jurisdiction tolerance."""

    account_id: str
    allocations: tuple[Share, ...] = ()
    amount: int | None = None
    write_off_gap: bool = False
    auto_allocate: bool = False  # the ledger allocates it in the jurisdiction's order
    policy_id: str | None = None  # auto_allocate: this policy's items first


async def match_by_hand(
    app: CashApplication, line_id: str, parts: list[Part], actor: str, scope: Scope = None
) -> str:
    """Only to accounts of the line's jurisdiction (its bank account's): money that reached
    one entity pays none of another's customers."""
    async with app.uow() as store:
        rec = await store.line(line_id)
    if rec is None or not sees(scope, rec.jurisdiction):
        raise NotFound(f"no statement line {line_id}", field="line_id")
    if rec.status not in OPEN_FOR_DECISION:
        raise LineState(f"line {line_id} is {rec.status}, not waiting for review")
    line = rec.line
    if len(parts) > 1 and any(p.amount is None for p in parts):
        raise InvalidMatch(
            "a split over several accounts gives each part its amount", field="parts"
        )
    amounts = [p.amount if p.amount is not None else line.paid for p in parts]
    if sum(amounts) != line.paid:
        raise InvalidMatch("the parts add up to another amount than the line's", field="parts")
    suggestions = []
    orders = []
    for i, (part, amount) in enumerate(zip(parts, amounts, strict=True)):
        where = f"parts[{i}]"
        async with app.uow() as store:
            acc = await store.account(part.account_id)
            segment = await store.segment(part.account_id)
        if acc is None or not sees(scope, acc.jurisdiction):
            raise InvalidMatch(f"no account {part.account_id}", field=f"{where}.account_id")
        if rec.jurisdiction not in (None, acc.jurisdiction):
            raise InvalidMatch(
                f"account {acc.account_id} is {acc.jurisdiction}'s, the line arrived on a bank "
                f"account of {rec.jurisdiction}",
                field=f"{where}.account_id",
            )
        if acc.currency != line.currency:
            raise InvalidMatch(
                f"account {acc.account_id} is in {acc.currency}, the line in {line.currency}",
                field=f"{where}.account_id",
            )
        orders.append(allocation(app.orders.order_for(acc.jurisdiction, segment), part.policy_id))
        if part.auto_allocate and part.allocations:
            raise InvalidMatch("auto_allocate names no allocations", field=f"{where}.allocations")
        if part.policy_id and not part.auto_allocate:
            raise InvalidMatch("a policy_id is for auto_allocate", field=f"{where}.policy_id")
        allocated = sum(a.amount for a in part.allocations)
        if allocated > amount:
            raise InvalidMatch("allocations exceed the part's amount", field=f"{where}.allocations")
        open_now = {
            i.invoice_id: i.open_amount for i in await app.ledger.open_items(acc.account_id)
        }
        gaps = []
        for j, a in enumerate(part.allocations):
            if a.invoice_id not in open_now:
                raise InvalidMatch(
                    f"invoice {a.invoice_id} is not open on {acc.account_id}",
                    field=f"{where}.allocations[{j}].invoice_id",
                )
            if a.amount > open_now[a.invoice_id]:
                raise InvalidMatch(
                    f"more than the open amount of {a.invoice_id}",
                    field=f"{where}.allocations[{j}].amount",
                )
            if open_now[a.invoice_id] > a.amount:
                gaps.append(Share(a.invoice_id, open_now[a.invoice_id] - a.amount))
        write_offs: tuple[Share, ...] = ()
        if part.write_off_gap:
            tolerance = app.policy.tolerance_for(acc.jurisdiction, acc.currency)
            if sum(g.amount for g in gaps) > tolerance:
                raise InvalidMatch(
                    f"the gap is beyond the {acc.jurisdiction} tolerance",
                    field=f"{where}.write_off_gap",
                )
            write_offs = tuple(gaps)
        suggestions.append(
            Suggestion(
                acc.account_id,
                100,
                part.allocations,
                write_offs,
                amount - allocated,
                ("matched by hand",),
            )
        )
    postings = plan(line_id, suggestions)
    for part, posting, order in zip(parts, postings, orders, strict=True):
        if part.auto_allocate:
            posting.update(order)
    async with app.uow() as store:
        locked = await store.line(line_id, lock=True)
        if locked is None or locked.status not in OPEN_FOR_DECISION:
            raise LineState(f"line {line_id} was decided meanwhile")
        if locked.suspense:
            today = app.clock.now().date()
            for p in postings:  # on the payment's value date: cash clearing counts it once
                p["from_suspense"] = suspense.moved(
                    locked.suspense, line_id, p["payment_id"], line.value_date, today
                )
        await store.set_outcome(
            line_id,
            "posting",
            at=app.clock.now(),
            actor=actor,
            score=100,
            account_id=parts[0].account_id,
            postings=postings,
            suggestions=locked.suggestions,
            note=f"matched by {actor}",
        )
    outcome = await app.process_line(line_id)
    if outcome != "matched":
        async with app.uow() as store:
            after = await store.line(line_id)
        raise InvalidMatch(after.note if after else "the ledger refused the posting", field="parts")
    return outcome


async def refund(
    app: CashApplication, line_id: str, reason: str, actor: str, scope: Scope = None
) -> None:
    """Send an unidentified receipt back to the payer: it is never posted."""
    async with app.uow() as store:
        rec = await store.line(line_id, lock=True)
        if rec is None or not sees(scope, rec.jurisdiction):
            raise NotFound(f"no statement line {line_id}", field="line_id")
        if rec.status not in OPEN_FOR_DECISION:
            raise LineState(f"line {line_id} is {rec.status}, not waiting for review")
        if rec.suspense:
            today = app.clock.now().date()
            source = suspense.moved(rec.suspense, line_id, f"{line_id}-REFUND", today, today)
            try:
                body = suspense.clearance(
                    rec.line,
                    source,
                    amount=rec.line.paid,
                    to_account=None,
                    to_payment=None,
                    reason=f"refunded to the payer: {reason}",
                )
                await app.ledger.clear_suspense(source["account"], source["payment_id"], body)
            except PostingRefused as e:
                raise InvalidMatch(f"the ledger refused the refund: {e}") from None
        await store.set_outcome(
            line_id,
            "refunded",
            at=app.clock.now(),
            actor=actor,
            suggestions=rec.suggestions,
            note=f"refunded: {reason}",
        )
