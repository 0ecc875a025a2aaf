"""A batch item is validated once by its operation's model; it must accept and refuse
exactly what the item model followed by the body model did (which still says why)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ledger.adapters.http.batches import _TYPED, BatchItem, _validated
from ledger.adapters.http.operations import OPERATIONS

_VALID: dict[str, dict[str, Any]] = {
    "open_account": {
        "account_id": "ACC-1",
        "name": "Customer",
        "currency": "SGD",
        "jurisdiction": "SG",
        "credit_limit": "1000.00",
        "payment_terms_days": 30,
    },
    "issue_invoice": {
        "invoice_id": "INV-1",
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "lines": [{"description": "Premium", "amount": "100.00"}],
    },
    "receive_payment": {
        "payment_id": "PAY-1",
        "amount": "100.00",
        "received_on": "2026-01-05",
        "method": "bank_transfer",
    },
    "reverse_payment": {"reason": "bounced"},
    "dispute": {"reason": "wrong amount"},
}

_VALUES = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=8),
    st.sampled_from(["100.00", "2026-01-01", "ACC-1", "SG", " x ", "1e3"]),
    st.lists(st.dictionaries(st.sampled_from(["description", "amount"]), st.text(max_size=6))),
)


def _two_step(raw: dict[str, Any]) -> tuple[str, Any] | str:
    """As items were validated before: the item model, then the operation's body model."""
    try:
        item = BatchItem.model_validate(raw)
    except ValidationError:
        return "item"
    try:
        return item.op, OPERATIONS[item.op].body.model_validate(item.body)
    except ValidationError:
        return "body"


@settings(max_examples=300)
@given(
    op=st.sampled_from(sorted(_VALID)),
    changes=st.dictionaries(
        st.sampled_from(["account_id", "payment_id", "invoice_id", "idempotency_key", "extra"]),
        _VALUES,
        max_size=2,
    ),
    body_changes=st.dictionaries(
        st.sampled_from(["amount", "lines", "reason", "currency", "issue_date", "unknown"]),
        _VALUES,
        max_size=2,
    ),
)
def test_one_validation_accepts_and_refuses_as_the_two_did(
    op: str, changes: dict[str, Any], body_changes: dict[str, Any]
) -> None:
    raw = {"op": op, "body": {**_VALID[op], **body_changes}, **changes}
    before = _two_step(raw)
    try:
        item = _TYPED[op].model_validate(raw)
    except ValidationError:
        assert isinstance(before, str)  # refused by one as by the other
        refusal = _validated(0, raw)  # and said as the two-step path says it
        assert isinstance(refusal, dict)
        assert refusal["status"] == 422
        assert refusal["problem"]["field"].startswith("body.") or before == "item"
    else:
        assert (item.op, item.body) == before
        assert _validated(0, raw) == (item, item.body)


def test_every_operation_has_its_item_model() -> None:
    assert set(_TYPED) == set(OPERATIONS)
    for op, model in _TYPED.items():
        assert model.model_fields["body"].annotation is OPERATIONS[op].body
