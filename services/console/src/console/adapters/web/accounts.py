"""Pages of one customer: search, the account page, its statement, collector actions."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from console.adapters.web.deps import ConsoleDep, Who, attachment, page
from console.application import pages
from console.domain.errors import InvalidInput
from servicekit.types import Day

router = APIRouter(tags=["accounts"])
Text = Annotated[str, Form(min_length=1, max_length=500)]


@router.get("/", summary="Find an account by name or id")
async def search(
    request: Request,
    console: ConsoleDep,
    who: Who,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    query = q.strip()
    results = await console.ledger.search_accounts(query, who, limit=50) if query else []
    return page(request, "search.html", who, q=query, results=results)


@router.get("/accounts/{account_id}", summary="Balance, open items, history, collections")
async def account(request: Request, account_id: str, console: ConsoleDep, who: Who) -> Response:
    view = await pages.account_page(console.ledger, console.dunning, account_id, who)
    return page(
        request,
        "account.html",
        who,
        view=view,
        today=console.today(),
        contact_id=f"console-{uuid.uuid4().hex[:16]}",
        promise_id=f"console-{uuid.uuid4().hex[:16]}",
    )


@router.get("/accounts/{account_id}/statement", summary="Download the statement of account")
async def statement(
    account_id: str,
    console: ConsoleDep,
    who: Who,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    format: Annotated[str, Query(pattern="^(csv|xlsx|pdf|json)$")] = "csv",
) -> Response:
    pages.check_id(account_id, "account_id")
    last = end or console.today()
    if start is None:
        opened = (await console.ledger.account(account_id, who)).get("opened_on")
        start = date.fromisoformat(opened) if opened else last.replace(month=1, day=1)
    if last < start:
        raise InvalidInput("to: the period ends before it starts", field="to")
    doc = await console.ledger.statement(account_id, who, start=start, end=last, fmt=format)
    return attachment(doc)


@router.post("/accounts/{account_id}/contacts", summary="Log a call, e-mail or letter")
async def log_contact(
    account_id: str,
    console: ConsoleDep,
    who: Who,
    contact_id: Annotated[str, Form(pattern=pages.ID.pattern)],
    channel: Annotated[str, Form(pattern="^(call|email|letter|sms|visit|other)$")],
    outcome: Text,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    pages.check_id(account_id, "account_id")
    body = {"contact_id": contact_id, "channel": channel, "outcome": outcome}
    if note.strip():
        body["note"] = note.strip()
    await console.dunning.log_contact(account_id, body, who)
    return RedirectResponse(f"/accounts/{account_id}#collections", status_code=303)


@router.post("/accounts/{account_id}/promises", summary="Record a promise to pay")
async def promise(
    account_id: str,
    console: ConsoleDep,
    who: Who,
    promise_id: Annotated[str, Form(pattern=pages.ID.pattern)],
    amount: Annotated[str, Form(pattern=r"^\d{1,15}(\.\d{1,6})?$")],
    promised_date: Annotated[Day, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    pages.check_id(account_id, "account_id")
    body = {"promise_id": promise_id, "amount": amount, "promised_date": str(promised_date)}
    if note.strip():
        body["note"] = note.strip()
    await console.dunning.promise(account_id, body, who)
    return RedirectResponse(f"/accounts/{account_id}#collections", status_code=303)
