"""The demo plan: deterministic, every write identified, dates that the ledger accepts."""

from __future__ import annotations

from collections import Counter
from datetime import date

from console.demo.load import batch_item, batches
from console.demo.model import amount, year_ending
from console.demo.plan import plan

THROUGH = date(2026, 10, 31)


def test_the_same_seed_plans_the_same_calls_and_another_seed_others() -> None:
    first = plan(seed=5, policies=120, through=THROUGH)
    again = plan(seed=5, policies=120, through=THROUGH)
    other = plan(seed=6, policies=120, through=THROUGH)
    assert first.accounts == again.accounts
    assert first.brokers == again.brokers
    assert first.accounts != other.accounts


def test_a_smaller_portfolio_is_the_start_of_a_larger_one() -> None:
    small = plan(seed=9, policies=50, through=THROUGH)
    large = plan(seed=9, policies=400, through=THROUGH)
    assert large.accounts[: len(small.accounts)] == small.accounts
    assert large.brokers == small.brokers


def test_policies_add_up_and_every_write_has_its_own_id() -> None:
    p = plan(seed=1, policies=300, through=THROUGH)
    assert 300 <= p.policies <= 302
    ids: Counter[str] = Counter()
    for calls in p.accounts:
        for call in calls:
            key = next((call.body[k] for k in call.body if k.endswith("_id")), None)
            if call.key in ("dispute", "reversal"):
                key = call.path  # identified by their path (and Idempotency-Key)
            assert key is not None, call
            ids[f"{call.key}:{key}"] += 1
    assert max(ids.values()) == 1
    kinds = Counter(call.key for calls in p.accounts for call in calls)
    assert kinds["account"] == len(p.accounts)
    assert kinds["invoice"] > kinds["account"]
    assert kinds["payment"] > 0


def test_each_account_opens_first_and_nothing_is_dated_after_the_year() -> None:
    p = plan(seed=3, policies=200, through=THROUGH)
    assert p.first_day == date(2025, 11, 1) == year_ending(THROUGH)
    assert p.periods[0] == "2025-11"
    assert p.periods[-1] == "2026-10"
    for calls in p.accounts:
        assert calls[0].key == "account"
        assert all(c.key != "account" for c in calls[1:])
        issued: dict[str, date] = {}
        for call in calls[1:]:
            dates = [
                date.fromisoformat(v)
                for k, v in call.body.items()
                if k.endswith(("_date", "_on")) and k != "due_date" and isinstance(v, str)
            ]
            assert all(d <= THROUGH for d in dates), call
            if call.key == "invoice":
                issued[call.body["invoice_id"]] = date.fromisoformat(call.body["issue_date"])
            if call.key == "payment":
                invoice = call.body["allocations"][0]["invoice_id"]
                assert invoice in issued  # paid after it was issued, in the call order
                assert date.fromisoformat(call.body["received_on"]) >= issued[invoice]


def test_amounts_are_two_place_decimal_strings() -> None:
    assert amount(0) == "0.00"
    assert amount(123456) == "1234.56"
    assert amount(-5) == "-0.05"


def test_every_ledger_call_has_its_batch_operation() -> None:
    p = plan(seed=2, policies=150, through=THROUGH)
    ops: Counter[str] = Counter()
    for calls in p.accounts:
        for call in calls:
            item = batch_item(call)
            ops[item["op"]] += 1
            assert item["body"] == call.body
            if item["op"] != "open_account":
                assert call.path.startswith(f"/v1/accounts/{item['account_id']}/")
            if item["op"] == "dispute":
                assert item["idempotency_key"] == call.headers["Idempotency-Key"]
    assert ops["open_account"] == len(p.accounts)
    assert ops["issue_invoice"] > 0
    assert ops["receive_payment"] > 0


def test_batches_keep_accounts_whole_and_in_order() -> None:
    p = plan(seed=2, policies=150, through=THROUGH)
    chunks = batches(p.accounts, size=100)
    assert [c for chunk in chunks for c in chunk] == [c for a in p.accounts for c in a]
    for chunk in chunks:
        opened = [c for c in chunk if c.key == "account"]
        assert chunk[0].key == "account"
        assert len(chunk) <= 100 or len(opened) == 1  # an account larger than a batch
