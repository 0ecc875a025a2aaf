"""Balances, aging and open items as of a date, in SQL (``positions``), against their
definition computed here from the journal and the dispute events: the open amount of an
item on a day is the sum of its receivables postings effective by then (and recorded by
``known_at``); an item over-paid that day is unapplied credit; an item is disputed when its
last dispute event by then is a dispute. Generated histories with back-dated payments,
later increases, credit notes, write-offs, reversals and disputes, asked about days before,
inside and after them, and as known at a time in between."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, bindparam, select, text

from ledger.adapters.postgres import positions
from ledger.bootstrap import Ledger
from ledger.domain.postings import Chart
from money.aging import BUCKETS, bucket

from .api_support import post
from .conftest import invoice, jurisdiction_code, open_account

_examples = count(1)
START = date(2026, 1, 1)
day = st.integers(0, 180).map(lambda n: START + timedelta(days=n))
cents = st.integers(1, 300_00)
operation = st.one_of(
    st.tuples(st.just("invoice"), cents, day, st.integers(0, 60)),
    st.tuples(st.just("pay"), cents, day, st.booleans()),  # allocated oldest first, or not
    # on the last invoice (or payment) or the first
    st.tuples(st.just("credit"), cents, day, st.integers(0, 1)),
    st.tuples(st.just("raise"), cents, day, st.integers(0, 1)),  # an increase from that day
    st.tuples(st.just("dispute"), st.just(0), day, st.integers(0, 1)),
    st.tuples(st.just("resolve"), st.just(0), day, st.integers(0, 1)),
    st.tuples(st.just("write_off"), st.just(0), day, st.integers(0, 1)),
    st.tuples(st.just("reverse"), st.just(0), day, st.integers(0, 1)),
)


def _money(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


class History:
    """One account's operations, posted one at a time (the accounts' interleaved)."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.invoices: list[tuple[str, date]] = []  # id, issued
        self.payments: list[tuple[str, date]] = []  # id, received
        self.posted = 0

    async def post(self, client: httpx.AsyncClient, op: tuple[str, int, date, int]) -> None:
        """Post one; the ledger refuses some (more credit than is open, say): fine."""
        kind, amount, when, extra = op
        invoices, payments = self.invoices, self.payments
        self.posted += 1
        ref = f"{kind[:3].upper()}-{self.posted}"
        on = when.isoformat()
        path, body = f"/v1/accounts/{self.account_id}", {}
        if kind in ("invoice", "pay"):
            (invoices if kind == "invoice" else payments).append((ref, when))
        elif not invoices or (kind == "reverse" and not payments):
            return
        else:  # on or after what it acts on: a day the ledger accepts
            target, since = (payments if kind == "reverse" else invoices)[extra % 2 - 1]
            on = max(when, since).isoformat()
        if kind == "invoice":
            due = (when + timedelta(days=extra)).isoformat()
            line = {"description": "Premium", "amount": _money(amount)}
            path += "/invoices"
            body = {"invoice_id": ref, "issue_date": on, "due_date": due, "lines": [line]}
        elif kind == "pay":
            path += "/payments"
            body = {"payment_id": ref, "amount": _money(amount), "received_on": on}
            body |= {"method": "bank_transfer"} | ({} if extra else {"allocations": []})
        elif kind == "credit":
            path += "/credit-notes"
            body = {"credit_note_id": ref, "invoice_id": target, "amount": _money(amount)}
            body |= {"reason": "generated", "issued_on": on}
        elif kind == "raise":
            path += "/adjustments"
            body = {"adjustment_id": ref, "invoice_id": target, "amount": _money(amount)}
            body |= {"reason": "generated", "effective_on": on}
        elif kind in ("dispute", "resolve"):
            path += f"/invoices/{target}/dispute" + ("/resolve" if kind == "resolve" else "")
            body = {"reason": "generated", "disputed_on": on}
            if kind == "resolve":
                body = {"resolution": "generated", "resolved_on": on}
        elif kind == "write_off":
            path += "/write-offs"
            body = {"write_off_id": ref, "invoice_id": target, "reason": "generated"}
            body |= {"written_off_on": on}
        else:
            path += f"/payments/{target}/reversal"
            body = {"reason": "bounced", "reversed_on": on}
        r = await client.post(path, json=body)
        assert r.status_code < 500, r.text


async def _definition(
    ledger: Ledger, accounts: list[str], on: date, known_at: datetime | None
) -> dict[str, dict[str, Any]]:
    """Per account, from the journal and events: open items (due date, open, disputed)
    and unapplied credit, before over-paid items are moved to credit."""
    known = known_at or datetime.now(UTC) + timedelta(days=1)
    async with ledger.engine.connect() as conn:
        lines = await conn.execute(
            text(
                "SELECT j.account_id, j.item_id, j.ledger_account, j.amount, o.due_date "
                "FROM journal j LEFT JOIN open_items o USING (account_id, item_id) "
                "WHERE j.account_id = ANY(:a) AND j.effective_date <= :d AND j.recorded_at <= :k"
            ),
            {"a": accounts, "d": on, "k": known},
        )
        disputes = await conn.execute(
            text(
                "SELECT stream_id, data->>'invoice_id', event_type FROM events "
                "WHERE stream_id = ANY(:a) AND event_type IN ('InvoiceDisputed', "
                "'DisputeResolved') AND effective_date <= :d AND recorded_at <= :k "
                "ORDER BY effective_date, position"
            ),
            {"a": accounts, "d": on, "k": known},
        )
        disputed = {(a, i): t == "InvoiceDisputed" for a, i, t in disputes}
    out: dict[str, dict[str, Any]] = {
        a: {"items": defaultdict(int), "unapplied": 0} for a in accounts
    }
    due: dict[tuple[str, str], date] = {}
    for account_id, item_id, ledger_account, amount, due_date in lines:
        if ledger_account == Chart.RECEIVABLES.value:
            out[account_id]["items"][item_id] += amount
            due[(account_id, item_id)] = due_date
        elif ledger_account == Chart.UNAPPLIED_CASH.value:
            out[account_id]["unapplied"] -= amount
    for account_id, figures in out.items():
        items = figures["items"]
        figures["items"] = {
            i: (due[(account_id, i)], v, disputed.get((account_id, i), False))
            for i, v in items.items()
            if v > 0
        }
        figures["unapplied"] -= sum(v for v in items.values() if v < 0)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    histories=st.lists(st.lists(operation, min_size=1, max_size=10), min_size=1, max_size=3),
    split=st.floats(0, 1),
    days=st.lists(day, min_size=1, max_size=3),
)
async def test_balances_aging_and_open_items_match_the_journal_on_any_day(
    client: httpx.AsyncClient,
    ledger: Ledger,
    histories: list[list[tuple[str, int, date, int]]],
    split: float,
    days: list[date],
) -> None:
    n = next(_examples)
    where = jurisdiction_code()
    accounts = [f"POS-{n}-{k}" for k in range(len(histories))]
    ops = [(acc, op) for acc, history in zip(accounts, histories, strict=True) for op in history]
    for acc in accounts:
        await open_account(client, acc, jurisdiction=where, opened_on="2025-12-01")
    cut = int(split * len(ops))
    known_at = None
    posted = {acc: History(acc) for acc in accounts}
    for k, (acc, op) in enumerate(ops):
        if k == cut:
            known_at = datetime.now(UTC)
        await posted[acc].post(client, op)
    for on in [*days, START - timedelta(days=1), date(2027, 1, 1)]:
        for seen in (None, known_at):
            at = positions.AsOf(on, seen)
            want = await _definition(ledger, accounts, on, seen)
            async with ledger.engine.connect() as conn:
                aged = await positions.aging(conn, at, positions.Accounts(jurisdictions={where}))
                listed = await positions.open_items_on(
                    conn, at, positions.Accounts(jurisdictions={where}), bucket=None, disputed=None
                )
                balances = {a: await positions.balance(conn, a, at) for a in accounts}
            rows = {r["account_id"]: r for r in aged}
            assert [r["account_id"] for r in aged] == sorted(rows)
            items = {(r["account_id"], r["item_id"]): r for r in listed}
            for acc in accounts:
                w = want[acc]
                owed = sum(v for _, v, _ in w["items"].values())
                b = balances[acc]
                assert b is not None
                assert (b["open"], b["unapplied"]) == (owed, w["unapplied"]), (acc, on, seen)
                assert b["overdue"] == sum(v for d, v, _ in w["items"].values() if d < on)
                assert b["disputed"] == sum(v for _, v, x in w["items"].values() if x)
                row = rows.get(acc)
                if row is None:
                    assert (owed, w["unapplied"]) == (0, 0), (acc, on, seen)
                    continue
                assert (row["total"], row["unapplied"]) == (owed, w["unapplied"])
                per_bucket = dict.fromkeys(BUCKETS, 0)
                for item_id, (due, v, x) in w["items"].items():
                    per_bucket[bucket(on, due)] += v
                    got = items.pop((acc, item_id))
                    assert (got["open"], got["disputed"]) == (v, x)
                    assert got["bucket"] == bucket(on, due)
                assert {k: row[k] for k in BUCKETS} == per_bucket
            assert not items  # nothing listed that the journal does not hold open


async def test_the_sql_buckets_are_the_money_kernels(ledger: Ledger) -> None:
    on = date(2026, 3, 31)
    dues = [on + timedelta(days=n) for n in range(-200, 10)]
    due = bindparam("due", type_=Date)
    q = select(positions.bucket_sql(due))
    async with ledger.engine.connect() as conn:
        for d in dues:
            got = (await conn.execute(q, {"day": on, "due": d})).scalar_one()
            assert got == bucket(on, d), d


async def test_the_last_dispute_event_by_date_decides_even_recorded_out_of_order(
    client: httpx.AsyncClient, ledger: Ledger, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00", issue="2026-03-01", due="2026-03-31")
    path = f"/v1/accounts/{account_id}/invoices/INV-1/dispute"
    await post(client, path, {"reason": "wrong cover", "disputed_on": "2026-03-20"})
    await post(client, path + "/resolve", {"resolution": "agreed", "resolved_on": "2026-03-25"})
    await post(client, path, {"reason": "found late", "disputed_on": "2026-03-05"})
    for on, disputed in (("2026-03-04", 0), ("2026-03-10", 10000), ("2026-03-26", 0)):
        async with ledger.engine.connect() as conn:
            got = await positions.balance(conn, account_id, positions.AsOf(date.fromisoformat(on)))
        assert got is not None
        assert got["disputed"] == disputed, on
