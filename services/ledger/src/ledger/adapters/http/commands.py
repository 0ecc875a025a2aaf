"""POST routes: every write of the ledger, one command each, idempotent by client id.

The commands and their answers are built in ``operations.py``, shared with the batch route.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ledger.adapters.http import operations as op
from ledger.adapters.http import responses as r
from ledger.adapters.http import schemas as s
from ledger.adapters.http import scopes as sc
from ledger.adapters.http.access import VisibleAccount, may_open
from ledger.adapters.http.deps import AccountId, Ctx
from servicekit.auth import requires

router = APIRouter(prefix="/v1/accounts", tags=["commands"])

NO_PARAMS: dict[str, str] = {}


@router.post(
    "",
    status_code=201,
    summary="Open a customer account",
    responses={201: {"model": r.AccountOpenedOut}},
    dependencies=[requires(sc.ACCOUNTS)],
)
async def open_account(body: s.OpenAccountBody, ctx: Ctx) -> JSONResponse:
    may_open(ctx.principal, body.jurisdiction)
    prepared = op.open_account(body, NO_PARAMS, ctx.today)
    return await ctx.run(body.account_id, prepared)


@router.post(
    "/{account_id}/invoices",
    status_code=201,
    summary="Issue an invoice",
    responses={201: {"model": r.InvoiceIssuedOut}},
    dependencies=[requires(sc.INVOICES)],
)
async def issue_invoice(account_id: VisibleAccount, body: s.InvoiceBody, ctx: Ctx) -> JSONResponse:
    return await ctx.run(account_id, op.issue_invoice(body, NO_PARAMS, ctx.today))


@router.post(
    "/{account_id}/payments",
    status_code=201,
    summary="Receive a payment; allocate it to named invoices or oldest due first",
    responses={201: {"model": r.PaymentReceivedOut}},
    dependencies=[requires(sc.PAYMENTS)],
)
async def receive_payment(
    account_id: VisibleAccount, body: s.PaymentBody, ctx: Ctx
) -> JSONResponse:
    return await ctx.run(account_id, op.receive_payment(body, NO_PARAMS, ctx.today))


@router.post(
    "/{account_id}/payments/{payment_id}/reversal",
    status_code=201,
    summary="Reverse a bounced or charged-back payment",
    dependencies=[requires(sc.PAYMENTS)],
)
async def reverse_payment(
    account_id: VisibleAccount, payment_id: AccountId, body: s.ReversalBody, ctx: Ctx
) -> JSONResponse:
    params = {"payment_id": payment_id}
    return await ctx.run(account_id, op.reverse_payment(body, params, ctx.today))


@router.post(
    "/{account_id}/credit-notes",
    status_code=201,
    summary="Credit an invoice",
    dependencies=[requires(sc.INVOICES)],
)
async def issue_credit_note(
    account_id: VisibleAccount, body: s.CreditNoteBody, ctx: Ctx
) -> JSONResponse:
    return await ctx.run(account_id, op.issue_credit_note(body, NO_PARAMS, ctx.today))


@router.post(
    "/{account_id}/adjustments",
    status_code=201,
    summary="Post a debit (positive) or credit (negative) adjustment",
    dependencies=[requires(sc.INVOICES)],
)
async def post_adjustment(
    account_id: VisibleAccount, body: s.AdjustmentBody, ctx: Ctx
) -> JSONResponse:
    return await ctx.run(account_id, op.post_adjustment(body, NO_PARAMS, ctx.today))


@router.post(
    "/{account_id}/write-offs",
    status_code=201,
    summary="Write off an invoice",
    dependencies=[requires(sc.WRITE_OFFS)],
)
async def write_off(account_id: VisibleAccount, body: s.WriteOffBody, ctx: Ctx) -> JSONResponse:
    return await ctx.run(account_id, op.write_off(body, NO_PARAMS, ctx.today))


@router.post(
    "/{account_id}/invoices/{invoice_id}/write-off-recovery",
    status_code=201,
    summary="Recover part of a written-off invoice",
    dependencies=[requires(sc.WRITE_OFFS)],
)
async def recover_write_off(
    account_id: VisibleAccount, invoice_id: AccountId, body: s.RecoveryBody, ctx: Ctx
) -> JSONResponse:
    params = {"invoice_id": invoice_id}
    return await ctx.run(account_id, op.recover_write_off(body, params, ctx.today))


@router.post(
    "/{account_id}/refunds",
    status_code=201,
    summary="Refund unapplied credit",
    dependencies=[requires(sc.PAYMENTS)],
)
async def refund(account_id: VisibleAccount, body: s.RefundBody, ctx: Ctx) -> JSONResponse:
    return await ctx.run(account_id, op.refund(body, NO_PARAMS, ctx.today))


@router.post(
    "/{account_id}/unapplied/apply",
    status_code=201,
    summary="Apply unapplied credit to an invoice",
    dependencies=[requires(sc.PAYMENTS)],
)
async def apply_credit(
    account_id: VisibleAccount, body: s.ApplyCreditBody, ctx: Ctx
) -> JSONResponse:
    return await ctx.run(account_id, op.apply_credit(body, NO_PARAMS, ctx.today))


@router.post(
    "/{account_id}/invoices/{invoice_id}/dispute",
    status_code=201,
    summary="Open a dispute on an invoice",
    dependencies=[requires(sc.DISPUTES)],
)
async def dispute(
    account_id: VisibleAccount, invoice_id: AccountId, body: s.DisputeBody, ctx: Ctx
) -> JSONResponse:
    params = {"invoice_id": invoice_id}
    return await ctx.run(account_id, op.dispute(body, params, ctx.today), derive_key=True)


@router.post(
    "/{account_id}/invoices/{invoice_id}/dispute/resolve",
    status_code=201,
    summary="Resolve the open dispute on an invoice",
    dependencies=[requires(sc.DISPUTES)],
)
async def resolve_dispute(
    account_id: VisibleAccount, invoice_id: AccountId, body: s.ResolveBody, ctx: Ctx
) -> JSONResponse:
    params = {"invoice_id": invoice_id}
    return await ctx.run(account_id, op.resolve_dispute(body, params, ctx.today), derive_key=True)
