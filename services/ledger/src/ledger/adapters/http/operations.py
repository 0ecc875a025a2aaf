"""The ledger's write operations, once: request body, command, id and the answer's shape.

The single-command routes (``commands.py``) and the batch route (``batches.py``) both build
their commands here, so a command posted either way is validated, identified (for
idempotency) and answered identically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from ledger.adapters.http import schemas as s
from ledger.adapters.http.views import (
    account_state_view,
    payment_view,
    recorded,
    shares,
    state_item_view,
)
from ledger.application.handler import Presenter, request_hash
from ledger.application.records import StoredEvent
from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.money import format_minor
from ledger.domain.state import Account

Result = dict[str, Any]
Today = Callable[[date | None], date]  # the business date a command defaults to
C = TypeVar("C", bound=cmd.Command)


@dataclass(frozen=True)
class Prepared:
    """A command ready to run: ``command_id`` None means "by Idempotency-Key"."""

    command: cmd.Command
    command_id: str | None
    id_field: str
    payload: dict[str, Any]
    present: Presenter


def _unapplied(state: Account) -> str:
    """The account's unapplied credit as its summary shows it."""
    return format_minor(state.totals.unapplied, state.currency)


def _account(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
    return {**account_state_view(state), **recorded(stored)}


def _invoice_of(invoice_id: str) -> Presenter:
    def present(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
        return {**state_item_view(state.items[invoice_id], state.currency), **recorded(stored)}

    return present


def _payment(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
    received = events[0]
    assert isinstance(received, ev.PaymentReceived)
    view = payment_view(state.payments[received.payment_id], state.currency)
    return {
        **view,
        "account_unapplied": _unapplied(state),
        **recorded(stored),
    }


def _reversal_of(payment_id: str) -> Presenter:
    def present(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
        e = events[0]
        assert isinstance(e, ev.PaymentReversed)
        return {
            **payment_view(state.payments[payment_id], state.currency),
            "reason": e.reason,
            "released": shares(e.released),
            **recorded(stored),
        }

    return present


def _single(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
    """The one event a command produced, with the invoice it touched (if any)."""
    data = events[0].model_dump(mode="json")
    invoice_id = getattr(events[0], "invoice_id", None) or getattr(events[0], "adjustment_id", None)
    item = state.items.get(invoice_id) if invoice_id else None
    out: Result = {**data, **recorded(stored)}
    if item is not None:
        out["invoice"] = state_item_view(item, state.currency)
    out["account_unapplied"] = _unapplied(state)
    return out


def _applied(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
    allocated = [e for e in events if isinstance(e, ev.PaymentAllocated)]
    first = allocated[0]
    return {
        "invoice_id": first.invoice_id,
        "applied": [{"payment_id": e.payment_id, "amount": str(e.amount)} for e in allocated],
        "invoice": state_item_view(state.items[first.invoice_id], state.currency),
        "account_unapplied": _unapplied(state),
        **recorded(stored),
    }


Params = Mapping[str, str]  # the route's path parameters besides the account id


def whole_command(path: Mapping[str, str], body: dict[str, Any]) -> dict[str, Any]:
    """What the idempotency digest covers: the route's path parameters and its body."""
    return {"path": dict(path), "body": body}


def derived_key(command: cmd.Command) -> str:
    """A deterministic command id for a command that has none of its own."""
    digest = request_hash(command.model_dump(mode="json")).hex()[:32]
    return f"derived-{type(command).__name__}-{digest}"


def _built(kind: type[C], body: s.Body, **fields: Any) -> C:
    """``kind`` from the body's validated values and ``fields`` (which replace the body's
    optional date by the business date), without dumping the body to a dict first."""
    return kind(**{**body.__dict__, **fields})


def open_account(body: s.OpenAccountBody, _: Params, today: Today) -> Prepared:
    command = _built(cmd.OpenAccount, body, opened_on=today(body.opened_on))
    return Prepared(command, body.account_id, "account_id", body.model_dump(), _account)


def issue_invoice(body: s.InvoiceBody, _: Params, today: Today) -> Prepared:
    command = cmd.IssueInvoice(
        invoice_id=body.invoice_id,
        issue_date=body.issue_date,
        due_date=body.due_date,
        lines=tuple(_built(cmd.LineSpec, line) for line in body.lines),
        policy_id=body.policy_id,
        broker_id=body.broker_id,
    )
    present = _invoice_of(body.invoice_id)
    return Prepared(command, body.invoice_id, "invoice_id", body.model_dump(), present)


def receive_payment(body: s.PaymentBody, _: Params, today: Today) -> Prepared:
    allocations = (
        None
        if body.allocations is None
        else tuple(_built(cmd.AllocationSpec, a) for a in body.allocations)
    )
    command = cmd.ReceivePayment(
        payment_id=body.payment_id,
        amount=body.amount,
        received_on=body.received_on,
        method=body.method,
        reference=body.reference,
        allocations=allocations,
        allocation_order=body.allocation_order or cmd.AllocationOrder.OLDEST_DUE_FIRST,
        policy_id=body.policy_id,
    )
    if allocations is not None and (body.allocation_order or body.policy_id):
        field = "allocation_order" if body.allocation_order else "policy_id"
        raise err.RuleViolation(
            f"{field} applies only to a payment naming no allocations", field=field
        )
    return Prepared(command, body.payment_id, "payment_id", body.model_dump(), _payment)


def reverse_payment(body: s.ReversalBody, params: Params, today: Today) -> Prepared:
    payment_id = params["payment_id"]
    command = cmd.ReversePayment(
        payment_id=payment_id, reason=body.reason, reversed_on=today(body.reversed_on)
    )
    present = _reversal_of(payment_id)
    return Prepared(command, payment_id, "payment_id", body.model_dump(), present)


def issue_credit_note(body: s.CreditNoteBody, _: Params, today: Today) -> Prepared:
    command = _built(cmd.IssueCreditNote, body, issued_on=today(body.issued_on))
    return Prepared(command, body.credit_note_id, "credit_note_id", body.model_dump(), _single)


def post_adjustment(body: s.AdjustmentBody, _: Params, today: Today) -> Prepared:
    command = _built(cmd.PostAdjustment, body, effective_on=today(body.effective_on))
    return Prepared(command, body.adjustment_id, "adjustment_id", body.model_dump(), _single)


def _write_off(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
    """The write-off, or (above the four-eyes threshold) its request, pending approval."""
    return {
        **_single(state, events, stored),
        "pending_approval": isinstance(events[0], ev.WriteOffRequested),
    }


def write_off(body: s.WriteOffBody, _: Params, today: Today) -> Prepared:
    command = _built(cmd.WriteOffInvoice, body, written_off_on=today(body.written_off_on))
    return Prepared(command, body.write_off_id, "write_off_id", body.model_dump(), _write_off)


def change_credit_limit(body: s.CreditLimitChangeBody, _: Params, today: Today) -> Prepared:
    """A request; the limit changes when a second user approves it."""
    command = _built(
        cmd.ChangeCreditLimit,
        body,
        requested_on=today(body.requested_on),
        requested_by="",  # the handler records the authenticated actor
    )
    return Prepared(command, body.request_id, "request_id", body.model_dump(), _single)


def _decided(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
    """The decision, what it applied (an approval's write-off or new limit) and the
    account after it."""
    decision = events[0]
    out: Result = {
        **decision.model_dump(mode="json"),
        "status": "approved" if isinstance(decision, ev.RequestApproved) else "rejected",
        "applied": [{"type": e.event_type(), **e.model_dump(mode="json")} for e in events[1:]],
        "account": account_state_view(state),
        **recorded(stored),
    }
    for e in events[1:]:
        if isinstance(e, ev.InvoiceWrittenOff):
            out["invoice"] = state_item_view(state.items[e.invoice_id], state.currency)
    return out


def decide_request(
    body: s.ApproveBody | s.RejectBody, params: Params, today: Today, *, actor: str
) -> Prepared:
    """Approve (``ApproveBody``) or reject a pending request as ``actor``. Without an
    Idempotency-Key the id derives from the decision, the actor included: a retry replays,
    another user's decision is a new command (refused: the request is no longer pending)."""
    kind = cmd.ApproveRequest if isinstance(body, s.ApproveBody) else cmd.RejectRequest
    command = kind(
        request_id=params["request_id"],
        decided_by=actor,
        decided_on=today(body.decided_on),
        note=body.note,
    )
    return Prepared(command, None, "Idempotency-Key", body.model_dump(), _decided)


def recover_write_off(body: s.RecoveryBody, params: Params, today: Today) -> Prepared:
    command = _built(
        cmd.RecoverWriteOff,
        body,
        invoice_id=params["invoice_id"],
        recovered_on=today(body.recovered_on),
    )
    return Prepared(command, body.recovery_id, "recovery_id", body.model_dump(), _single)


def refund(body: s.RefundBody, _: Params, today: Today) -> Prepared:
    command = _built(cmd.IssueRefund, body, refunded_on=today(body.refunded_on))
    return Prepared(command, body.refund_id, "refund_id", body.model_dump(), _single)


def apply_credit(body: s.ApplyCreditBody, _: Params, today: Today) -> Prepared:
    command = cmd.ApplyUnappliedCredit(
        invoice_id=body.invoice_id, amount=body.amount, applied_on=today(body.applied_on)
    )
    payload = body.model_dump()
    return Prepared(command, body.application_id, "application_id", payload, _applied)


def dispute(body: s.DisputeBody, params: Params, today: Today) -> Prepared:
    """Disputes are guarded by their state; an Idempotency-Key makes retries replay."""
    command = cmd.DisputeInvoice(
        invoice_id=params["invoice_id"], reason=body.reason, disputed_on=today(body.disputed_on)
    )
    return Prepared(command, None, "Idempotency-Key", body.model_dump(), _single)


def resolve_dispute(body: s.ResolveBody, params: Params, today: Today) -> Prepared:
    command = cmd.ResolveDispute(
        invoice_id=params["invoice_id"],
        resolution=body.resolution,
        resolved_on=today(body.resolved_on),
    )
    return Prepared(command, None, "Idempotency-Key", body.model_dump(), _single)


def _held(state: Account, events: list[ev.Event], stored: list[StoredEvent]) -> Result:
    """A suspense event with what its receipt still holds."""
    event = events[0]
    assert isinstance(event, ev.ReceiptSuspended | ev.SuspenseCleared)
    receipt = state.payments[event.payment_id]
    return {
        **event.model_dump(mode="json"),
        "held": format_minor(receipt.unapplied, state.currency),
        **recorded(stored),
    }


def suspend_receipt(body: s.SuspendReceiptBody, _: Params, today: Today) -> Prepared:
    command = _built(cmd.SuspendReceipt, body)
    return Prepared(command, body.payment_id, "payment_id", body.model_dump(), _held)


def clear_suspense(body: s.ClearSuspenseBody, params: Params, today: Today) -> Prepared:
    command = _built(
        cmd.ClearSuspense,
        body,
        payment_id=params["payment_id"],
        # a move defaults to the receipt's value date (the domain's), a refund to today
        cleared_on=body.cleared_on if body.to_account_id else today(body.cleared_on),
    )
    return Prepared(command, body.clearance_id, "clearance_id", body.model_dump(), _held)


@dataclass(frozen=True)
class Operation:
    """One write operation as the batch route names it (``op``)."""

    body: type[s.Body]
    build: Callable[[Any, Params, Today], Prepared]
    params: tuple[str, ...] = ()  # path parameters of the single route, besides account_id
    derive_key: bool = False  # without an Idempotency-Key, the id is derived from the command


OPERATIONS: dict[str, Operation] = {
    "open_account": Operation(s.OpenAccountBody, open_account),
    "issue_invoice": Operation(s.InvoiceBody, issue_invoice),
    "receive_payment": Operation(s.PaymentBody, receive_payment),
    "reverse_payment": Operation(s.ReversalBody, reverse_payment, ("payment_id",)),
    "issue_credit_note": Operation(s.CreditNoteBody, issue_credit_note),
    "post_adjustment": Operation(s.AdjustmentBody, post_adjustment),
    "write_off": Operation(s.WriteOffBody, write_off),
    "recover_write_off": Operation(s.RecoveryBody, recover_write_off, ("invoice_id",)),
    "refund": Operation(s.RefundBody, refund),
    "apply_credit": Operation(s.ApplyCreditBody, apply_credit),
    "dispute": Operation(s.DisputeBody, dispute, ("invoice_id",), derive_key=True),
    "resolve_dispute": Operation(s.ResolveBody, resolve_dispute, ("invoice_id",), derive_key=True),
    "suspend_receipt": Operation(s.SuspendReceiptBody, suspend_receipt),
    "clear_suspense": Operation(s.ClearSuspenseBody, clear_suspense, ("payment_id",)),
}
