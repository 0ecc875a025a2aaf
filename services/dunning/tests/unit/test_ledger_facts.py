"""The ledger's events as dunning reads them: the four-eyes request events are ignored,
an approved credit-limit change moves the limit."""

from __future__ import annotations

from dunning.domain import ledger_facts as f

from .builders import Account, day


def test_requests_and_decisions_are_not_facts_dunning_acts_on() -> None:
    for event_type in (
        "WriteOffRequested",
        "CreditLimitChangeRequested",
        "RequestApproved",
        "RequestRejected",
    ):
        assert f.parse_fact(event_type, {"request_id": "R1", "anything": 1}) is None


def test_an_approved_credit_limit_change_moves_the_limit() -> None:
    a = Account()
    fact = f.parse_fact("CreditLimitChanged", {"request_id": "CL-1", "credit_limit": "2500.50"})
    assert fact is not None
    a.fact(fact, day(3))
    assert a.rec.credit_limit == 250050
