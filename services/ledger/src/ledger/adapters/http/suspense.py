"""POST routes of suspense: receipts held on a holding account until their owner is known.

The holding account is an account like any other (e.g. ``SUSPENSE-SGD``, one per entity
and currency); what it holds is posted to the chart's suspense account, not to unapplied
cash, so it is nobody's credit and never pays an invoice. The trial balance shows it
(``1900-suspense``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ledger.adapters.http import schemas as s
from ledger.adapters.http.deps import AccountId, Ctx
from ledger.adapters.http.views import recorded
from ledger.application.records import StoredEvent
from ledger.domain import commands as cmd
from ledger.domain import events as ev
from ledger.domain.money import format_minor
from ledger.domain.state import Account

router = APIRouter(prefix="/v1/accounts", tags=["suspense"])


def _held(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> dict[str, Any]:
    event = events[0]
    assert isinstance(event, ev.ReceiptSuspended | ev.SuspenseCleared)
    receipt = state.payments[event.payment_id]
    return {
        **event.model_dump(mode="json"),
        "held": format_minor(receipt.unapplied, state.currency),
        **recorded(stored),
    }


@router.post(
    "/{account_id}/suspense",
    status_code=201,
    summary="Hold an unidentified receipt in suspense on this holding account",
    description="Posted to the suspense account of the chart (debit cash clearing, credit "
    "suspense); it pays nothing until it is cleared. Idempotent by `payment_id`.",
)
async def suspend(account_id: AccountId, body: s.SuspendReceiptBody, ctx: Ctx) -> JSONResponse:
    return await ctx.run(
        account_id,
        cmd.SuspendReceipt(**body.model_dump()),
        command_id=body.payment_id,
        id_field="payment_id",
        payload=body.model_dump(),
        present=_held,
    )


@router.post(
    "/{account_id}/suspense/{payment_id}/clearances",
    status_code=201,
    summary="Move a suspended receipt (or part) to its customer, or refund it",
    description="With `to_account_id` and `to_payment_id`: the money moves to that customer "
    "account, where it is received as that payment (post it there too; the trail is kept "
    "both ways). With neither: refunded to the payer (credit refunds payable). Without "
    "`amount`, all that is still held. Idempotent by `clearance_id`.",
)
async def clear(
    account_id: AccountId, payment_id: AccountId, body: s.ClearSuspenseBody, ctx: Ctx
) -> JSONResponse:
    command = cmd.ClearSuspense(
        payment_id=payment_id,
        **body.model_dump(exclude={"cleared_on"}),
        cleared_on=body.cleared_on or ctx.ledger.clock.today(),
    )
    return await ctx.run(
        account_id,
        command,
        command_id=body.clearance_id,
        id_field="clearance_id",
        payload=body.model_dump(),
        present=_held,
    )
