"""GET routes: accounts, invoices, history, the global feed, balances, audit."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import TypeAdapter

from ledger.adapters.http import responses as r
from ledger.adapters.http import scopes as sc
from ledger.adapters.http.access import Reader, VisibleAccount, everywhere, jurisdictions
from ledger.adapters.http.deps import Conn, LedgerDep
from ledger.adapters.http.views import account_view, item_view
from ledger.adapters.postgres import event_store, maintenance, positions, queries
from ledger.adapters.postgres.relay_checkpoint import feed_lag
from ledger.application.published import event_view
from ledger.domain import errors as err
from ledger.domain.money import format_minor
from servicekit.auth import Principal, requires
from servicekit.types import Day, Instant, Position, SmallCount

router = APIRouter(prefix="/v1", tags=["queries"])
read = [requires(sc.READ)]


AsOf = Annotated[
    Day | None,
    Query(description="effective (business) date the figures are for; default today"),
]
KnownAt = Annotated[
    Instant | None,
    Query(
        description="only what the ledger had recorded by this time (ISO 8601; without an "
        "offset, UTC); default: everything recorded so far"
    ),
]


# The balance's query parameters, for its route ahead of FastAPI (fast_routes)
BALANCE_QUERY: dict[str, TypeAdapter[Any]] = {
    "as_of": TypeAdapter(Day | None),
    "known_at": TypeAdapter(Instant | None),
}


async def account_or_404(conn: Conn, account_id: str) -> dict[str, Any]:
    row = await queries.get_account(conn, account_id)
    if row is None:
        raise err.AccountNotFound(f"account {account_id} does not exist")
    return row


@router.get(
    "/accounts/{account_id}",
    dependencies=read,
    summary="An account with its balance summary",
    response_model=r.AccountOut,
)
async def get_account(account_id: VisibleAccount, conn: Conn) -> dict[str, Any]:
    return account_view(await account_or_404(conn, account_id))


@router.get(
    "/accounts/{account_id}/invoices",
    dependencies=read,
    summary="Invoices and debit notes of an account",
    response_model=r.InvoiceList,
)
async def list_invoices(
    account_id: VisibleAccount,
    conn: Conn,
    status: Annotated[str, Query(pattern="^(open|paid|all)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[Position, Query()] = 0,
) -> dict[str, Any]:
    account = await account_or_404(conn, account_id)
    rows = await queries.list_items(conn, account_id, status, limit=limit + 1, offset=offset)
    more = len(rows) > limit
    return {
        "account_id": account_id,
        "status": status,
        "next_offset": offset + limit if more else None,
        "invoices": [item_view(row, account["currency"]) for row in rows[:limit]],
    }


@router.get(
    "/accounts/{account_id}/balance",
    dependencies=read,
    summary="Balance as of an effective date",
    response_model=r.Balance,
)
async def balance(
    account_id: VisibleAccount,
    conn: Conn,
    ledger: LedgerDep,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> dict[str, Any]:
    day = as_of or ledger.clock.today()
    found = await positions.balance(conn, account_id, positions.AsOf(day, known_at))
    if found is None:
        raise err.AccountNotFound(f"account {account_id} does not exist")
    cur = found["currency"]
    return {
        "account_id": account_id,
        "currency": cur,
        "as_of": day.isoformat(),
        "known_at": known_at.isoformat() if known_at else None,
        "balance": format_minor(found["open"] - found["unapplied"], cur),
        **{k: format_minor(found[k], cur) for k in ("open", "overdue", "disputed", "unapplied")},
    }


@router.get(
    "/accounts/{account_id}/events",
    dependencies=read,
    summary="The account's history",
    response_model=r.AccountHistory,
)
async def account_events(
    account_id: VisibleAccount,
    conn: Conn,
    after_version: Annotated[Position, Query(description="version to continue after")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    known_at: KnownAt = None,
) -> dict[str, Any]:
    account = await account_or_404(conn, account_id)
    stored = await event_store.read_stream(
        conn, account_id, after_version=after_version, limit=limit, known_at=known_at
    )
    last = stored[-1].version if stored else after_version
    return {
        "account_id": account_id,
        "events": [event_view(s) for s in stored],
        "next_after_version": last,
        "more": len(stored) == limit and last < account["version"],
    }


@router.get("/events", summary="The global feed in position order", response_model=r.Feed)
async def feed(
    principal: Annotated[Principal, requires(sc.FEED)],
    request: Request,
    conn: Conn,
    after: Annotated[Position, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    wait: Annotated[float, Query(ge=0, le=30, description="long-poll seconds")] = 0,
) -> dict[str, Any]:
    everywhere(principal, "the event feed")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        stored = await event_store.read_all(conn, after=after, limit=limit)
        await conn.rollback()  # a fresh snapshot for the next look
        if stored or loop.time() >= deadline:
            break
        await asyncio.sleep(min(0.05, max(0.0, deadline - loop.time())))
    next_after = stored[-1].position if stored else after
    visible, held = await feed_lag(conn, next_after)
    await conn.rollback()
    gauge = getattr(request.app.state, "feed_held", None)
    if gauge is not None:
        gauge.set(held)
    return {
        "events": [event_view(s) for s in stored],
        "next_after": next_after,
        "behind": visible + held,
    }


@router.get(
    "/accounts/{account_id}/journal",
    summary="The account's double-entry postings",
    dependencies=read,
)
async def account_journal(
    account_id: VisibleAccount,
    conn: Conn,
    after: Annotated[Position, Query(description="position to continue after")] = 0,
    after_line: Annotated[
        SmallCount | None,
        Query(
            description="with `after`: the line of that event to continue after; pass the "
            "page's `next_after` and `next_after_line` to get the next page"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> dict[str, Any]:
    account = await account_or_404(conn, account_id)
    cur = account["currency"]
    lines = await queries.journal_lines(
        conn, account_id, after=after, after_line=after_line, limit=limit
    )
    last = lines[-1] if lines else None
    return {
        "account_id": account_id,
        "currency": cur,
        "next_after": last["position"] if last else after,
        "next_after_line": last["line_no"] if last else after_line,
        "more": len(lines) == limit,
        "lines": [
            {
                "position": r["position"],
                "line_no": r["line_no"],
                "event_type": r["event_type"],
                "effective_date": r["effective_date"].isoformat(),
                "ledger_account": r["ledger_account"],
                "item_id": r["item_id"],
                "debit": format_minor(r["amount"], cur) if r["amount"] > 0 else None,
                "credit": format_minor(-r["amount"], cur) if r["amount"] < 0 else None,
            }
            for r in lines
        ],
    }


@router.get("/reports/trial-balance", summary="Ledger account balances per currency")
async def trial_balance(
    principal: Reader,
    conn: Conn,
    ledger: LedgerDep,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> dict[str, Any]:
    day = as_of or ledger.clock.today()
    balances = await queries.trial_balance(conn, day, known_at, jurisdictions(principal, None))
    return {
        "as_of": day.isoformat(),
        "currencies": [
            {
                "currency": cur,
                "accounts": {k: format_minor(v, cur) for k, v in sorted(accts.items())},
                "total": format_minor(sum(accts.values()), cur),
            }
            for cur, accts in sorted(balances.items())
        ],
    }


@router.get("/audit/verify", summary="Check every stream's hash chain and the checkpoints")
async def verify(
    principal: Annotated[Principal, requires(sc.AUDIT)], conn: Conn, ledger: LedgerDep
) -> dict[str, Any]:
    everywhere(principal, "verifying the hash chains")
    report = await maintenance.verify_all(conn, ledger.chain_key)
    c = report.checkpoint
    return {
        "ok": report.ok,
        "streams": report.streams,
        "events": report.events,
        "checkpoint": None
        if c is None
        else {"seq": c.seq, "taken_at": c.taken_at.isoformat(), "events": c.events},
        "findings": [f.__dict__ for f in report.findings],
    }
