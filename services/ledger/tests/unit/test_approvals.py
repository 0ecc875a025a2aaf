"""Four-eyes requests: write-offs above the threshold and credit-limit changes wait for a
second user; approving runs the change on the account as it is then."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger_scenarios import (
    allocated,
    day,
    invoiced,
    opened,
    received,
    rejected,
    then_state,
    when,
)

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.postings import postings
from ledger.domain.state import CREDIT_LIMIT, WRITE_OFF
from servicekit.identity import same_identity

INVOICED = [opened(), invoiced("INV-1", "8000.00")]


def write_off(
    amount: str | None = None, threshold: str | None = "5000.00", by: str = "alice"
) -> cmd.WriteOffInvoice:
    return cmd.WriteOffInvoice(
        write_off_id="WO-1",
        invoice_id="INV-1",
        amount=None if amount is None else Decimal(amount),
        reason="uncollectable",
        written_off_on=day(90),
        requested_by=by,
        approval_above=None if threshold is None else Decimal(threshold),
    )


def approve(by: str = "bob", request_id: str = "WO-1", on: int = 95) -> cmd.ApproveRequest:
    return cmd.ApproveRequest(request_id=request_id, decided_by=by, decided_on=day(on))


def reject(by: str = "bob", request_id: str = "WO-1") -> cmd.RejectRequest:
    return cmd.RejectRequest(
        request_id=request_id, decided_by=by, decided_on=day(95), note="collect first"
    )


def requested(amount: str = "8000.00", by: str = "alice") -> ev.WriteOffRequested:
    return ev.WriteOffRequested(
        request_id="WO-1",
        invoice_id="INV-1",
        currency="SGD",
        amount=Decimal(amount),
        reason="uncollectable",
        written_off_on=day(90),
        requested_by=by,
    )


REQUESTED = [*INVOICED, requested()]


def limit_change(limit: str = "25000.00", by: str = "alice") -> cmd.ChangeCreditLimit:
    return cmd.ChangeCreditLimit(
        request_id="CL-1",
        credit_limit=Decimal(limit),
        reason="annual review",
        requested_on=day(10),
        requested_by=by,
    )


def test_a_write_off_up_to_the_threshold_is_written_off_at_once() -> None:
    [event] = when(INVOICED, write_off("5000.00"))
    assert isinstance(event, ev.InvoiceWrittenOff)
    assert event.amount == Decimal("5000.00")


def test_without_a_threshold_any_write_off_is_written_off_at_once() -> None:
    [event] = when(INVOICED, write_off(threshold=None))
    assert isinstance(event, ev.InvoiceWrittenOff)


def test_above_the_threshold_it_is_only_requested_and_posts_nothing() -> None:
    [event] = when(INVOICED, write_off())
    assert event == requested()
    assert postings(event) == []
    state = then_state(INVOICED, event)
    assert state.items["INV-1"].open_amount == 800000  # nothing written off yet
    assert state.totals.written_off == 0
    pending = state.pending["WO-1"]
    assert (pending.kind, pending.amount, pending.invoice_id) == (WRITE_OFF, 800000, "INV-1")


def test_a_request_is_checked_like_a_write_off() -> None:
    rejected(
        INVOICED,
        write_off("9000.00"),
        err.ExceedsOpenAmount,
        rule="exceeds-open-amount",
        field="amount",
    )


def test_a_second_pending_request_with_the_same_id_is_refused() -> None:
    rejected(REQUESTED, write_off(), err.ApprovalState, rule="approval-state", field="write_off_id")


def test_another_user_approves_and_the_write_off_takes_effect() -> None:
    events = when(REQUESTED, approve())
    assert [type(e) for e in events] == [ev.RequestApproved, ev.InvoiceWrittenOff]
    decision, written = events
    assert isinstance(decision, ev.RequestApproved)
    assert (decision.requested_by, decision.decided_by, decision.kind) == (
        "alice",
        "bob",
        WRITE_OFF,
    )
    assert written == ev.InvoiceWrittenOff(
        write_off_id="WO-1",
        invoice_id="INV-1",
        currency="SGD",
        amount=Decimal("8000.00"),
        reason="uncollectable",
        written_off_on=day(90),
    )
    state = then_state(REQUESTED, *events)
    assert state.pending == {}
    assert state.items["INV-1"].status == "written_off"


@pytest.mark.parametrize("same", ["alice", "ALICE", " Alice ", "\uff41\uff4c\uff49\uff43\uff45"])
def test_the_requester_cannot_approve_their_own_request(same: str) -> None:
    rejected(
        REQUESTED, approve(by=same), err.SameUserApproval, rule="four-eyes", field="request_id"
    )


def test_the_requester_may_withdraw_by_rejecting() -> None:
    [event] = when(REQUESTED, reject(by="alice"))
    assert isinstance(event, ev.RequestRejected)
    state = then_state(REQUESTED, event)
    assert state.pending == {}
    assert state.items["INV-1"].open_amount == 800000


def test_a_rejected_request_cannot_be_approved_later() -> None:
    history = [*REQUESTED, *when(REQUESTED, reject())]
    rejected(
        history, approve(by="carol"), err.ApprovalState, rule="approval-state", field="request_id"
    )


def test_an_unknown_request_is_refused() -> None:
    rejected(INVOICED, approve(), err.ApprovalState, rule="approval-state", field="request_id")


def test_a_request_paid_meanwhile_no_longer_holds() -> None:
    history = [
        *REQUESTED,
        received("PAY-1", "3000.00", on=91),
        allocated("PAY-1", "INV-1", "3000.00", on=91),
    ]
    e = rejected(
        history, approve(), err.StaleRequest, rule="request-no-longer-valid", field="request_id"
    )
    assert "exceeds the open amount 5000.00" in e.detail
    # it stays pending, for a rejection
    [event] = when(history, reject())
    assert isinstance(event, ev.RequestRejected)


def test_a_decision_is_not_dated_before_the_request() -> None:
    rejected(REQUESTED, approve(on=80), err.InvalidDates, rule="invalid-dates", field="decided_on")


def test_a_credit_limit_change_is_requested_then_approved() -> None:
    [event] = when([opened()], limit_change())
    assert isinstance(event, ev.CreditLimitChangeRequested)
    assert (event.credit_limit, event.previous_limit) == (Decimal("25000.00"), Decimal("0.00"))
    history = [opened(), event]
    state = then_state(history)
    assert state.credit_limit == 0
    assert state.pending["CL-1"].kind == CREDIT_LIMIT
    events = when(history, approve(request_id="CL-1"))
    assert [type(e) for e in events] == [ev.RequestApproved, ev.CreditLimitChanged]
    assert then_state(history, *events).credit_limit == 2500000


def test_a_credit_limit_change_is_checked() -> None:
    history = [opened()]
    rejected(
        history,
        limit_change("-1.00"),
        err.InvalidAmount,
        rule="invalid-amount",
        field="credit_limit",
    )
    rejected(
        history,
        limit_change("1.001"),
        err.InvalidAmount,
        rule="invalid-amount",
        field="credit_limit",
    )
    rejected(
        history, limit_change("0"), err.InvalidAmount, rule="invalid-amount", field="credit_limit"
    )


def test_a_rejected_credit_limit_change_leaves_the_limit() -> None:
    history = [opened(), *when([opened()], limit_change())]
    [event] = when(history, reject(request_id="CL-1"))
    assert then_state(history, event).credit_limit == 0


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=10**9),
    threshold=st.integers(min_value=0, max_value=10**9),
    paid=st.integers(min_value=0, max_value=10**9),
    requester=st.text(min_size=1, max_size=8),
    approver=st.text(min_size=1, max_size=8),
)
def test_a_write_off_never_takes_effect_above_the_threshold_without_a_second_user(
    total: int, threshold: int, paid: int, requester: str, approver: str
) -> None:
    """Whatever the amounts and names: one user alone never writes off more than the
    threshold, and whatever an approval writes off was open when approved."""
    paid = min(paid, total - 1)
    m = lambda v: Decimal(v).scaleb(-2)  # noqa: E731
    history: list[ev.Event] = [opened(), invoiced("INV-1", str(m(total)))]
    if paid:
        history += [received("PAY-1", str(m(paid))), allocated("PAY-1", "INV-1", str(m(paid)))]
    first = when(history, write_off(threshold=str(m(threshold)), by=requester))
    [event] = first
    if isinstance(event, ev.InvoiceWrittenOff):
        assert event.amount <= m(threshold)
        return
    assert isinstance(event, ev.WriteOffRequested)
    assert event.amount > m(threshold)
    assert postings(event) == []
    history += first
    if same_identity(requester, approver):
        with pytest.raises(err.SameUserApproval):
            when(history, approve(by=approver))
        return
    decided = when(history, approve(by=approver))
    written = [e for e in decided if isinstance(e, ev.InvoiceWrittenOff)]
    assert len(written) == 1
    assert written[0].amount == m(total - paid)
    state = then_state(history, *decided)
    assert state.totals.open == 0
    assert state.pending == {}
