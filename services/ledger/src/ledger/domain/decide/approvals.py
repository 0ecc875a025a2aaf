"""Four-eyes requests: what one user asks for, a second user approves or rejects.

A request (``WriteOffRequested`` above the threshold, ``CreditLimitChangeRequested``)
changes no balance; it waits on the account (``Account.pending``). Approving it runs the
change it asked for on the account as it is *then*: a write-off of an invoice paid or
credited meanwhile no longer holds and is refused (``request-no-longer-valid``), leaving
the request pending for a rejection. The requester never approves their own request,
compared by normalised identity (the rule brokers' bank details follow too).
"""

from __future__ import annotations

from collections.abc import Callable

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.decide._rules import dec, find_item, not_before
from ledger.domain.decide.core import decide_on
from ledger.domain.decide.invoices import write_off_event
from ledger.domain.money import to_minor
from ledger.domain.state import CREDIT_LIMIT, WRITE_OFF, Account, Request
from servicekit.identity import same_identity

Effect = Callable[[Request, Account, cmd.DecideRequest], list[ev.Event]]


def _write_off(request: Request, state: Account, c: cmd.DecideRequest) -> list[ev.Event]:
    assert request.invoice_id is not None
    item = find_item(state, request.invoice_id)
    return [
        write_off_event(
            state, item, request.request_id, request.amount, request.reason, request.requested_on
        )
    ]


def _credit_limit(request: Request, state: Account, c: cmd.DecideRequest) -> list[ev.Event]:
    return [
        ev.CreditLimitChanged(
            request_id=request.request_id,
            currency=state.currency,
            credit_limit=dec(request.amount, state),
            previous_limit=dec(state.credit_limit, state),
            reason=request.reason,
            changed_on=c.decided_on,
        )
    ]


# What approving each kind of request does (its events after ``RequestApproved``).
EFFECTS: dict[str, Effect] = {WRITE_OFF: _write_off, CREDIT_LIMIT: _credit_limit}


def check_new_request(state: Account, request_id: str, field: str) -> None:
    if request_id in state.pending:
        raise err.ApprovalState(f"a request {request_id} is already pending", field=field)


@decide_on.register
def _(c: cmd.ChangeCreditLimit, state: Account) -> list[ev.Event]:
    check_new_request(state, c.request_id, "request_id")
    limit = to_minor(c.credit_limit, state.currency, field="credit_limit")
    if limit < 0:
        raise err.InvalidAmount("credit_limit must not be negative", field="credit_limit")
    if limit == state.credit_limit:
        raise err.InvalidAmount(
            f"the credit limit is already {dec(limit, state)}", field="credit_limit"
        )
    not_before(c.requested_on, state.opened_on, "requested_on", "the account's opening")
    return [
        ev.CreditLimitChangeRequested(
            request_id=c.request_id,
            currency=state.currency,
            credit_limit=dec(limit, state),
            previous_limit=dec(state.credit_limit, state),
            reason=c.reason,
            requested_on=c.requested_on,
            requested_by=c.requested_by,
        )
    ]


@decide_on.register
def _(c: cmd.DecideRequest, state: Account) -> list[ev.Event]:
    request = state.pending.get(c.request_id)
    if request is None:
        raise err.ApprovalState(
            f"no request {c.request_id} is pending on this account", field="request_id"
        )
    not_before(c.decided_on, request.requested_on, "decided_on", f"request {c.request_id}")
    decision = {
        "request_id": request.request_id,
        "kind": request.kind,
        "requested_by": request.requested_by,
        "decided_by": c.decided_by,
        "decided_on": c.decided_on,
        "note": c.note,
    }
    if not isinstance(c, cmd.ApproveRequest):
        return [ev.RequestRejected(**decision)]
    if same_identity(c.decided_by, request.requested_by):
        raise err.SameUserApproval(
            f"{c.decided_by} made request {c.request_id}; a second user must approve it",
            field="request_id",
        )
    try:
        effect = EFFECTS[request.kind](request, state, c)
    except err.RuleViolation as e:
        raise err.StaleRequest(
            f"request {c.request_id} no longer holds: {e.detail}", field="request_id"
        ) from None
    return [ev.RequestApproved(**decision), *effect]
