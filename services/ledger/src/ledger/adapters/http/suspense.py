"""POST routes of suspense: receipts held on a holding account until their owner is known.

The holding account is an account like any other (e.g. ``SUSPENSE-SGD``, one per entity
and currency); what it holds is posted to the chart's suspense account, not to unapplied
cash, so it is nobody's credit and never pays an invoice. The trial balance shows it
(``1900-suspense``). Batches run the same operations (``suspend_receipt``,
``clear_suspense``).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ledger.adapters.http import operations as op
from ledger.adapters.http import schemas as s
from ledger.adapters.http import scopes as sc
from ledger.adapters.http.access import VisibleAccount
from ledger.adapters.http.deps import AccountId, Ctx
from servicekit.auth import requires

router = APIRouter(prefix="/v1/accounts", tags=["suspense"])


@router.post(
    "/{account_id}/suspense",
    status_code=201,
    summary="Hold an unidentified receipt in suspense on this holding account",
    description="Posted to the suspense account of the chart (debit cash clearing, credit "
    "suspense); it pays nothing until it is cleared. Idempotent by `payment_id`.",
    dependencies=[requires(sc.PAYMENTS)],
)
async def suspend(account_id: VisibleAccount, body: s.SuspendReceiptBody, ctx: Ctx) -> JSONResponse:
    return await ctx.run(account_id, op.suspend_receipt(body, {}, ctx.today))


@router.post(
    "/{account_id}/suspense/{payment_id}/clearances",
    status_code=201,
    summary="Move a suspended receipt (or part) to its customer, or refund it",
    description="With `to_account_id` and `to_payment_id`: the money moves to that customer "
    "account, where it is received as that payment (post it there too; the trail is kept "
    "both ways). With neither: refunded to the payer (credit refunds payable). Without "
    "`amount`, all that is still held. Idempotent by `clearance_id`.",
    dependencies=[requires(sc.PAYMENTS)],
)
async def clear(
    account_id: VisibleAccount, payment_id: AccountId, body: s.ClearSuspenseBody, ctx: Ctx
) -> JSONResponse:
    params = {"payment_id": payment_id}
    return await ctx.run(account_id, op.clear_suspense(body, params, ctx.today))
