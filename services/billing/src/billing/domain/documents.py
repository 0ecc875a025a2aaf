"""Planning what to send to the ledger: invoices for periods due, notes for differences.

An invoice is issued once per policy and period, dated the period's start, its id made of
the policy id and that date (so a retry or a re-run sends the same invoice again, which
the ledger recognises). A period already invoiced is compared with what it should have
billed now (members added or removed, tier changes, back-dated changes, revisions,
termination); the difference becomes one credit note (less) or debit note (more) on that
period's invoice, numbered after the notes before it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from billing.domain.calendar import Period
from billing.domain.premium import Allocations, Key, expected
from billing.domain.state import Policy, Term, decimal_rate


@dataclass(frozen=True)
class DocLine:
    description: str
    amount: int
    product: str
    kind: str
    tier: str


@dataclass(frozen=True)
class Document:
    document_id: str
    kind: str  # invoice, credit_note, debit_note, netted (lines moved, nothing owed)
    invoice_id: str
    period: Period
    term_no: int
    issued_on: date
    due_date: date | None
    amount: int
    lines: tuple[DocLine, ...]
    deltas: dict[Key, int] = field(repr=False)
    reason: str | None = None


@dataclass
class Billed:
    """What earlier documents billed for a policy."""

    amounts: dict[date, dict[Key, int]] = field(default_factory=dict)  # by period start
    invoices: dict[date, tuple[str, date]] = field(default_factory=dict)  # id, issue date
    notes: dict[str, int] = field(default_factory=dict)  # notes so far per invoice id


def invoice_id(policy_id: str, period: Period) -> str:
    return f"{policy_id}-{period.start:%Y%m%d}"


def plan(
    policy: Policy,
    billed: Billed,
    *,
    as_of: date | None,
    on: date,
    terms_days: int,
    recheck: bool = True,
    reason: str | None = None,
    alloc: Allocations | None = None,
) -> list[Document]:
    """Documents for periods starting on or before ``as_of`` (None: none) not yet
    invoiced and, when ``recheck``, notes for every invoiced period that now differs."""
    alloc = alloc or Allocations()
    docs: list[Document] = []
    for term in policy.terms:
        for period in policy.billing_periods(term):
            invoiced = billed.invoices.get(period.start)
            if invoiced is None:
                due = as_of is not None and period.start <= min(as_of, policy.cover_end)
                if due:
                    doc = _invoice(policy, term, period, terms_days, alloc)
                    if doc is not None:
                        docs.append(doc)
            elif recheck:
                doc = _note(policy, term, period, billed, invoiced, on, reason, alloc)
                if doc is not None:
                    docs.append(doc)
            if as_of is not None and period.start > as_of and not recheck:
                break
    return docs


def _invoice(
    policy: Policy, term: Term, period: Period, terms_days: int, alloc: Allocations
) -> Document | None:
    amounts = expected(policy, term, period, alloc)
    total = sum(amounts.values())
    if total <= 0:
        return None  # nobody covered yet: invoiced once someone is
    doc_id = invoice_id(policy.policy_id, period)
    return Document(
        document_id=doc_id,
        kind="invoice",
        invoice_id=doc_id,
        period=_covered(policy, term, period),
        term_no=term.number,
        issued_on=period.start,
        due_date=period.start + timedelta(days=terms_days),
        amount=total,
        lines=lines(term, period, amounts),
        deltas=amounts,
    )


def _note(
    policy: Policy,
    term: Term,
    period: Period,
    billed: Billed,
    invoiced: tuple[str, date],
    on: date,
    reason: str | None,
    alloc: Allocations,
) -> Document | None:
    now = expected(policy, term, period, alloc)
    before = billed.amounts.get(period.start, {})
    deltas = {k: now.get(k, 0) - before.get(k, 0) for k in now.keys() | before.keys()}
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return None
    inv_id, issued = invoiced
    number = billed.notes.get(inv_id, 0) + 1
    billed.notes[inv_id] = number
    total = sum(deltas.values())
    kind = "debit_note" if total > 0 else "credit_note" if total < 0 else "netted"
    return Document(
        document_id=f"{inv_id}-N{number}",
        kind=kind,
        invoice_id=inv_id,
        period=_covered(policy, term, period),
        term_no=term.number,
        issued_on=max(on, issued),
        due_date=None,
        amount=total,
        lines=lines(term, period, deltas),
        deltas=deltas,
        reason=(reason or _explain(period, before, deltas))[:500],
    )


def _covered(policy: Policy, term: Term, period: Period) -> Period:
    return Period(period.start, min(period.end, term.end))


def lines(term: Term, period: Period, amounts: dict[Key, int]) -> tuple[DocLine, ...]:
    """One line per product and tier (and per product for revisions and tax)."""
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for key, amount in amounts.items():
        groups[(key.product, key.kind, key.tier)].append(amount)
    order = {"premium": 0, "revision": 1, "tax": 2}
    out = []
    for (code, kind, tier), values in sorted(
        groups.items(), key=lambda g: (g[0][0], order[g[0][1]], g[0][2])
    ):
        product = term.product(code)
        name = product.description if product else code
        if kind == "premium":
            who = "per member" if tier == "*" else f"tier {tier}"
            text = f"{name}, {who}: {len(values)} member(s), {period}"
        elif kind == "revision":
            text = f"{name}: premium revision, {period}"
        else:
            label, rate = (
                (product.tax_label, decimal_rate(product.tax_rate)) if product else ("Tax", 0)
            )
            text = f"{label} {percent(rate)}% on {name}, {period}"
        if sum(values):
            out.append(DocLine(text, sum(values), code, kind, tier))
    return tuple(out)


def percent(rate: Decimal | int) -> str:
    return f"{(Decimal(rate) * 100).normalize():f}"


def _explain(period: Period, before: dict[Key, int], deltas: dict[Key, int]) -> str:
    """Which members' cover began, ended or changed (tier, dates) in the period."""
    was: dict[str, int] = defaultdict(int)
    now: dict[str, int] = defaultdict(int)
    for key in before.keys() | deltas.keys():
        if key.kind == "premium" and key in deltas:
            was[key.member_id] += before.get(key, 0)
            now[key.member_id] += before.get(key, 0) + deltas[key]
    groups: dict[str, list[str]] = {"cover added": [], "cover ended": [], "cover changed": []}
    for member_id in sorted(was):
        label = (
            "cover added"
            if not was[member_id]
            else "cover ended"
            if not now[member_id]
            else "cover changed"
        )
        groups[label].append(member_id)
    parts = [f"Premium adjustment for {period}"]
    for label, ids in groups.items():
        if ids:
            more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
            parts.append(f"{label}: {', '.join(ids[:10])}{more}")
    if any(k.kind == "revision" for k in deltas):
        parts.append("premium revised")
    return "; ".join(parts)
