"""POST routes: every write of the ledger, one command each, idempotent by client id."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ledger.adapters.http import responses as r
from ledger.adapters.http import schemas as s
from ledger.adapters.http.deps import AccountId, Ctx
from ledger.adapters.http.views import (
    account_state_view,
    payment_view,
    recorded,
    shares,
    state_item_view,
)
from ledger.application.records import StoredEvent
from ledger.domain import commands as cmd
from ledger.domain import events as ev
from ledger.domain.state import Account

router = APIRouter(prefix="/v1/accounts", tags=["commands"])

Result = dict[str, Any]


def _today(ctx: Ctx, value: Any) -> Any:
    return value if value is not None else ctx.ledger.clock.today()


def _account(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
    return {**account_state_view(state), **recorded(stored)}


def _invoice_of(invoice_id: str) -> Any:
    def present(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
        return {**state_item_view(state.items[invoice_id], state.currency), **recorded(stored)}

    return present


def _payment(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
    received = events[0]
    assert isinstance(received, ev.PaymentReceived)
    view = payment_view(state.payments[received.payment_id], state.currency)
    return {
        **view,
        "account_unapplied": account_state_view(state)["summary"]["unapplied"],
        **recorded(stored),
    }


def _single(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
    """The one event a command produced, with the invoice it touched (if any)."""
    data = events[0].model_dump(mode="json")
    invoice_id = getattr(events[0], "invoice_id", None) or getattr(events[0], "adjustment_id", None)
    item = state.items.get(invoice_id) if invoice_id else None
    out: Result = {**data, **recorded(stored)}
    if item is not None:
        out["invoice"] = state_item_view(item, state.currency)
    out["account_unapplied"] = account_state_view(state)["summary"]["unapplied"]
    return out


def _applied(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
    allocated = [e for e in events if isinstance(e, ev.PaymentAllocated)]
    first = allocated[0]
    return {
        "invoice_id": first.invoice_id,
        "applied": [{"payment_id": e.payment_id, "amount": str(e.amount)} for e in allocated],
        "invoice": state_item_view(state.items[first.invoice_id], state.currency),
        "account_unapplied": account_state_view(state)["summary"]["unapplied"],
        **recorded(stored),
    }


@router.post(
    "",
    status_code=201,
    summary="Open a customer account",
    responses={201: {"model": r.AccountOpenedOut}},
)
async def open_account(body: s.OpenAccountBody, ctx: Ctx) -> JSONResponse:
    command = cmd.OpenAccount(
        **body.model_dump(exclude={"opened_on"}), opened_on=_today(ctx, body.opened_on)
    )
    return await ctx.run(
        body.account_id,
        command,
        command_id=body.account_id,
        id_field="account_id",
        payload=body.model_dump(),
        present=_account,
    )


@router.post(
    "/{account_id}/invoices",
    status_code=201,
    summary="Issue an invoice",
    responses={201: {"model": r.InvoiceIssuedOut}},
)
async def issue_invoice(account_id: AccountId, body: s.InvoiceBody, ctx: Ctx) -> JSONResponse:
    command = cmd.IssueInvoice(
        invoice_id=body.invoice_id,
        issue_date=body.issue_date,
        due_date=body.due_date,
        lines=tuple(cmd.LineSpec(**line.model_dump()) for line in body.lines),
        policy_id=body.policy_id,
        broker_id=body.broker_id,
    )
    return await ctx.run(
        account_id,
        command,
        command_id=body.invoice_id,
        id_field="invoice_id",
        payload=body.model_dump(),
        present=_invoice_of(body.invoice_id),
    )


@router.post(
    "/{account_id}/payments",
    status_code=201,
    summary="Receive a payment; allocate it to named invoices or oldest due first",
    responses={201: {"model": r.PaymentReceivedOut}},
)
async def receive_payment(account_id: AccountId, body: s.PaymentBody, ctx: Ctx) -> JSONResponse:
    allocations = (
        None
        if body.allocations is None
        else tuple(cmd.AllocationSpec(**a.model_dump()) for a in body.allocations)
    )
    command = cmd.ReceivePayment(
        payment_id=body.payment_id,
        amount=body.amount,
        received_on=body.received_on,
        method=body.method,
        reference=body.reference,
        allocations=allocations,
    )
    return await ctx.run(
        account_id,
        command,
        command_id=body.payment_id,
        id_field="payment_id",
        payload=body.model_dump(),
        present=_payment,
    )


@router.post(
    "/{account_id}/payments/{payment_id}/reversal",
    status_code=201,
    summary="Reverse a bounced or charged-back payment",
)
async def reverse_payment(
    account_id: AccountId, payment_id: AccountId, body: s.ReversalBody, ctx: Ctx
) -> JSONResponse:
    command = cmd.ReversePayment(
        payment_id=payment_id, reason=body.reason, reversed_on=_today(ctx, body.reversed_on)
    )

    def present(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
        e = events[0]
        assert isinstance(e, ev.PaymentReversed)
        return {
            **payment_view(state.payments[payment_id], state.currency),
            "reason": e.reason,
            "released": shares(e.released),
            **recorded(stored),
        }

    return await ctx.run(
        account_id,
        command,
        command_id=payment_id,
        id_field="payment_id",
        payload=body.model_dump(),
        present=present,
    )


@router.post("/{account_id}/credit-notes", status_code=201, summary="Credit an invoice")
async def issue_credit_note(
    account_id: AccountId, body: s.CreditNoteBody, ctx: Ctx
) -> JSONResponse:
    command = cmd.IssueCreditNote(
        **body.model_dump(exclude={"issued_on"}), issued_on=_today(ctx, body.issued_on)
    )
    return await ctx.run(
        account_id,
        command,
        command_id=body.credit_note_id,
        id_field="credit_note_id",
        payload=body.model_dump(),
        present=_single,
    )


@router.post(
    "/{account_id}/adjustments",
    status_code=201,
    summary="Post a debit (positive) or credit (negative) adjustment",
)
async def post_adjustment(account_id: AccountId, body: s.AdjustmentBody, ctx: Ctx) -> JSONResponse:
    command = cmd.PostAdjustment(
        **body.model_dump(exclude={"effective_on"}), effective_on=_today(ctx, body.effective_on)
    )
    return await ctx.run(
        account_id,
        command,
        command_id=body.adjustment_id,
        id_field="adjustment_id",
        payload=body.model_dump(),
        present=_single,
    )


@router.post("/{account_id}/write-offs", status_code=201, summary="Write off an invoice")
async def write_off(account_id: AccountId, body: s.WriteOffBody, ctx: Ctx) -> JSONResponse:
    command = cmd.WriteOffInvoice(
        **body.model_dump(exclude={"written_off_on"}),
        written_off_on=_today(ctx, body.written_off_on),
    )
    return await ctx.run(
        account_id,
        command,
        command_id=body.write_off_id,
        id_field="write_off_id",
        payload=body.model_dump(),
        present=_single,
    )


@router.post(
    "/{account_id}/invoices/{invoice_id}/write-off-recovery",
    status_code=201,
    summary="Recover part of a written-off invoice",
)
async def recover_write_off(
    account_id: AccountId, invoice_id: AccountId, body: s.RecoveryBody, ctx: Ctx
) -> JSONResponse:
    command = cmd.RecoverWriteOff(
        invoice_id=invoice_id,
        **body.model_dump(exclude={"recovered_on"}),
        recovered_on=_today(ctx, body.recovered_on),
    )
    return await ctx.run(
        account_id,
        command,
        command_id=body.recovery_id,
        id_field="recovery_id",
        payload=body.model_dump(),
        present=_single,
    )


@router.post("/{account_id}/refunds", status_code=201, summary="Refund unapplied credit")
async def refund(account_id: AccountId, body: s.RefundBody, ctx: Ctx) -> JSONResponse:
    command = cmd.IssueRefund(
        **body.model_dump(exclude={"refunded_on"}), refunded_on=_today(ctx, body.refunded_on)
    )
    return await ctx.run(
        account_id,
        command,
        command_id=body.refund_id,
        id_field="refund_id",
        payload=body.model_dump(),
        present=_single,
    )


@router.post(
    "/{account_id}/unapplied/apply", status_code=201, summary="Apply unapplied credit to an invoice"
)
async def apply_credit(account_id: AccountId, body: s.ApplyCreditBody, ctx: Ctx) -> JSONResponse:
    command = cmd.ApplyUnappliedCredit(
        invoice_id=body.invoice_id, amount=body.amount, applied_on=_today(ctx, body.applied_on)
    )
    return await ctx.run(
        account_id,
        command,
        command_id=body.application_id,
        id_field="application_id",
        payload=body.model_dump(),
        present=_applied,
    )


@router.post(
    "/{account_id}/invoices/{invoice_id}/dispute",
    status_code=201,
    summary="Open a dispute on an invoice",
)
async def dispute(
    account_id: AccountId, invoice_id: AccountId, body: s.DisputeBody, ctx: Ctx
) -> JSONResponse:
    command = cmd.DisputeInvoice(
        invoice_id=invoice_id, reason=body.reason, disputed_on=_today(ctx, body.disputed_on)
    )
    return await ctx.run(
        account_id,
        command,
        command_id=None,
        id_field="Idempotency-Key",
        payload=body.model_dump(),
        present=_single,
        derive_key=True,
    )


@router.post(
    "/{account_id}/invoices/{invoice_id}/dispute/resolve",
    status_code=201,
    summary="Resolve the open dispute on an invoice",
)
async def resolve_dispute(
    account_id: AccountId, invoice_id: AccountId, body: s.ResolveBody, ctx: Ctx
) -> JSONResponse:
    command = cmd.ResolveDispute(
        invoice_id=invoice_id, resolution=body.resolution, resolved_on=_today(ctx, body.resolved_on)
    )
    return await ctx.run(
        account_id,
        command,
        command_id=None,
        id_field="Idempotency-Key",
        payload=body.model_dump(),
        present=_single,
        derive_key=True,
    )
